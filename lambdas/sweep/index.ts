import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mapWithConcurrency } from '../shared/concurrency';
import { config } from '../shared/config';
import type { DriftDetail } from '../shared/drift';
import { SweepIncompleteError } from '../shared/errors';
import { logger, metrics, observability } from '../shared/observability';
import { readInventory } from '../shared/store/inventory';
import { publishDrift, sweepKey } from '../shared/sweep/sweep';

/**
 * Runs on a schedule, as a safety net under the event path: events can be missed (a forwarder deleted,
 * a rule disabled, the dead-letter queue), and AWS starts a stopped RDS database by itself after 7 days.
 * Reads every registered key's real state, warns ahead of material expiry and deletion, and puts a drift
 * event on the platform bus for each key whose resources do not match it, for the normal path to handle.
 */
const lambdaHandler = async (_event: unknown, context: Context) => {
  const sweepId = context.awsRequestId;
  const now = new Date();
  const keys = await readInventory();
  const outcomes = await mapWithConcurrency(keys, config.sweepConcurrency(), (key) =>
    sweepKey(key, sweepId, now),
  );

  const drifts = outcomes.flatMap((outcome) => (outcome.outcome === 'drift' ? [outcome.drift] : []));
  const refused = await publishDrift(drifts, now);
  const tally = (name: (typeof outcomes)[number]['outcome']) =>
    outcomes.filter((outcome) => outcome.outcome === name).length;
  const summary = {
    sweepId,
    keys: keys.length,
    inSync: tally('in-sync'),
    busy: tally('busy'),
    drift: drifts.length,
    unreadable: tally('unreadable'),
    failed: tally('failed'),
    driftEventsRefused: refused.length,
    warningsSent: outcomes.reduce(
      (sum, outcome) => sum + ('warningsSent' in outcome ? outcome.warningsSent : 0),
      0,
    ),
  };
  metrics.addMetric('KeysSwept', MetricUnit.Count, summary.keys);
  metrics.addMetric('DriftDetected', MetricUnit.Count, summary.drift);
  metrics.addMetric('KeysUnreadable', MetricUnit.Count, summary.unreadable);
  metrics.addMetric('WarningsSent', MetricUnit.Count, summary.warningsSent);
  logger.info('Sweep finished', summary);

  // Failing the invocation is what raises the sweep's alarm; the next sweep tries every key again.
  if (summary.failed > 0 || refused.length > 0) {
    throw new SweepIncompleteError(
      `${summary.failed} key(s) could not be swept and ${refused.length} drift event(s) were refused; see the log lines before this one`,
    );
  }
  return {
    ...summary,
    drifts: drifts.map(
      ({ keyArn, workflow, reason }): Pick<DriftDetail, 'keyArn' | 'workflow' | 'reason'> => ({
        keyArn,
        workflow,
        reason,
      }),
    ),
  };
};

export const handler = middy(lambdaHandler).use(observability());

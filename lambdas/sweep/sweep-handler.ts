import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mapWithConcurrency } from '../shared/concurrency';
import { ENV } from '../shared/contract';
import { SweepIncompleteError } from '../shared/errors';
import { logger, metrics, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { required } from '../shared/settings';
import { type KeyOutcome, Sweeper } from '../shared/sweep/sweep';

type SweepHandlerParts = Pick<
  ReactorParts,
  'settings' | 'store' | 'keys' | 'drivers' | 'mailer' | 'notifier' | 'publisher' | 'eventBridge' | 'clock'
>;

/**
 * Runs on a schedule, as a safety net under the event path: events can be missed (a forwarder deleted,
 * a rule disabled, the dead-letter queue), and AWS starts a stopped RDS database by itself after 7 days.
 * Reads every registered key's real state, warns ahead of material expiry and deletion, and puts a drift
 * event on the platform bus for each key whose resources do not match it, for the normal path to handle.
 */
export function createSweepHandler(parts: SweepHandlerParts) {
  const { settings } = parts;
  // Named one by one: the parts may be a Reactor, whose parts are getters that a spread would not copy.
  const sweeper = new Sweeper({
    store: parts.store,
    keys: parts.keys,
    drivers: parts.drivers,
    mailer: parts.mailer,
    notifier: parts.notifier,
    publisher: parts.publisher,
    eventBridge: parts.eventBridge,
    clock: parts.clock,
    eventBusName: required(settings.eventBusName, ENV.eventBusName),
    warningDays: settings.warningDays,
    managedTag: settings.managedTag,
  });

  const lambdaHandler = async (_event: unknown, context: Context) => {
    const sweepId = context.awsRequestId;
    const now = parts.clock();
    const keys = await parts.store.inventory();
    const outcomes = await mapWithConcurrency(keys, settings.sweepConcurrency, (key) =>
      sweeper.sweepKey(key, sweepId, now),
    );

    const drifts = outcomes.flatMap((outcome) =>
      'drift' in outcome && outcome.drift ? [outcome.drift] : [],
    );
    const refused = await sweeper.publishDrift(drifts, now);
    const count = (test: (outcome: KeyOutcome) => boolean) => outcomes.filter(test).length;
    const summary = {
      sweepId,
      keys: keys.length,
      inSync: count((outcome) => outcome.outcome === 'in-sync'),
      busy: count((outcome) => outcome.outcome === 'busy'),
      drift: drifts.length,
      unreadable: count((outcome) => outcome.outcome === 'unreadable'),
      failed: count((outcome) => outcome.outcome === 'failed'),
      driftEventsRefused: refused.length,
      warningsSent: outcomes.reduce(
        (sum, outcome) => sum + ('warningsSent' in outcome ? outcome.warningsSent : 0),
        0,
      ),
      warningsFailed: count((outcome) => 'warningError' in outcome && outcome.warningError !== undefined),
      // The workflows' emails SES had not accepted: sent at last, and still waiting (operators were paged).
      undeliveredResent: outcomes.reduce((sum, outcome) => sum + (outcome.undelivered?.resent ?? 0), 0),
      undeliveredLeft: outcomes.reduce((sum, outcome) => sum + (outcome.undelivered?.left ?? 0), 0),
      resendsFailed: count((outcome) => outcome.resendError !== undefined),
    };
    metrics.addMetric('KeysSwept', MetricUnit.Count, summary.keys);
    metrics.addMetric('DriftDetected', MetricUnit.Count, summary.drift);
    metrics.addMetric('KeysUnreadable', MetricUnit.Count, summary.unreadable);
    metrics.addMetric('WarningsSent', MetricUnit.Count, summary.warningsSent);
    logger.info('Sweep finished', summary);

    // Failing the invocation is what raises the sweep's alarm; the next sweep tries every key again. An
    // email SES still refuses does not: the operators were paged about it, and it waits for the next sweep.
    if (summary.failed > 0 || refused.length > 0 || summary.warningsFailed > 0 || summary.resendsFailed > 0) {
      throw new SweepIncompleteError(
        `${summary.failed} key(s) could not be swept, ${refused.length} drift event(s) were refused and ` +
          `${summary.warningsFailed} key(s) missed a warning; see the log lines before this one` +
          (summary.resendsFailed > 0
            ? ` (${summary.resendsFailed} key(s) could not try their undelivered emails again)`
            : ''),
      );
    }
    return {
      ...summary,
      drifts: drifts.map(({ keyArn, workflow, reason }) => ({ keyArn, workflow, reason })),
    };
  };

  return middy(lambdaHandler).use(observability());
}

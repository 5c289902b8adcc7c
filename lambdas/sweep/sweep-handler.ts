import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mapWithConcurrency } from '../shared/concurrency';
import { ENV } from '../shared/contract';
import { SweepIncompleteError } from '../shared/errors';
import { logger, metrics, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { required } from '../shared/settings';
import { Digest, isDigestRequest } from '../shared/sweep/digest';
import { describeError, type KeyOutcome, Sweeper } from '../shared/sweep/sweep';
import { SafetyNet, type SafetyNetOutcome } from '../shared/sweep/unprotected';

type SweepHandlerParts = Pick<
  ReactorParts,
  | 'settings'
  | 'store'
  | 'resources'
  | 'keys'
  | 'drivers'
  | 'dependents'
  | 'mailer'
  | 'notifier'
  | 'publisher'
  | 'eventBridge'
  | 'stepFunctions'
  | 'clock'
>;

/**
 * Runs on a schedule, as a safety net under the event path: events can be missed (a forwarder deleted,
 * a rule disabled, the dead-letter queue), and AWS starts a stopped RDS database by itself after 7 days.
 * Reads every registered key's real state, warns ahead of material expiry, deletion and an RDS database
 * becoming unrecoverable, and puts a drift event on the platform bus for each key whose resources do not
 * match it, for the normal path to handle. Once a week (input `{"digest": true}`) it sends the operators'
 * digest of the keys at risk instead (lambdas/shared/sweep/digest.ts).
 */
export function createSweepHandler(parts: SweepHandlerParts) {
  const { settings } = parts;
  // Named one by one: the parts may be a Reactor, whose parts are getters that a spread would not copy.
  const sweeper = new Sweeper({
    store: parts.store,
    resources: parts.resources,
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

  const safetyNet = new SafetyNet({
    store: parts.store,
    mailer: parts.mailer,
    dependents: parts.dependents,
    aliasOf: (keyArn) => parts.keys.alias(keyArn),
  });

  /** Never throws: what it could not do is logged, and fails the sweep at its end, like a key not swept. */
  const checkSafetyNet = (keys: Parameters<SafetyNet['check']>[0], now: Date) =>
    safetyNet.check(keys, now).then(
      (outcome): SafetyNetOutcome & { error?: string } => outcome,
      (error: unknown) => {
        logger.error('Safety net not checked: resources encrypted with the keys were not looked for', {
          error,
        });
        return { unprotected: [], reported: 0, error: describeError(error) };
      },
    );

  const digest = new Digest({
    store: parts.store,
    resources: parts.resources,
    keys: parts.keys,
    drivers: parts.drivers,
    mailer: parts.mailer,
    publisher: parts.publisher,
    stepFunctions: parts.stepFunctions,
    stateMachineArns: [settings.stateMachineArns.disable, settings.stateMachineArns.enable].filter(
      (arn): arn is string => arn !== undefined,
    ),
    concurrency: settings.sweepConcurrency,
    dependents: parts.dependents,
  });

  const lambdaHandler = async (event: unknown, context: Context) => {
    // The weekly schedule asks for the operators' digest instead of a sweep.
    if (isDigestRequest(event)) {
      const outcome = await digest.run(parts.clock());
      metrics.addMetric('KeysAtRisk', MetricUnit.Count, outcome.keysAtRisk.length);
      return {
        digest: true,
        keys: outcome.keys,
        keysAtRisk: outcome.keysAtRisk.length,
        emailed: outcome.emailed,
      };
    }
    const sweepId = context.awsRequestId;
    const now = parts.clock();
    // One read of the account's tags and one Scan of the table, whatever the number of keys.
    const keys = await parts.resources.inventory();
    const outcomes = await mapWithConcurrency(keys, settings.sweepConcurrency, (key) =>
      sweeper.sweepKey(key, sweepId, now),
    );

    const drifts = outcomes.flatMap((outcome) =>
      'drift' in outcome && outcome.drift ? [outcome.drift] : [],
    );
    const refused = await sweeper.publishDrift(drifts, now);
    const net = await checkSafetyNet(keys, now);
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
      unprotected: net.unprotected.length,
      unprotectedReported: net.reported,
      safetyNetFailed: net.error !== undefined,
    };
    metrics.addMetric('KeysSwept', MetricUnit.Count, summary.keys);
    metrics.addMetric('DriftDetected', MetricUnit.Count, summary.drift);
    metrics.addMetric('KeysUnreadable', MetricUnit.Count, summary.unreadable);
    metrics.addMetric('WarningsSent', MetricUnit.Count, summary.warningsSent);
    // What is unprotected now, whether reported before or not: the dashboard shows it until it is tagged.
    if (!summary.safetyNetFailed)
      metrics.addMetric('UnprotectedResources', MetricUnit.Count, summary.unprotected);
    logger.info('Sweep finished', summary);

    // Failing the invocation is what raises the sweep's alarm; the next sweep tries every key again. An
    // email SES still refuses does not: the operators were paged about it, and it waits for the next sweep.
    if (
      summary.failed > 0 ||
      refused.length > 0 ||
      summary.warningsFailed > 0 ||
      summary.resendsFailed > 0 ||
      summary.safetyNetFailed
    ) {
      throw new SweepIncompleteError(
        `${summary.failed} key(s) could not be swept, ${refused.length} drift event(s) were refused and ` +
          `${summary.warningsFailed} key(s) missed a warning; see the log lines before this one` +
          (summary.resendsFailed > 0
            ? ` (${summary.resendsFailed} key(s) could not try their undelivered emails again)`
            : '') +
          (net.error ? ` (the safety net by encryption failed: ${net.error})` : ''),
      );
    }
    return {
      ...summary,
      drifts: drifts.map(({ keyArn, workflow, reason }) => ({ keyArn, workflow, reason })),
    };
  };

  return middy(lambdaHandler).use(observability());
}

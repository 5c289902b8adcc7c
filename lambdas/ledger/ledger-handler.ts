import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, metrics, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepError, StepInput } from '../shared/step-input';

const LedgerInput = StepInput.extend({
  action: z.enum(['shutdown-complete', 'restored', 'failed']),
  error: StepError.optional(),
  /** When the key changed (the execution input's eventTime): the start of the time-to-outcome metrics. */
  eventTime: z.string().optional(),
});
type LedgerInput = z.infer<typeof LedgerInput>;

/**
 * How long the outcome took from the key change, as a metric for the dashboard: `SecondsToShutdown`
 * (grace period included) or `SecondsToRestore`. Skipped when the event time is missing or unreadable.
 */
function recordTimeToOutcome(
  metricName: 'SecondsToShutdown' | 'SecondsToRestore',
  now: Date,
  eventTime?: string,
): void {
  const changedAt = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
  if (Number.isNaN(changedAt)) return;
  const seconds = Math.max(0, (now.getTime() - changedAt) / 1000);
  metrics.addMetric(metricName, MetricUnit.Seconds, seconds);
  logger.info('Time from the key change to the outcome', { metric: metricName, seconds });
}

/**
 * Records a workflow's outcome for the key. The per-resource entries are written by the stop step
 * itself, before each stop call, so that a crash between the call and this step loses nothing; this
 * step marks the shutdown complete or the restore done, or keeps the failure.
 */
export function createLedgerHandler({ store, clock }: Pick<ReactorParts, 'store' | 'clock'>) {
  const lambdaHandler = async ({ keyArn, executionName, action, error, eventTime }: LedgerInput) => {
    switch (action) {
      case 'shutdown-complete': {
        await store.outcomes.record(keyArn, 'shut-down', executionName);
        recordTimeToOutcome('SecondsToShutdown', clock(), eventTime);
        logger.info('Shutdown recorded');
        return { recorded: action };
      }
      case 'restored': {
        // The start step took each resource out of the ledger as it saw it back; what is left could not
        // be restored, stays for the sweep to retry, and the email names it.
        const outstanding = (await store.ledger.list(keyArn)).length;
        await store.outcomes.record(keyArn, 'restored', executionName);
        recordTimeToOutcome('SecondsToRestore', clock(), eventTime);
        logger.info('Restore recorded', { outstanding });
        return { recorded: action, outstanding };
      }
      case 'failed': {
        await store.outcomes.recordFailure(
          keyArn,
          executionName,
          error?.Error ?? 'Unknown',
          error?.Cause ?? '',
        );
        logger.error('Workflow failure recorded', { error });
        return { recorded: action };
      }
    }
  };

  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LedgerInput }));
}

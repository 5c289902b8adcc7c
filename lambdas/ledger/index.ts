import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, metrics, observability } from '../shared/observability';
import { StepError, StepInput } from '../shared/step-input';
import { recordFailure, recordOutcome } from '../shared/store/key-state';
import { clearLedger, listLedger } from '../shared/store/ledger';

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
function recordTimeToOutcome(metricName: 'SecondsToShutdown' | 'SecondsToRestore', eventTime?: string): void {
  const changedAt = eventTime === undefined ? Number.NaN : Date.parse(eventTime);
  if (Number.isNaN(changedAt)) return;
  const seconds = Math.max(0, (Date.now() - changedAt) / 1000);
  metrics.addMetric(metricName, MetricUnit.Seconds, seconds);
  logger.info('Time from the key change to the outcome', { metric: metricName, seconds });
}

/**
 * Records a workflow's outcome for the key. The per-resource entries are written by the stop step
 * itself, before each stop call, so that a crash between the call and this step loses nothing; this
 * step marks the shutdown complete, forgets the entries once everything runs again, or keeps the failure.
 */
const lambdaHandler = async ({ keyArn, executionName, action, error, eventTime }: LedgerInput) => {
  switch (action) {
    case 'shutdown-complete': {
      await recordOutcome(keyArn, 'shut-down', executionName);
      recordTimeToOutcome('SecondsToShutdown', eventTime);
      logger.info('Shutdown recorded');
      return { recorded: action };
    }
    case 'restored': {
      const entries = await listLedger(keyArn);
      await clearLedger(
        keyArn,
        entries.map((entry) => entry.resourceArn),
      );
      await recordOutcome(keyArn, 'restored', executionName);
      recordTimeToOutcome('SecondsToRestore', eventTime);
      logger.info('Restore recorded, ledger cleared', { cleared: entries.length });
      return { recorded: action, cleared: entries.length };
    }
    case 'failed': {
      await recordFailure(keyArn, executionName, error?.Error ?? 'Unknown', error?.Cause ?? '');
      logger.error('Workflow failure recorded', { error });
      return { recorded: action };
    }
  }
};

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: LedgerInput }));

import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger, observability } from '../shared/observability';
import { StepError, StepInput } from '../shared/step-input';
import { recordFailure, recordOutcome } from '../shared/store/key-state';
import { clearLedger, listLedger } from '../shared/store/ledger';

const LedgerInput = StepInput.extend({
  action: z.enum(['shutdown-complete', 'restored', 'failed']),
  error: StepError.optional(),
});
type LedgerInput = z.infer<typeof LedgerInput>;

/**
 * Records a workflow's outcome for the key. The per-resource entries are written by the stop step
 * itself, before each stop call, so that a crash between the call and this step loses nothing; this
 * step marks the shutdown complete, forgets the entries once everything runs again, or keeps the failure.
 */
const lambdaHandler = async ({ keyArn, executionName, action, error }: LedgerInput) => {
  switch (action) {
    case 'shutdown-complete': {
      await recordOutcome(keyArn, 'shut-down', executionName);
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

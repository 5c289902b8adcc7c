import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';

// Only gives leases back: the run takes its lease in the same step that checks the key
// (describe-key, shared/take-lease.ts), one Lambda hop fewer before the first stop or start.
const LeaseInput = StepInput.extend({ action: z.literal('release') });
type LeaseInput = z.infer<typeof LeaseInput>;

/** Gives the key's lease back if this run (its execution name is the owner) still holds it. */
export function createLeaseHandler({ store }: Pick<ReactorParts, 'store'>) {
  const lambdaHandler = async ({ keyArn, executionName }: LeaseInput) => {
    const released = await store.leases.release(keyArn, executionName);
    logger.info(released ? 'Lease released' : 'Lease was no longer ours, nothing to release');
    return { released };
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LeaseInput }));
}

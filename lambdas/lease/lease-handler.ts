import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';

const LeaseInput = StepInput.extend({ action: z.enum(['acquire', 'release']) });
type LeaseInput = z.infer<typeof LeaseInput>;

/** Takes or gives back the key's lease; the execution name is the owner. */
export function createLeaseHandler({ store }: Pick<ReactorParts, 'store'>) {
  const lambdaHandler = async ({ keyArn, executionName, action }: LeaseInput) => {
    if (action === 'acquire') {
      const lease = await store.leases.acquire(keyArn, executionName);
      logger.info('Lease taken', { expiresAt: lease.expiresAt });
      return lease;
    }
    const released = await store.leases.release(keyArn, executionName);
    logger.info(released ? 'Lease released' : 'Lease was no longer ours, nothing to release');
    return { released };
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LeaseInput }));
}

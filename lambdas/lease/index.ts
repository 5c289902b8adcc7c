import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { config } from '../shared/config';
import { logger, observability } from '../shared/observability';
import { StepInput } from '../shared/step-input';
import { acquireLease, releaseLease } from '../shared/store/lease';

const LeaseInput = StepInput.extend({ action: z.enum(['acquire', 'release']) });
type LeaseInput = z.infer<typeof LeaseInput>;

/** Takes or gives back the key's lease; the execution name is the owner. */
const lambdaHandler = async ({ keyArn, executionName, action }: LeaseInput) => {
  if (action === 'acquire') {
    const lease = await acquireLease(keyArn, executionName, config.leaseSeconds());
    logger.info('Lease taken', { expiresAt: lease.expiresAt });
    return lease;
  }
  const released = await releaseLease(keyArn, executionName);
  logger.info(released ? 'Lease released' : 'Lease was no longer ours, nothing to release');
  return { released };
};

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: LeaseInput }));

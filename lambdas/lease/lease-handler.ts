import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';

const LeaseInput = z.discriminatedUnion('action', [
  StepInput.extend({
    action: z.literal('acquire'),
    executionArn: z.string().min(1),
    /** When the change this run handles happened: a newer one makes this run stale. */
    eventTime: z.string().min(1),
  }),
  StepInput.extend({ action: z.literal('release') }),
]);
type LeaseInput = z.infer<typeof LeaseInput>;

/**
 * Takes or gives back the key's lease; the execution name is the owner. Taking it also says whether
 * this run still handles the key's newest change (`current`): a run made stale by a newer event exits
 * without acting.
 */
export function createLeaseHandler({ store, stepFunctions }: Pick<ReactorParts, 'store' | 'stepFunctions'>) {
  /** Whether the execution holding a lease still runs; one that Step Functions no longer knows does not. */
  const isRunning = async (executionArn: string): Promise<boolean> => {
    try {
      const { status } = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'RUNNING';
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  };

  const lambdaHandler = async (input: LeaseInput) => {
    const { keyArn, executionName } = input;
    if (input.action === 'release') {
      const released = await store.leases.release(keyArn, executionName);
      logger.info(released ? 'Lease released' : 'Lease was no longer ours, nothing to release');
      return { released };
    }
    const lease = await store.leases.acquire(keyArn, executionName, input.executionArn, isRunning);
    const current = await store.keyEvents.isCurrent(keyArn, { eventTime: input.eventTime, executionName });
    logger.info(current ? 'Lease taken' : 'Lease taken, but a newer change of the key arrived', {
      expiresAt: lease.expiresAt,
    });
    return { ...lease, current };
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LeaseInput }));
}

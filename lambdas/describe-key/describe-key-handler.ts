import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';

type DescribeKeyInput = z.infer<typeof StepInput>;

/**
 * Reads the key's real state, which decides what the workflow does: events are only hints. Only an
 * Enabled key is usable; Disabled, PendingDeletion, PendingImport, Unavailable and a deleted key are not.
 * Seeing the key usable also ends its unusable episode, so that the next change that makes it unusable
 * is announced again (store/email-log.ts).
 */
export function createDescribeKeyHandler({ keys, store }: Pick<ReactorParts, 'keys' | 'store'>) {
  const lambdaHandler = async ({ keyArn }: DescribeKeyInput) => {
    const state = await keys.state(keyArn);
    if (state.usable) await store.emailLog.keySeenUsable(keyArn);
    logger.info(
      state.keyState === 'NotFound' ? 'Key not found: deleted, or never existed' : 'Key state read',
      { ...state },
    );
    return state;
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: StepInput }));
}

import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { checkKey } from '../shared/key-check';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';
import { POLICY_ACTIONS } from '../shared/store/policy';

const DescribeKeyInput = StepInput.extend({
  /** The execution's trigger: a CMK Deletion event is the evidence that a key KMS cannot find was deleted. */
  trigger: z.string().min(1),
  /** The key's policy as read before the grace period (the disable workflow). */
  policyAction: z.enum(POLICY_ACTIONS).optional(),
});
type DescribeKeyInput = z.infer<typeof DescribeKeyInput>;

/**
 * Reads the key's real state, which decides what the workflow does: events are only hints. Only an
 * Enabled key is usable; Disabled, PendingDeletion, PendingImport, Unavailable and a deleted key are not.
 * Seeing the key usable also ends its unusable episode, so that the next change that makes it unusable
 * is announced again (store/email-log.ts). Says what the workflow may do now (`action`).
 */
export function createDescribeKeyHandler({ keys, store }: Pick<ReactorParts, 'keys' | 'store'>) {
  const lambdaHandler = async ({ keyArn, trigger, policyAction }: DescribeKeyInput) => {
    const key = await checkKey({ keys, store }, keyArn, { deletionEvent: trigger === 'KMS CMK Deletion' });
    if (key.usable) await store.emailLog.keySeenUsable(keyArn);
    const state = {
      keyState: key.keyState,
      usable: key.usable,
      deleted: key.deleted,
      action: policyAction ?? 'shutdown',
      heldBack: null,
    };
    logger.info(key.deleted ? 'Key deleted' : 'Key state read', state);
    return state;
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: DescribeKeyInput }));
}

import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { LIMITS } from '../shared/contract';
import { InvalidInputError } from '../shared/errors';
import type { RegisteredResource } from '../shared/model';
import { logger, observability } from '../shared/observability';
import { PacedOutError } from '../shared/pacing/pacer';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';

const ListInput = StepInput.extend({
  /** The grace period the reactor is deployed with: a key without its own gets this one. */
  deployedGraceSeconds: z.number().int().min(0).max(LIMITS.maxGraceSeconds).optional(),
  /** The run's trigger: a run for revoked access acts as the key's `onAccessDenied` says. */
  trigger: z.string().optional(),
});
type ListInput = z.infer<typeof ListInput>;

/**
 * Counts the key's registered resources per layer (what a shutdown concerns; counts only: lists stay out
 * of the state), and reads the key's policy: how long the grace period is (the key's own, or the
 * deployed one) and what happens after it (`shutdown` or `alert-only`; for a run started because access
 * was revoked, the key's `onAccessDenied`). What the reactor stopped, which a restore concerns, is counted
 * by the enable run's first step (describe-key).
 */
export function createListResourcesHandler({
  store,
  resources: keyResources,
  clock,
}: Pick<ReactorParts, 'store' | 'resources' | 'clock'>) {
  const lambdaHandler = async ({ keyArn, deployedGraceSeconds, trigger }: ListInput) => {
    let resources: RegisteredResource[];
    try {
      resources = await keyResources.list(keyArn);
    } catch (error) {
      // Held back by the pacer (many keys changed at once): no count at all, never a count of zero,
      // which would end the run as "nothing registered". The workflow waits for the bucket and asks again.
      if (!(error instanceof PacedOutError)) throw error;
      const paceSeconds = Math.max(1, Math.ceil(error.waitMs / 1000));
      logger.info('Resources not counted yet: waiting for the rate limits', { paceSeconds });
      return { paceSeconds };
    }
    const policy = await store.registry.policy(keyArn);
    const services = resources.filter((resource) => resource.layer === 'service').length;
    const graceSeconds = policy.graceSeconds ?? deployedGraceSeconds;
    if (graceSeconds === undefined) {
      throw new InvalidInputError(
        'deployedGraceSeconds is required when the key has no grace period of its own',
      );
    }
    const counts = {
      services,
      servers: resources.length - services,
      total: resources.length,
      action: trigger === 'KeyAccessRevoked' ? policy.onAccessDenied : policy.action,
      graceSeconds,
      graceFrom: policy.graceSeconds === undefined ? 'deployment' : 'key',
      // Counted from now, the start of the run: the Wait ends then however long the first email takes.
      stopAt: new Date(clock().getTime() + graceSeconds * 1000).toISOString(),
    } as const;
    logger.info('Registered resources counted, policy read', counts);
    return counts;
  };

  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: ListInput }));
}

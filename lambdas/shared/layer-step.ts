import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { type ConvergeParts, converge, type Target } from './converge';
import { RESOURCE_KINDS } from './model';
import { observability } from './observability';
import { LayerStepInput, SkippedResource } from './step-input';
import { Budget, DEFAULT_TIME_BOX } from './time-box';

const LayerStep = LayerStepInput.extend({
  /**
   * Given by the poll loop's check: the observations made so far. -1 from the Pass after a layer's lanes:
   * the look at once that follows them comes right after the calls, as the acting pass does, so it counts
   * as attempt 0 and waits the whole settle time of what is pending (a check after a wait, a quarter).
   */
  attempt: z.number().int().min(-1).optional(),
  /** Given when a pass goes on where the last invocation's time box ended: its cursor and counts. */
  cursor: z
    .string()
    .min(1)
    .nullish()
    .transform((value) => value ?? undefined),
  /** Given by a Map iteration: the kind of its lane. */
  kind: z.enum(RESOURCE_KINDS).optional(),
  /** Given by a layer's first step: a large layer of several kinds comes back as lanes for a Map. */
  fanOut: z.boolean().optional(),
  carried: z
    .object({
      changed: z.number().int().min(0),
      pending: z.number().int().min(0),
      skipped: z.array(SkippedResource),
    })
    .optional(),
});
type LayerStep = z.infer<typeof LayerStep>;

/**
 * The turn of the poll loop a call is: 0 for a layer's first step (no attempt given) and for the look at
 * once after its lanes (-1 given), which both follow the calls, so their wait is a whole settle time; one
 * more for each check after a wait; the same turn for a call that goes on with a pass.
 */
export function turnOf({
  attempt,
  cursor,
  carried,
}: {
  readonly attempt?: number;
  readonly cursor?: string;
  readonly carried?: LayerStep['carried'];
}): number {
  if (attempt === undefined) return 0;
  return cursor === undefined && carried === undefined ? attempt + 1 : attempt;
}

/**
 * The step that moves one layer of a key's resources toward `target`, and the workflow's poll of it:
 * each call observes the layer again, moves anything that can move now (a resource caught
 * mid-transition is not left behind) and counts the turn. A call that goes on with a pass (`cursor`,
 * or the counts `carried` from its start) is the same turn, not a new one. Deployed twice, as the stop function and the start function, each
 * with only the permissions of its direction.
 */
export function createLayerStep(parts: ConvergeParts, target: Target) {
  const lambdaHandler = async (
    { keyArn, executionName, layer, attempt, cursor, kind, fanOut, carried }: LayerStep,
    context: Context,
  ) =>
    converge(parts, {
      keyArn,
      executionName,
      layer,
      target,
      attempt: turnOf({ attempt, cursor, carried }),
      cursor,
      kind,
      fanOut,
      carried,
      budget: new Budget(parts.timeBox ?? DEFAULT_TIME_BOX, context.getRemainingTimeInMillis()),
    });
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LayerStep }));
}

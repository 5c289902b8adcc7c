import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { type ConvergeParts, converge, type Target } from './converge';
import { observability } from './observability';
import { LayerStepInput } from './step-input';

const LayerStep = LayerStepInput.extend({
  /** Given by the poll loop's check: the observations made so far. */
  attempt: z.number().int().min(0).optional(),
});
type LayerStep = z.infer<typeof LayerStep>;

/**
 * The step that moves one layer of a key's resources toward `target`, and the workflow's poll of it:
 * each call observes the layer again, moves anything that can move now (a resource caught
 * mid-transition is not left behind) and counts the turn. Deployed twice, as the stop function and the
 * start function, each with only the permissions of its direction.
 */
export function createLayerStep(parts: ConvergeParts, target: Target) {
  const lambdaHandler = async ({ keyArn, executionName, layer, attempt }: LayerStep) =>
    converge(parts, {
      keyArn,
      executionName,
      layer,
      target,
      attempt: attempt === undefined ? 0 : attempt + 1,
    });
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: LayerStep }));
}

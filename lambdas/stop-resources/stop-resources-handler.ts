import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { type ConvergeParts, converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const StopInput = LayerStepInput.extend({
  /** Given by the poll loop's check: the observations made so far. */
  attempt: z.number().int().min(0).optional(),
});
type StopInput = z.infer<typeof StopInput>;

/**
 * Stops one layer of the key's registered resources, remembering in the ledger how to restore each. The same step is the workflow's
 * poll: each call observes the layer again, moves anything that can move now (a resource caught
 * mid-transition is not left behind) and counts the turn.
 */
export function createStopHandler(parts: ConvergeParts) {
  const lambdaHandler = async ({ keyArn, executionName, layer, attempt }: StopInput) =>
    converge(parts, {
      keyArn,
      executionName,
      layer,
      target: 'stopped',
      attempt: attempt === undefined ? 0 : attempt + 1,
    });
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: StopInput }));
}

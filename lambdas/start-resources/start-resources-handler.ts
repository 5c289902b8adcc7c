import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { type ConvergeParts, converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const StartInput = LayerStepInput.extend({
  /** Given by the poll loop's check: the observations made so far. */
  attempt: z.number().int().min(0).optional(),
});
type StartInput = z.infer<typeof StartInput>;

/**
 * Starts one layer of the resources the reactor stopped, as the ledger remembers them. The same step is the workflow's
 * poll: each call observes the layer again, moves anything that can move now (a resource caught
 * mid-transition is not left behind) and counts the turn.
 */
export function createStartHandler(parts: ConvergeParts) {
  const lambdaHandler = async ({ keyArn, executionName, layer, attempt }: StartInput) =>
    converge(parts, {
      keyArn,
      executionName,
      layer,
      target: 'running',
      attempt: attempt === undefined ? 0 : attempt + 1,
    });
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: StartInput }));
}

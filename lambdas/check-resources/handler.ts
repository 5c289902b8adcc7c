import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { type ConvergeParts, converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const CheckInput = LayerStepInput.extend({
  target: z.enum(['stopped', 'running']),
  attempt: z.number().int().min(0),
});
type CheckInput = z.infer<typeof CheckInput>;

/** One turn of the poll loop (being folded into the stop and start steps). */
export function createCheckHandler(parts: ConvergeParts) {
  const lambdaHandler = async ({ keyArn, executionName, layer, target, attempt }: CheckInput) =>
    converge(parts, { keyArn, executionName, layer, target, attempt: attempt + 1 });
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: CheckInput }));
}

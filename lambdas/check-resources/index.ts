import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const CheckInput = LayerStepInput.extend({
  target: z.enum(['stopped', 'running']),
  attempt: z.number().int().min(0),
});
type CheckInput = z.infer<typeof CheckInput>;

/**
 * One turn of the poll loop: observes the layer again and counts the turn. It also moves anything
 * that can move now (an RDS instance that was backing up when the stop came, an instance that was
 * still stopping when the start came), so a resource caught mid-transition is not left behind.
 */
const lambdaHandler = async ({ keyArn, executionName, layer, target, attempt }: CheckInput) =>
  converge({ keyArn, executionName, layer, target, attempt: attempt + 1 });

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: CheckInput }));

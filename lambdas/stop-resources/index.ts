import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const StopInput = LayerStepInput.extend({ attempt: z.number().int().min(0).optional() });
type StopInput = z.infer<typeof StopInput>;

/**
 * Stops one layer of the key's registered resources, remembering in the ledger how to restore each.
 * The poll loop calls it again with the last `attempt`: each call observes the layer anew and moves
 * what can move now (an RDS instance that was backing up when the stop came), and counts one turn more.
 */
const lambdaHandler = async ({ keyArn, executionName, layer, attempt }: StopInput) =>
  converge({
    keyArn,
    executionName,
    layer,
    target: 'stopped',
    attempt: attempt === undefined ? 0 : attempt + 1,
  });

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: StopInput }));

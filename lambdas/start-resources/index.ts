import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

const StartInput = LayerStepInput.extend({ attempt: z.number().int().min(0).optional() });
type StartInput = z.infer<typeof StartInput>;

/**
 * Starts one layer of the resources the reactor stopped, as the ledger remembers them. The poll loop
 * calls it again with the last `attempt`: each call observes the layer anew and moves what can move now
 * (an instance that was still stopping when the start came), and counts one turn more.
 */
const lambdaHandler = async ({ keyArn, executionName, layer, attempt }: StartInput) =>
  converge({
    keyArn,
    executionName,
    layer,
    target: 'running',
    attempt: attempt === undefined ? 0 : attempt + 1,
  });

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: StartInput }));

import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

type StartInput = z.infer<typeof LayerStepInput>;

/** Starts one layer of the resources the reactor stopped, as the ledger remembers them. */
const lambdaHandler = async ({ keyArn, executionName, layer }: StartInput) =>
  converge({ keyArn, executionName, layer, target: 'running', attempt: 0 });

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: LayerStepInput }));

import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { converge } from '../shared/converge';
import { observability } from '../shared/observability';
import { LayerStepInput } from '../shared/step-input';

type StopInput = z.infer<typeof LayerStepInput>;

/** Stops one layer of the key's registered resources, remembering in the ledger how to restore each. */
const lambdaHandler = async ({ keyArn, executionName, layer }: StopInput) =>
  converge({ keyArn, executionName, layer, target: 'stopped', attempt: 0 });

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: LayerStepInput }));

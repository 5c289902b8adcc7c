import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger, observability } from '../shared/observability';
import { StepInput } from '../shared/step-input';
import { listLedger } from '../shared/store/ledger';
import { listRegistered } from '../shared/store/registry';

const ListInput = StepInput.extend({ source: z.enum(['registry', 'ledger']) });
type ListInput = z.infer<typeof ListInput>;

/**
 * Counts the key's resources per layer: the registered ones (what a shutdown concerns) or the ledger's
 * (what the reactor itself stopped, so what a restore concerns). Counts only: lists stay out of the state.
 */
const lambdaHandler = async ({ keyArn, source }: ListInput) => {
  const resources = source === 'registry' ? await listRegistered(keyArn) : await listLedger(keyArn);
  const services = resources.filter((resource) => resource.layer === 'service').length;
  const servers = resources.length - services;
  logger.info(
    source === 'registry' ? 'Registered resources counted' : 'Resources the reactor stopped counted',
    {
      services,
      servers,
    },
  );
  return { services, servers, total: resources.length };
};

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: ListInput }));

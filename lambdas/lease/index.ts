import { buildStepFunctions, buildStore, fromEnvironment } from '../shared/parts';
import { createLeaseHandler } from './lease-handler';

const source = fromEnvironment(process.env);
export const handler = createLeaseHandler({
  store: buildStore(source),
  stepFunctions: buildStepFunctions(source),
});

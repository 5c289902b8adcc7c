import { buildKeyResources, buildStore, fromEnvironment } from '../shared/parts';
import { createListResourcesHandler } from './list-resources-handler';

const source = fromEnvironment(process.env);
const store = buildStore(source);
export const handler = createListResourcesHandler({
  store,
  resources: buildKeyResources(source, store),
  clock: source.clock,
});

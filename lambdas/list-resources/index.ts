import { buildStore, fromEnvironment } from '../shared/parts';
import { createListResourcesHandler } from './list-resources-handler';

const source = fromEnvironment(process.env);
export const handler = createListResourcesHandler({ store: buildStore(source), clock: source.clock });

import { buildStore, fromEnvironment } from '../shared/parts';
import { createListResourcesHandler } from './list-resources-handler';

export const handler = createListResourcesHandler({ store: buildStore(fromEnvironment(process.env)) });

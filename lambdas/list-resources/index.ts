import { buildStore, fromEnvironment } from '../shared/parts';
import { createListResourcesHandler } from './handler';

export const handler = createListResourcesHandler({ store: buildStore(fromEnvironment(process.env)) });

import { buildStore, fromEnvironment } from '../shared/parts';
import { createLeaseHandler } from './lease-handler';

export const handler = createLeaseHandler({ store: buildStore(fromEnvironment(process.env)) });

import { buildConvergeParts, fromEnvironment } from '../shared/parts';
import { createStartHandler } from './start-resources-handler';

export const handler = createStartHandler(buildConvergeParts(fromEnvironment(process.env), 'start'));

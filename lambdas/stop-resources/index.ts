import { buildConvergeParts, fromEnvironment } from '../shared/parts';
import { createStopHandler } from './stop-resources-handler';

export const handler = createStopHandler(buildConvergeParts(fromEnvironment(process.env), 'stop'));

import { buildDrivers, buildStore, fromEnvironment } from '../shared/parts';
import { createStopHandler } from './stop-resources-handler';

const source = fromEnvironment(process.env);
export const handler = createStopHandler({
  store: buildStore(source),
  drivers: buildDrivers(source),
  managedTag: source.settings.managedTag,
  clock: source.clock,
});

import { buildDrivers, buildStore, fromEnvironment } from '../shared/parts';
import { createStartHandler } from './start-resources-handler';

const source = fromEnvironment(process.env);
export const handler = createStartHandler({
  store: buildStore(source),
  drivers: buildDrivers(source),
  managedTag: source.settings.managedTag,
  clock: source.clock,
});

import { buildDrivers, buildStore, fromEnvironment } from '../shared/parts';
import { createCheckHandler } from './handler';

const source = fromEnvironment(process.env);
export const handler = createCheckHandler({
  store: buildStore(source),
  drivers: buildDrivers(source),
  managedTag: source.settings.managedTag,
  clock: source.clock,
});

import {
  buildDependentFinder,
  buildDrivers,
  buildEventBridge,
  buildKeyReader,
  buildKeyResources,
  buildMailer,
  buildNotifier,
  buildPublisher,
  buildStepFunctions,
  buildStore,
  fromEnvironment,
} from '../shared/parts';
import { createSweepHandler } from './sweep-handler';

const source = fromEnvironment(process.env);
const store = buildStore(source);
export const handler = createSweepHandler({
  settings: source.settings,
  store,
  resources: buildKeyResources(source, store),
  keys: buildKeyReader(source),
  // The sweep only describes: its reads are paced by this function's own buckets, not the table's,
  // which the stop and start steps' writes need.
  drivers: buildDrivers({ ...source, settings: { ...source.settings, pacing: 'local' } }),
  dependents: buildDependentFinder(source),
  mailer: buildMailer(source),
  notifier: buildNotifier(source),
  publisher: buildPublisher(source),
  eventBridge: buildEventBridge(source),
  stepFunctions: buildStepFunctions(source),
  clock: source.clock,
});

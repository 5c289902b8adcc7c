/** The target of the EventBridge rules: one KMS event in, at most one workflow execution started. */
import {
  buildKeyReader,
  buildNotifier,
  buildStepFunctions,
  buildStore,
  fromEnvironment,
} from '../shared/parts';
import { createDispatcherHandler } from './dispatcher-handler';

export type { DispatchResult } from './dispatcher-handler';

const source = fromEnvironment(process.env);
export const handler = createDispatcherHandler({
  settings: source.settings,
  stepFunctions: buildStepFunctions(source),
  store: buildStore(source),
  keys: buildKeyReader(source),
  notifier: buildNotifier(source),
});

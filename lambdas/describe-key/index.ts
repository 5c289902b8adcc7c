import {
  buildGuard,
  buildKeyReader,
  buildNotifier,
  buildStepFunctions,
  buildStore,
  fromEnvironment,
} from '../shared/parts';
import { createDescribeKeyHandler } from './describe-key-handler';

const source = fromEnvironment(process.env);
const store = buildStore(source);
export const handler = createDescribeKeyHandler({
  keys: buildKeyReader(source),
  store,
  guard: buildGuard(source, store),
  notifier: buildNotifier(source),
  // Asked only whether the execution holding a taken lease has ended.
  stepFunctions: buildStepFunctions(source),
  clock: source.clock,
});

import { buildGuard, buildKeyReader, buildNotifier, buildStore, fromEnvironment } from '../shared/parts';
import { createDescribeKeyHandler } from './describe-key-handler';

const source = fromEnvironment(process.env);
const store = buildStore(source);
export const handler = createDescribeKeyHandler({
  keys: buildKeyReader(source),
  store,
  guard: buildGuard(source, store),
  notifier: buildNotifier(source),
  clock: source.clock,
});

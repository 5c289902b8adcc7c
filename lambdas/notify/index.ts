import {
  buildKeyReader,
  buildKeyResources,
  buildMailer,
  buildNotifier,
  buildPublisher,
  buildStore,
  fromEnvironment,
} from '../shared/parts';
import { createNotifyHandler } from './notify-handler';

const source = fromEnvironment(process.env);
const store = buildStore(source);
export const handler = createNotifyHandler({
  store,
  resources: buildKeyResources(source, store),
  keys: buildKeyReader(source),
  mailer: buildMailer(source),
  notifier: buildNotifier(source),
  publisher: buildPublisher(source),
  clock: source.clock,
});

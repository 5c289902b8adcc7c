import {
  buildKeyReader,
  buildMailer,
  buildNotifier,
  buildPublisher,
  buildStore,
  fromEnvironment,
} from '../shared/parts';
import { createNotifyHandler } from './notify-handler';

const source = fromEnvironment(process.env);
export const handler = createNotifyHandler({
  store: buildStore(source),
  keys: buildKeyReader(source),
  mailer: buildMailer(source),
  notifier: buildNotifier(source),
  publisher: buildPublisher(source),
  clock: source.clock,
});

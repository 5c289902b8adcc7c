import { buildKeyReader, buildStore, fromEnvironment } from '../shared/parts';
import { createDescribeKeyHandler } from './describe-key-handler';

const source = fromEnvironment(process.env);
export const handler = createDescribeKeyHandler({ keys: buildKeyReader(source), store: buildStore(source) });

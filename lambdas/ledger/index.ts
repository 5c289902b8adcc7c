import { buildStore, fromEnvironment } from '../shared/parts';
import { createLedgerHandler } from './ledger-handler';

const source = fromEnvironment(process.env);
export const handler = createLedgerHandler({ store: buildStore(source), clock: source.clock });

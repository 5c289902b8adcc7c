import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { sample } from '../support/samples';

/** The disable run whose emails the notify tests send: the sample CLI DisableKey, parsed as the dispatcher does. */
export const EXECUTION_ARN =
  'arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:disable-1234abcd-20261122T152233Z-3f1b8c9e';
export const event = parseKeyEvent(sample('disable-key-cli.json'), { allowedAccounts: [] });
export const KEY_ARN = event.keyArn;
/** The key's partition in the table. */
export const PK = `KEY#${KEY_ARN}`;

/**
 * The daily warning, days 4 to 7, about an RDS database that lost its key: RDS keeps it recoverable for
 * 7 days, then only a restore from a backup brings it back.
 */

import { keyIdOf, resourceIdOf } from '../../arn';
import { commandTarget, describeCommand } from '../aws-cli';
import { commands, type Email, facts, heading, list, paragraph } from '../blocks';
import type { DatabaseWarningContext } from '../types';
import { dueIn, formatTime, keyLabel } from '../wording';
import { noCommand } from './key-warning';

export function databaseUnrecoverable(context: DatabaseWarningContext): Email {
  const { keyArn, database, unrecoverableAt, day, now } = context;
  const key = keyLabel(keyIdOf(keyArn));
  const id = resourceIdOf(database.resourceArn);
  const when = formatTime(unrecoverableAt);
  const target = commandTarget(keyArn, context.region);
  return {
    subject: `Database ${id} on key ${key}: unrecoverable on ${when} unless the key is restored`,
    title: `Database ${id} becomes unrecoverable at ${when}`,
    blocks: [
      paragraph(
        `The RDS database ${database.resourceArn} cannot use the customer key ${keyArn}: RDS reports it ` +
          'inaccessible-encryption-credentials-recoverable. RDS keeps it recoverable for 7 days. Unless the key ' +
          `is usable again before ${when} (${dueIn(unrecoverableAt, now)}), RDS marks it ` +
          'inaccessible-encryption-credentials, and it can then only be restored from a backup.',
      ),
      facts([
        ['Database', database.resourceArn],
        ['Kind', database.kind],
        ['Unrecoverable at', when],
        ['Day', `${day} of 7`],
      ]),
      heading('What to do before then'),
      list([
        'Make the key usable again: enable it, cancel its deletion, or import its key material again, ' +
          'whichever made it unusable.',
        'Once the key is usable, the reactor starts the database again by itself and emails you when it is back.',
      ]),
      ...(target
        ? [paragraph("The key's state now:"), ...commands([describeCommand(target)])]
        : [noCommand('look at the key in the KMS console of the account that owns it')]),
      paragraph(
        `This warning is sent once a day from day 4 of the 7 until the key is usable again or the database is ` +
          'past saving.',
      ),
    ],
  };
}

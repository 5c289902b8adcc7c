/**
 * The daily warning, days 4 to 7, about an RDS database that lost its key: RDS keeps it recoverable for
 * 7 days, then only a restore from a backup brings it back.
 */

import { keyIdOf, resourceIdOf, shortKeyId } from '../../arn';
import { commandTarget, describeCommand } from '../aws-cli';
import { commands, type Email, facts, heading, list, paragraph } from '../blocks';
import type { DatabaseWarningContext } from '../types';
import { noCommand } from './key-warning';
import { wordsFor } from './words';

export function databaseUnrecoverable(context: DatabaseWarningContext): Email {
  const { keyArn, database, unrecoverableAt, day, now } = context;
  const { w, arn } = wordsFor(keyIdOf(keyArn), keyArn, context.language, context.keyAlias);
  // The subject reads `on key 1234abcd (alias/orders)`: the key's name, without the wording's `Key `.
  const keyName = `${shortKeyId(keyIdOf(keyArn))}${context.keyAlias ? ` (${context.keyAlias})` : ''}`;
  const s = w.databaseUnrecoverable;
  const id = resourceIdOf(database.resourceArn);
  const when = w.time(unrecoverableAt);
  const target = commandTarget(keyArn, context.region);
  return {
    subject: s.subject(id, keyName, when),
    title: s.title(id, when),
    blocks: [
      paragraph(s.paragraph(database.resourceArn, arn, when, w.dueIn(unrecoverableAt, now))),
      facts([
        [s.database, database.resourceArn],
        [s.kind, database.kind],
        [s.unrecoverableAt, when],
        [s.day, s.dayOf(day)],
      ]),
      heading(s.whatToDo),
      list([...s.steps]),
      ...(target
        ? [paragraph(s.keyStateNow), ...commands([describeCommand(target)])]
        : [noCommand(w, s.inConsole)]),
      paragraph(s.daily),
    ],
  };
}

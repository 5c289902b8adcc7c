/** Warns ahead of the date KMS deletes a key, after which its data can never be decrypted again. */

import { cancelDeletionCommands } from '../aws-cli';
import { commands, type Email, heading, paragraph } from '../blocks';
import type { KeyWarningContext } from '../types';
import { dueOf, noCommand, oncePerThreshold } from './key-warning';
import { resourceTable, servicesFirst } from './resource-tables';

export function deletionPending(context: KeyWarningContext): Email {
  const { w, key, arn, when, due, alertOnly, target } = dueOf(context);
  const s = w.deletionPending;
  return {
    subject: s.subject(key, due, when),
    title: s.title(key, when),
    blocks: [
      paragraph(s.paragraph(arn, when, due)),
      // What to do comes first: cancelling the deletion in time is the only way to keep the data.
      heading(s.howToKeep),
      ...(target
        ? [
            paragraph(s.cancelThenEnable(when)),
            ...commands(cancelDeletionCommands(target)),
            paragraph(alertOnly ? s.afterEnableAlertOnly : s.afterEnable),
          ]
        : [noCommand(w, s.inConsole)]),
      paragraph(alertOnly ? s.alertOnly : s.shutdown),
      resourceTable(
        w,
        alertOnly ? w.tables.leftRunning : w.tables.stoppedOrToBe,
        servicesFirst(context.resources),
      ),
      oncePerThreshold(w, context, s.before),
    ],
  };
}

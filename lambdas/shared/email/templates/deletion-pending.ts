/** Warns ahead of the date KMS deletes a key, after which its data can never be decrypted again. */

import { cancelDeletionCommands } from '../aws-cli';
import { commands, type Email, heading, paragraph } from '../blocks';
import type { KeyWarningContext } from '../types';
import { dueOf, noCommand, oncePerThreshold } from './key-warning';
import { resourceTable, servicesFirst } from './resource-tables';

export function deletionPending(context: KeyWarningContext): Email {
  const { key, when, due, alertOnly, target } = dueOf(context);
  return {
    subject: `Key ${key} is scheduled for deletion ${due} (${when})`,
    title: `Key ${key} will be deleted at ${when}`,
    blocks: [
      paragraph(
        `The customer key ${context.keyArn} is scheduled for deletion: KMS deletes it at ${when} (${due}). Once KMS ` +
          'deletes the key, data encrypted under it can never be decrypted again, by anyone. This cannot be ' +
          'undone.',
      ),
      paragraph(
        alertOnly
          ? "A key pending deletion cannot be used. The key's policy is alert-only, so the reactor has left the " +
              'resources below running, without access to their data. Once the key is deleted, they can never ' +
              'read that data again.'
          : 'A key pending deletion cannot be used, so the reactor has stopped the resources below (or will, at ' +
              'the end of the grace period). While the key exists, they can come back; once it is deleted, they ' +
              'cannot be restored, because their data stays encrypted under a key that no longer exists.',
      ),
      resourceTable(
        alertOnly ? 'Resources left running' : 'Resources stopped, or to be stopped',
        servicesFirst(context.resources),
      ),
      heading('How to keep the key'),
      ...(target
        ? [
            paragraph(
              `Before ${when}, cancel the deletion, then enable the key (a key whose deletion is cancelled ` +
                'stays disabled):',
            ),
            ...commands(cancelDeletionCommands(target)),
            paragraph(
              alertOnly
                ? 'Once the key is enabled, the resources can decrypt their data again.'
                : 'Once the key is enabled, the reactor starts the resources it stopped, by itself, and emails ' +
                    'you when they are back.',
            ),
          ]
        : [
            noCommand(
              'cancel the deletion and enable the key in the KMS console of the account that owns it',
            ),
          ]),
      oncePerThreshold(context, 'before the key is deleted'),
    ],
  };
}

/** How to make a key usable again after what happened to it, with the exact AWS CLI commands. */

import type { KeyEvent } from '../../model';
import {
  cancelDeletionCommands,
  commandTarget,
  describeCommand,
  enableCommand,
  keyPolicyCommand,
  NO_EXPIRATION,
  REIMPORT_STEPS,
  reimportCommands,
} from '../aws-cli';

export interface Recovery {
  readonly summary: string;
  readonly commands: readonly string[];
}

export function recoveryOf(event: KeyEvent): Recovery {
  if (event.trigger === 'KMS CMK Deletion') {
    return {
      summary:
        'This cannot be undone: KMS has deleted the key, and data encrypted under it can no longer be ' +
        'decrypted. The resources stay stopped; restore them from backups that do not depend on this key, ' +
        "or remove them from the reactor's registry.",
      commands: [],
    };
  }
  const target = commandTarget(event.keyArn, event.region);
  if (!target) {
    return {
      summary:
        'The key ARN in the event is not well formed, so no command is given here: make the key usable again ' +
        'in the KMS console of the account that owns it.',
      commands: [],
    };
  }
  switch (event.trigger) {
    case 'ScheduleKeyDeletion':
      return {
        summary:
          'Cancel the deletion, then enable the key (a key whose deletion is cancelled stays disabled):',
        commands: cancelDeletionCommands(target),
      };
    case 'DeleteImportedKeyMaterial':
    case 'KMS Imported Key Material Expiration':
      return {
        summary:
          'Import the same key material again: only the material the key had can decrypt its data. ' +
          `${REIMPORT_STEPS}:`,
        commands: reimportCommands(target, NO_EXPIRATION),
      };
    case 'KeyFoundUnusable':
      // No event said what happened: describe-key tells, and each state has its own way back.
      return {
        summary:
          'See what happened to the key first (KeyState in the output). Disabled: enable it. PendingDeletion: ' +
          'cancel the deletion, then enable it. PendingImport: import the same key material again.',
        commands: [describeCommand(target), enableCommand(target)],
      };
    case 'KeyAccessRevoked':
      // The key is Enabled: what changed is who may use it, so enabling it would change nothing.
      return {
        summary:
          "Give the platform its access back: put back the key-policy statement (or the grant) that let the platform's " +
          'account use the key, kms:DescribeKey and kms:GenerateDataKeyWithoutPlaintext included. The reactor ' +
          'restarts what it stopped once its probe succeeds again:',
        commands: [keyPolicyCommand(target)],
      };
    default:
      return { summary: 'Enable the key:', commands: [enableCommand(target)] };
  }
}

/** How to make a key usable again after what happened to it, with the exact AWS CLI commands. */

import type { KeyEvent } from '../../model';
import {
  cancelDeletionCommands,
  commandTarget,
  describeCommand,
  enableCommand,
  keyPolicyCommand,
  NO_EXPIRATION,
  reimportCommands,
} from '../aws-cli';
import type { Wording } from '../i18n';

export interface Recovery {
  readonly summary: string;
  readonly commands: readonly string[];
}

export function recoveryOf(w: Wording, event: KeyEvent): Recovery {
  if (event.trigger === 'KMS CMK Deletion') return { summary: w.recovery.deleted, commands: [] };
  const target = commandTarget(event.keyArn, event.region);
  if (!target) return { summary: w.recovery.badArn, commands: [] };
  switch (event.trigger) {
    case 'ScheduleKeyDeletion':
      return { summary: w.recovery.cancelDeletion, commands: cancelDeletionCommands(target) };
    case 'DeleteImportedKeyMaterial':
    case 'KMS Imported Key Material Expiration':
      return { summary: w.recovery.reimport, commands: reimportCommands(target, NO_EXPIRATION) };
    case 'KeyFoundUnusable':
      // No event said what happened: describe-key tells, and each state has its own way back.
      return { summary: w.recovery.findOut, commands: [describeCommand(target), enableCommand(target)] };
    case 'KeyAccessRevoked':
      // The key is Enabled: what changed is who may use it, so enabling it would change nothing.
      return { summary: w.recovery.accessRevoked, commands: [keyPolicyCommand(target)] };
    default:
      return { summary: w.recovery.enable, commands: [enableCommand(target)] };
  }
}

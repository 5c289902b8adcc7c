/** What the two warnings share: they are sent ahead of a date KMS has set for a key, before anything happens. */

import { keyIdOf } from '../../arn';
import { commandTarget } from '../aws-cli';
import { type Block, paragraph } from '../blocks';
import type { KeyWarningContext } from '../types';
import { dueIn, formatTime, keyLabel } from '../wording';

export interface Due {
  readonly key: string;
  /** The date, `2026-11-29 19:22 UTC`. */
  readonly when: string;
  /** How far off it is, `in 7 days`. */
  readonly due: string;
  readonly alertOnly: boolean;
  /** The key's `--key-id … --region …`, or null when no command can be given safely. */
  readonly target: string | null;
}

export function dueOf(context: KeyWarningContext): Due {
  return {
    key: keyLabel(keyIdOf(context.keyArn)),
    when: formatTime(context.dueAt),
    due: dueIn(context.dueAt, context.now),
    alertOnly: context.action === 'alert-only',
    target: commandTarget(context.keyArn, context.region),
  };
}

/** Without a command safe to paste, the console of the key's account is the way: `todo` says what to do there. */
export function noCommand(todo: string): Block {
  return paragraph(
    `The key's ARN or Region in the registry is not well formed, so no command is given here: ${todo}.`,
  );
}

/** Said because the same key gets several of these, days apart. */
export function oncePerThreshold(context: KeyWarningContext, before: string): Block {
  return paragraph(
    `This is the ${context.thresholdDays}-day warning: it is sent once for each warning threshold ${before}.`,
  );
}

/** What the two warnings share: they are sent ahead of a date KMS has set for a key, before anything happens. */

import { keyIdOf } from '../../arn';
import { commandTarget } from '../aws-cli';
import { type Block, paragraph } from '../blocks';
import type { Wording } from '../i18n';
import type { KeyWarningContext } from '../types';
import { wordsFor } from './words';

export interface Due {
  readonly w: Wording;
  /** `Key 1234abcd (alias/orders)`. */
  readonly key: string;
  /** The key's ARN, with its alias beside it. */
  readonly arn: string;
  /** The date, `2026-11-29 19:22 UTC`. */
  readonly when: string;
  /** How far off it is, `in 7 days`. */
  readonly due: string;
  readonly alertOnly: boolean;
  /** The key's `--key-id … --region …`, or null when no command can be given safely. */
  readonly target: string | null;
}

export function dueOf(context: KeyWarningContext): Due {
  const { w, key, arn } = wordsFor(
    keyIdOf(context.keyArn),
    context.keyArn,
    context.language,
    context.keyAlias,
  );
  return {
    w,
    key,
    arn,
    when: w.time(context.dueAt),
    due: w.dueIn(context.dueAt, context.now),
    alertOnly: context.action === 'alert-only',
    target: commandTarget(context.keyArn, context.region),
  };
}

/** Without a command safe to paste, the console of the key's account is the way: `todo` says what to do there. */
export function noCommand(w: Wording, todo: string): Block {
  return paragraph(w.warnings.noCommand(todo));
}

/** Said because the same key gets several of these, days apart. */
export function oncePerThreshold(w: Wording, context: KeyWarningContext, before: string): Block {
  return paragraph(w.warnings.oncePerThreshold(context.thresholdDays, before));
}

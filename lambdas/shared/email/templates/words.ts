/** How every template names the key and what happened to it, in the language of the copy it writes. */

import { shortKeyId } from '../../arn';
import type { KeyEvent } from '../../model';
import type { PolicyLanguage } from '../../store/policy';
import { type Wording, wordingFor } from '../i18n';

export interface Words {
  readonly w: Wording;
  /** `Key 1234abcd (alias/orders)`. */
  readonly key: string;
  /** The key's ARN, with its alias beside it. */
  readonly arn: string;
}

export function wordsFor(
  keyId: string,
  keyArn: string,
  language: PolicyLanguage | undefined,
  alias: string | undefined,
): Words {
  const w = wordingFor(language);
  return { w, key: w.key(shortKeyId(keyId), alias), arn: alias ? `${keyArn} (${alias})` : keyArn };
}

/** The words of a workflow's email, which tells what an event did to the key. */
export interface EventWords extends Words {
  /** `Key 1234abcd disabled`. */
  readonly keyChanged: string;
  /** `The customer key <ARN> was disabled at <time>`. */
  readonly happened: string;
}

export function eventWords(
  event: KeyEvent,
  language: PolicyLanguage | undefined,
  alias: string | undefined,
): EventWords {
  const words = wordsFor(event.keyId, event.keyArn, language, alias);
  const change = words.w.changes[event.trigger];
  return {
    ...words,
    keyChanged: words.w.keyChanged(words.key, change),
    happened: words.w.whatHappened(words.arn, change, eventTime(words.w, event.eventTime)),
  };
}

/** An event's time as the wording writes times, or as the event gave it when it is not a date. */
export function eventTime(w: Wording, value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : w.time(date);
}

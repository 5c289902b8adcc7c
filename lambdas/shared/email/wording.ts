/**
 * The words the emails share: what each trigger did to a key, and how keys, counts, dates and durations
 * are written. Plain strings, some built from an event: the writers escape them.
 */

import { shortKeyId } from '../arn';
import type { KeyEvent, Trigger } from '../model';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What each trigger means for the people reading: a few words for a subject, and a sentence. */
const CHANGE: Readonly<Record<Trigger, { readonly subject: string; readonly sentence: string }>> = {
  DisableKey: { subject: 'disabled', sentence: 'was disabled' },
  ScheduleKeyDeletion: { subject: 'scheduled for deletion', sentence: 'was scheduled for deletion' },
  DeleteImportedKeyMaterial: {
    subject: 'key material deleted',
    sentence: 'had its imported key material deleted',
  },
  'KMS Imported Key Material Expiration': {
    subject: 'key material expired',
    sentence: 'had its imported key material expire',
  },
  'KMS CMK Deletion': { subject: 'deleted', sentence: 'was deleted by KMS at the end of its waiting period' },
  EnableKey: { subject: 'enabled', sentence: 'was enabled' },
  CancelKeyDeletion: { subject: 'deletion cancelled', sentence: 'had its scheduled deletion cancelled' },
  ImportKeyMaterial: { subject: 'key material imported', sentence: 'had its key material imported again' },
  KeyFoundUnusable: {
    subject: 'found unusable',
    sentence: 'was found unusable by the periodic sweep (no KMS event reached the reactor)',
  },
  PutKeyPolicy: { subject: 'key policy changed', sentence: 'had its key policy changed' },
  RevokeGrant: { subject: 'grant revoked', sentence: 'had a grant revoked' },
  RetireGrant: { subject: 'grant retired', sentence: 'had a grant retired' },
  KeyAccessRevoked: {
    subject: 'access revoked',
    sentence: 'can no longer be used by the platform: access was revoked (key policy or grant)',
  },
  KeyAccessRestored: {
    subject: 'access restored',
    sentence: 'can be used by the platform again: access was restored (key policy or grant)',
  },
  KeyFoundUsable: {
    subject: 'found usable again',
    sentence: 'was found usable again by the periodic sweep (no KMS event reached the reactor)',
  },
};

/** `Key 1234abcd disabled`: how a subject or a title starts. */
export function keyChanged(event: KeyEvent): string {
  return `Key ${keyLabel(event.keyId)} ${CHANGE[event.trigger].subject}`;
}

/** `The customer key <ARN> was disabled at 2026-11-22 15:22 UTC`: how the first paragraph starts. */
export function whatHappened(event: KeyEvent): string {
  return `The customer key ${event.keyArn} ${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)}`;
}

export function keyLabel(keyId: string): string {
  return shortKeyId(keyId);
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function needAttention(n: number): string {
  return `${count(n, 'resource')} ${n === 1 ? 'needs' : 'need'} attention`;
}

/** `2026-11-22 15:32 UTC`: unambiguous for readers in any time zone. */
export function formatTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `15:32 UTC`, for a subject: the date is the day the email arrives. */
export function formatClock(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

/** An event's time as formatTime writes it, or as the event gave it when it is not a date. */
export function formatEventTime(eventTime: string): string {
  const date = new Date(eventTime);
  return Number.isNaN(date.getTime()) ? eventTime : formatTime(date);
}

export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes === 0) return count(rest, 'second');
  return rest === 0 ? count(minutes, 'minute') : `${count(minutes, 'minute')} ${count(rest, 'second')}`;
}

/** `in 7 days`, `in 1 day`, `in less than a day`: the whole days left, rounded down. */
export function dueIn(dueAt: Date, now: Date): string {
  const left = dueAt.getTime() - now.getTime();
  if (left <= 0) return 'now';
  const days = Math.floor(left / DAY_MS);
  return days === 0 ? 'in less than a day' : `in ${count(days, 'day')}`;
}

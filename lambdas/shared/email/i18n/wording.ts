/**
 * Everything the emails say, as one interface that each language implements in full (en.ts, ja.ts), so
 * that a string missing in one language is a type error, not an English sentence in a Japanese email.
 * Plain strings, some built from an event: the writers escape them, never the wording.
 *
 * Adding a string: add it here with a line saying where it appears, then to every language. Adding a
 * language: add it to POLICY_LANGUAGES (store/policy.ts) and a file beside en.ts, listed in index.ts.
 */

import type { CannotStopReason } from '../../cannot-stop';
import type { Layer, Trigger } from '../../model';
import type { PolicyLanguage } from '../../store/policy';
import type { DigestRiskKind } from '../types';

/** What a trigger did to a key: a few words for a subject, and the verb phrase of a sentence. */
export interface Change {
  readonly subject: string;
  readonly sentence: string;
}

/** A date the reader must act by: when, as a date, and how far off, as a duration. */
export interface Deadline {
  readonly at: string;
  readonly in: string;
}

/**
 * Why the reactor left a key's resources running: its policy, a pause, the circuit breaker, or a
 * revocation of the platform's access not yet confirmed by a second check.
 */
export interface HeldBack {
  readonly tag: string;
  readonly title: string;
  readonly reason: string;
  readonly next: string;
}

/** The emails that name what the reactor cannot stop (templates/cannot-stop.ts). */
export type CannotStopMoment = 'grace-started' | 'shutdown-complete' | 'alert-only' | 'service-restored';

/** What the emails say of the resources the reactor cannot stop: ElastiCache, EFS, S3, RDS replicas. */
/** What the emails say of how long a large fleet takes to stop or start under AWS's rate limits (templates/estimate.ts). */
export interface EstimateWording {
  readonly heading: string;
  /**
   * `took`: the whole layer by layer time, as a duration; `bound`: the AWS call whose limit binds, with
   * how many go at once and how many a second after that.
   */
  stopping(took: string, bound: RateBound): string;
  starting(took: string, bound: RateBound): string;
}

/** The AWS call whose rate limit makes a fleet slow (lambdas/shared/rate-limits.ts). */
export interface RateBound {
  readonly operation: string;
  readonly burst: number;
  readonly perSecond: number;
  /** Whether the bucket meters resources (EC2's instances per call) rather than calls. */
  readonly perResource: boolean;
}

export interface CannotStopWording {
  readonly heading: string;
  /** The paragraph before the table: what it means at this point of the key's story. */
  intro(moment: CannotStopMoment): string;
  readonly caption: string;
  readonly columns: readonly [kind: string, name: string, arn: string, why: string];
  /** Why one resource cannot be stopped, in a table cell. */
  why(reason: CannotStopReason): string;
  /** The list could not be read (the email goes out all the same): where to see it. */
  unread(keyArn: string): string;
}

export interface Wording {
  /** The HTML `lang` of the email. */
  readonly language: PolicyLanguage;
  readonly signature: string;

  /** A date and time, unambiguous in any time zone: `2026-11-22 15:32 UTC`. */
  time(date: Date): string;
  /** A time in a subject: the time alone when it is on the day the email is sent (UTC), else with its date. */
  subjectTime(date: Date, now: Date): string;
  duration(seconds: number): string;
  /** `in 7 days`, `in less than a day`: the whole days left, rounded down. */
  dueIn(dueAt: Date, now: Date): string;
  resources(n: number): string;
  needAttention(n: number): string;

  /** The key in a subject or a title: its short ID, and its alias beside it when it has one. */
  key(shortId: string, alias?: string): string;
  readonly changes: Readonly<Record<Trigger, Change>>;
  /** How a subject or a title starts: `Key 1234abcd disabled`. */
  keyChanged(key: string, change: Change): string;
  /**
   * How a first paragraph starts: `The customer key <ARN> was disabled at <time>`, no full stop. `keyArn`,
   * here and below, is the key's ARN with its alias beside it when it has one (templates/key-name.ts).
   */
  whatHappened(keyArn: string, change: Change, at: string): string;
  /** Joins a title's two halves: `<key changed>: <what it means>`. */
  headline(start: string, rest: string): string;

  readonly tables: {
    readonly layers: Readonly<Record<Layer, string>>;
    readonly resourceColumns: readonly [layer: string, kind: string, name: string, arn: string];
    readonly skippedColumns: readonly [name: string, arn: string, why: string];
    none(caption: string): string;
    readonly atRisk: string;
    readonly atRiskAlertOnly: string;
    readonly leftRunning: string;
    readonly keptRunning: string;
    readonly stillStopped: string;
    readonly stoppedOrToBe: string;
    readonly skipped: string;
    readonly needsAttention: string;
    /** `Services stopped`, `Servers started`. */
    acted(layer: Layer, direction: 'shutdown' | 'restart'): string;
    /** The subject's tally: `3 resources stopped`, and `, 1 resource needs attention` when `attention` is given. */
    tally(resources: string, direction: 'shutdown' | 'restart', attention: string | null): string;
    /** The introduction to the resources a run could not act on. */
    missed(direction: 'shutdown' | 'restart'): string;
  };

  readonly sections: {
    readonly howToUndo: string;
    readonly howToBringBack: string;
    readonly whatHappensNext: string;
    readonly whoChanged: string;
    readonly who: string;
    readonly from: string;
    readonly using: string;
    readonly when: string;
    readonly event: string;
    readonly unknown: string;
    /** `DisableKey, event <id>`. */
    eventOf(trigger: string, eventId: string): string;
    readonly sweepWho: string;
    sweepWhen(at: string): string;
    kmsItself(trigger: string): string;
    readonly followTheRun: string;
    readonly openInConsole: string;
    execution(executionArn: string): string;
    /** What the key's administrators get instead of a console they cannot open. */
    reference(executionName: string): string;
  };

  readonly recovery: {
    readonly deleted: string;
    readonly badArn: string;
    readonly cancelDeletion: string;
    readonly reimport: string;
    readonly findOut: string;
    readonly enable: string;
    /** The key is Enabled but the platform was refused it: put its key-policy statement or grant back. */
    readonly accessRevoked: string;
  };

  readonly graceStarted: {
    subject(keyChanged: string, resources: string, n: number, at: string | null): string;
    subjectAlertOnly(keyChanged: string, resources: string): string;
    title(at: string | null): string;
    readonly titleAlertOnly: string;
    /** The first paragraph: `happened` is whatHappened's; a null deadline when the grace period is unknown. */
    paragraph(happened: string, deadline: Deadline | null, alertOnly: boolean): string;
    checkAgain(at: string | null): string;
    readonly next: readonly [usable: string, unusable: string];
    readonly nextAlertOnly: readonly [usable: string, unusable: string];
    inTime(at: string | null): string;
  };

  readonly shutdownComplete: {
    readonly title: string;
    paragraph(happened: string): string;
    readonly afterEnable: string;
  };

  readonly alertOnly: {
    subject(keyChanged: string, resources: string, tag: string): string;
    title(why: string): string;
    /** `checkedAt` is null for a deleted key, which had no grace period; `reason` is a heldBack reason. */
    paragraph(happened: string, checkedAt: string | null, reason: string): string;
    readonly heldBack: Readonly<Record<'policy' | 'paused' | 'breaker' | 'unconfirmed', HeldBack>>;
    readonly nothingToRestart: string;
    readonly stopThemYourself: string;
  };

  readonly keyUsableAgain: {
    headline(key: string): string;
    paragraph(happened: string, checkedAt: string): string;
  };

  readonly serviceRestored: {
    subject(key: string, tally: string): string;
    title(key: string): string;
    paragraph(keyArn: string): string;
  };

  readonly startHeldBack: {
    subject(keyChanged: string, resources: string): string;
    readonly title: string;
    paragraph(happened: string): string;
    readonly next: readonly [string, string];
  };

  readonly workflowFailed: {
    subject(direction: 'shutdown' | 'restart', key: string, error: string): string;
    title(direction: 'shutdown' | 'restart', key: string): string;
    paragraph(
      direction: 'shutdown' | 'restart',
      keyArn: string,
      trigger: string,
      at: string,
      failedAt: string,
    ): string;
    readonly unknownError: string;
    readonly error: string;
    readonly message: string;
    readonly key: string;
    readonly trigger: string;
    triggerOf(trigger: string, eventId: string): string;
    readonly cause: string;
    readonly whatToCheck: string;
    /** What an operator should look at first, for the errors the workflows raise on purpose. */
    readonly advice: Readonly<Record<string, string>>;
    readonly always: readonly string[];
  };

  readonly warnings: {
    noCommand(todo: string): string;
    oncePerThreshold(days: number, before: string): string;
  };

  readonly materialExpiring: {
    /** `material` is `material(…)` for a key with several key materials, null for the imported one. */
    subject(key: string, due: string, when: string, material: string | null): string;
    title(key: string, when: string, material: string | null): string;
    /** A key material by its short ID (its first 8 hex digits): `key material 1a2b3c4d`. */
    material(shortId: string): string;
    /** Which of a key's several materials expires, and why a non-current one matters all the same. */
    several(keyMaterialId: string, current: boolean): string;
    paragraph(keyArn: string, when: string, due: string): string;
    readonly whatHappens: string;
    readonly happens: readonly [string, string];
    readonly noResources: string;
    alertOnly(n: string): string;
    shutdown(n: string): string;
    readonly whatToDo: string;
    readonly reimport: string;
    readonly keepExpiring: string;
    readonly inConsole: string;
    readonly before: string;
  };

  readonly deletionPending: {
    subject(key: string, due: string, when: string): string;
    title(key: string, when: string): string;
    paragraph(keyArn: string, when: string, due: string): string;
    readonly alertOnly: string;
    readonly shutdown: string;
    readonly howToKeep: string;
    cancelThenEnable(when: string): string;
    readonly afterEnableAlertOnly: string;
    readonly afterEnable: string;
    readonly inConsole: string;
    readonly before: string;
  };

  /** The daily warning, days 4 to 7, about an RDS database waiting for its key (database-unrecoverable.ts). */
  readonly databaseUnrecoverable: {
    /** `keyName`: the key's short ID, with its alias beside it when it has one. */
    subject(database: string, keyName: string, when: string): string;
    title(database: string, when: string): string;
    paragraph(databaseArn: string, keyArn: string, when: string, due: string): string;
    readonly database: string;
    readonly kind: string;
    readonly unrecoverableAt: string;
    readonly day: string;
    /** `4 of 7`. */
    dayOf(day: number): string;
    readonly whatToDo: string;
    readonly steps: readonly [makeUsable: string, restarts: string];
    readonly keyStateNow: string;
    readonly inConsole: string;
    readonly daily: string;
  };

  /** The operators' email about resources encrypted with a key and not tagged for it (unprotected-found.ts). */
  readonly unprotectedFound: {
    /** `keyName`: the key's short ID, with its alias beside it when it has one. */
    subject(n: number, keyName: string): string;
    title(n: number): string;
    paragraph(keyArn: string): string;
    readonly caption: string;
    readonly columns: readonly [kind: string, arn: string, via: string];
    readonly whatToDo: string;
    readonly adopt: string;
    readonly once: string;
  };

  /** The resources the reactor cannot stop, in the emails that concern a shutdown (en-cannot-stop.ts). */
  readonly cannotStop: CannotStopWording;
  readonly estimate: EstimateWording;

  /** The operators' weekly digest (weekly-digest.ts). */
  readonly digest: {
    /** How the digest names each risk (its RISK_WORDS). */
    readonly risks: Readonly<Record<DigestRiskKind, string>>;
    subject(keys: number): string;
    title(now: string): string;
    paragraph(keys: number, since: string): string;
    readonly byReason: string;
    readonly byReasonColumns: readonly [reason: string, keys: string];
    readonly eachKey: string;
    readonly atRisk: string;
    readonly atRiskColumns: readonly [key: string, reason: string, detail: string];
    /** The detail of each risk. */
    deletion(at: string): string;
    material(at: string, keyMaterialId: string | null): string;
    failedRun(name: string, status: string, at: string): string;
    /** More items than a line names: `5: a; b; c and 2 more`. */
    more(total: number, shown: string, rest: number): string;
    unread(keys: number, list: string): string;
    readonly howToSee: string;
  };
}

/**
 * A subject's time: the hour alone when it falls on the day the email is sent (UTC), else with its date
 * written the language's way, so that a stop tomorrow never reads as a stop today.
 */
export function subjectTimeWith(time: (date: Date) => string): (date: Date, now: Date) => string {
  return (date, now) =>
    date.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)
      ? `${date.toISOString().slice(11, 16)} UTC`
      : time(date);
}

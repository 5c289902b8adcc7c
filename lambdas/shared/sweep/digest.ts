import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { mapWithConcurrency } from '../concurrency';
import { DIGEST_DETAIL_TYPE, DIGEST_EVENT_SOURCE } from '../contract';
import { type Drivers, observeAll } from '../converge';
import type { Seen } from '../decision';
import type { Mailer } from '../email/mailer';
import { refusalOf, refusedAudiences } from '../email/mailer';
import { renderDigest } from '../email/render';
import type { DigestRisk } from '../email/types';
import { formatTime } from '../email/wording';
import { DigestNotDeliveredError, KeyAccessDeniedError, SweepIncompleteError } from '../errors';
import type { KeyDescription, KeyMaterial, KeyReader } from '../key-reader';
import { logger } from '../observability';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import { type FailedRun, failedRunsSince } from './failed-runs';
import { describeError } from './sweep';
import { dueWarnings } from './warnings';

/**
 * The operators' weekly digest: one email, and one event on the platform bus, listing every key at
 * risk and why. Nothing is sent when no key is.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** A date within this many days is a risk; the same as the first early warning by default. */
const HORIZON_DAYS = 30;
const WEEK_MS = 7 * DAY_MS;
/** An event's detail is at most 256 KB: past this many keys, the event counts the rest. */
const MAX_KEYS_IN_EVENT = 200;
/** At most this many resources or runs are named in one line. */
const NAMED = 3;

export function isDigestRequest(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { digest?: unknown }).digest === true;
}

/** What the digest read of one key: what its risk checks look at. */
export interface KeyFacts {
  readonly key: KeyInventory;
  /** Absent when the key could not be read. */
  readonly described?: KeyDescription;
  /** Why the platform may not read the key (AccessDenied). */
  readonly denied?: string;
  /** Why the key could not be read otherwise (throttling, an outage): not a risk, but not known safe. */
  readonly unread?: string;
  readonly materials: readonly KeyMaterial[];
  readonly seen: ReadonlyMap<string, Seen>;
  readonly failedRuns: readonly FailedRun[];
}

/** One reason a key may be at risk. A new kind of risk is one more check in RISK_CHECKS. */
export type RiskCheck = (facts: KeyFacts, now: Date) => DigestRisk[];

const dueSoon: RiskCheck = ({ described, materials }, now) =>
  described
    ? dueWarnings(described, [HORIZON_DAYS], now, materials).map((due) => ({
        kind: due.warning,
        detail:
          due.warning === 'deletion-pending'
            ? `KMS deletes the key at ${formatTime(due.dueAt)}`
            : `${due.material ? `key material ${due.material.keyMaterialId}` : 'imported key material'} expires at ${formatTime(due.dueAt)}`,
      }))
    : [];

const accessDenied: RiskCheck = ({ denied }) => (denied ? [{ kind: 'access-denied', detail: denied }] : []);

/** Resources AWS refuses to stop (read replicas, cluster members, Aurora Serverless v1): they would keep running. */
const cannotStop: RiskCheck = ({ seen }) => {
  const stuck = [...seen.values()].flatMap((observation) =>
    'state' in observation && observation.state === 'running' && observation.restore === undefined
      ? [`${observation.resourceArn} (${observation.detail})`]
      : [],
  );
  return stuck.length > 0 ? [{ kind: 'cannot-stop', detail: named(stuck) }] : [];
};

const failedRuns: RiskCheck = ({ failedRuns: runs }) =>
  runs.length > 0
    ? [
        {
          kind: 'failed-runs',
          detail: named(runs.map((run) => `${run.name} ${run.status} at ${formatTime(run.stoppedAt)}`)),
        },
      ]
    : [];

/**
 * Every risk the digest looks for. Unprotected dependents (resources encrypted with the key but not
 * registered to it) are not detectable yet: that check joins this list when the tagging API's
 * discovery lands.
 */
export const RISK_CHECKS: readonly RiskCheck[] = [accessDenied, dueSoon, cannotStop, failedRuns];

function named(items: readonly string[]): string {
  const shown = items.slice(0, NAMED).join('; ');
  return items.length > NAMED ? `${items.length}: ${shown} and ${items.length - NAMED} more` : shown;
}

export interface DigestParts {
  readonly store: Store;
  readonly keys: KeyReader;
  readonly drivers: Drivers;
  readonly mailer: Mailer;
  readonly eventBridge: EventBridgeClient;
  readonly eventBusName: string;
  readonly stepFunctions: SFNClient;
  /** The two workflows, whose failed runs the digest lists; none known, none listed. */
  readonly stateMachineArns: readonly string[];
  readonly concurrency: number;
}

export interface KeyAtRisk {
  readonly keyArn: string;
  readonly risks: readonly DigestRisk[];
}

export interface DigestOutcome {
  readonly keys: number;
  readonly keysAtRisk: readonly KeyAtRisk[];
  /** Keys KMS did not answer for (not AccessDenied): the digest could not say whether they are at risk. */
  readonly keysUnread: readonly string[];
  /** Failed runs that could not be tied to a key. */
  readonly unattributedRuns: number;
  readonly emailed: boolean;
  readonly published: boolean;
}

export class Digest {
  constructor(private readonly parts: DigestParts) {}

  /** Reads every key, finds those at risk and, when there are any, emails the operators and puts the event. */
  async run(now: Date): Promise<DigestOutcome> {
    const { parts } = this;
    const since = new Date(now.getTime() - WEEK_MS);
    const [inventory, runs] = await Promise.all([
      parts.store.inventory(),
      failedRunsSince(parts.stepFunctions, parts.stateMachineArns, since),
    ]);
    const facts = await mapWithConcurrency(inventory, parts.concurrency, (key) =>
      this.factsOf(key, runs.byKey.get(key.keyArn) ?? []),
    );
    const keysAtRisk = facts
      .map((fact) => ({ keyArn: fact.key.keyArn, risks: RISK_CHECKS.flatMap((check) => check(fact, now)) }))
      .filter((key) => key.risks.length > 0);
    const keysUnread = facts.flatMap((fact) => (fact.unread ? [fact.key.keyArn] : []));
    const outcome = { keys: inventory.length, keysAtRisk, keysUnread, unattributedRuns: runs.unattributed };
    if (keysAtRisk.length === 0) {
      logger.info('Weekly digest: no key at risk, nothing sent', outcome);
      failIfUnread(keysUnread);
      return { ...outcome, emailed: false, published: false };
    }

    const published = await publishDigest(
      parts,
      { generatedAt: now.toISOString(), since, ...outcome },
      now,
    ).catch((error: unknown) => {
      logger.error('The digest event was not put on the platform bus', { error });
      return false;
    });
    const delivery = await parts.mailer.deliver(renderDigest({ keys: keysAtRisk, keysUnread, since, now }), {
      administrators: [],
      operators: true,
    });
    const emailed = refusedAudiences(delivery).length === 0;
    logger.info('Weekly digest sent', { ...outcome, keysAtRisk: keysAtRisk.length, emailed, published });
    if (!emailed || !published) {
      throw new DigestNotDeliveredError(
        `The weekly digest of ${keysAtRisk.length} key(s) at risk was not ` +
          [emailed ? '' : `emailed (${refusalOf(delivery)})`, published ? '' : 'put on the platform bus']
            .filter(Boolean)
            .join(' nor '),
      );
    }
    failIfUnread(keysUnread);
    return { ...outcome, emailed, published };
  }

  private async factsOf(key: KeyInventory, failedRuns: readonly FailedRun[]): Promise<KeyFacts> {
    const { keys, drivers } = this.parts;
    // Tolerant: a kind AWS will not describe this week is not a reason to skip the whole digest.
    const seen = await observeAll(drivers, key.resources, { tolerate: true });
    try {
      const described = await keys.describe(key.keyArn);
      const materials =
        described.origin === 'EXTERNAL' ? await keys.materials(key.keyArn).catch(() => []) : [];
      return { key, described, materials, seen, failedRuns };
    } catch (error) {
      if (error instanceof KeyAccessDeniedError) {
        return { key, denied: describeError(error), materials: [], seen, failedRuns };
      }
      // Throttled, or KMS unreachable: the other keys' digest goes out; this run fails for the alarm.
      logger.error('Key not read for the weekly digest', { keyArn: key.keyArn, error });
      return { key, unread: describeError(error), materials: [], seen, failedRuns };
    }
  }
}

/** A key the digest could not read fails the run, so that the sweep's alarm says so. */
function failIfUnread(keysUnread: readonly string[]): void {
  if (keysUnread.length === 0) return;
  throw new SweepIncompleteError(
    `The weekly digest could not read ${keysUnread.length} key(s), so it cannot say whether they are at risk: ${keysUnread.join(', ')}`,
  );
}

/** The digest's detail on the platform bus. */
export interface DigestDetail {
  readonly generatedAt: string;
  readonly since: Date;
  readonly keys: number;
  readonly keysAtRisk: readonly KeyAtRisk[];
  readonly keysUnread: readonly string[];
  readonly unattributedRuns: number;
}

/**
 * Puts the digest on the platform bus (source `key-reactor`, detail-type `Key Reactor Digest`). A small
 * function of its own so that the reactor's shared event publisher can take its place. Returns whether
 * EventBridge took it.
 */
export async function publishDigest(
  parts: Pick<DigestParts, 'eventBridge' | 'eventBusName'>,
  detail: DigestDetail,
  now: Date,
): Promise<boolean> {
  const listed = detail.keysAtRisk.slice(0, MAX_KEYS_IN_EVENT);
  const { Entries = [] } = await parts.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: parts.eventBusName,
          Source: DIGEST_EVENT_SOURCE,
          DetailType: DIGEST_DETAIL_TYPE,
          Resources: [],
          Time: now,
          Detail: JSON.stringify({
            ...detail,
            since: detail.since.toISOString(),
            keysAtRisk: listed,
            keysAtRiskCount: detail.keysAtRisk.length,
            keysLeftOut: detail.keysAtRisk.length - listed.length,
          }),
        },
      ],
    }),
  );
  const entry = Entries[0];
  if (!entry?.EventId) {
    logger.error('EventBridge did not take the digest', {
      errorCode: entry?.ErrorCode,
      errorMessage: entry?.ErrorMessage,
    });
    return false;
  }
  return true;
}

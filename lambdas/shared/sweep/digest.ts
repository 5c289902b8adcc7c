import type { SFNClient } from '@aws-sdk/client-sfn';
import { mapWithConcurrency } from '../concurrency';
import { type Drivers, observeAll } from '../converge';
import type { Seen } from '../decision';
import type { Mailer } from '../email/mailer';
import { refusalOf, refusedAudiences } from '../email/mailer';
import { renderDigest } from '../email/render';
import type { DigestRisk } from '../email/types';
import { type DependentFinder, unprotected as unprotectedOf } from '../encrypted-dependents';
import { DigestNotDeliveredError, SweepIncompleteError } from '../errors';
import type { KeyDescription, KeyMaterial, KeyReader } from '../key-reader';
import type { KeyResources } from '../key-resources';
import { logger } from '../observability';
import type { EventPublisher } from '../publisher';
import { digestEvent, type ReactorEvent } from '../reactor-events';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import { type FailedRun, failedRunsSince } from './failed-runs';
import { describeError } from './sweep';
import { dueWarnings } from './warnings';

/**
 * The operators' weekly digest: one email listing every key at risk and why, and one `Key Reactor
 * Digest` event per key at risk on the platform bus (the shared schema's events are each about one key,
 * so that `customerEvents` can forward each to the account that owns it). Nothing is sent when no key is.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** A date within this many days is a risk; the same as the first early warning by default. */
const HORIZON_DAYS = 30;
const WEEK_MS = 7 * DAY_MS;

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
  /** Encrypted with the key, of a kind the reactor stops, neither tagged nor registered for it. */
  readonly unprotected?: readonly string[];
}

/** One reason a key may be at risk. A new kind of risk is one more check in RISK_CHECKS. */
export type RiskCheck = (facts: KeyFacts, now: Date) => DigestRisk[];

const dueSoon: RiskCheck = ({ described, materials }, now) =>
  described
    ? dueWarnings(described, [HORIZON_DAYS], now, materials).map(
        (due): DigestRisk =>
          due.warning === 'deletion-pending'
            ? { kind: 'deletion-pending', dueAt: due.dueAt }
            : {
                kind: 'material-expiring',
                dueAt: due.dueAt,
                ...(due.material ? { keyMaterialId: due.material.keyMaterialId } : {}),
              },
      )
    : [];

const accessDenied: RiskCheck = ({ denied }) => (denied ? [{ kind: 'access-denied', error: denied }] : []);

/** Resources AWS refuses to stop (read replicas, cluster members, Aurora Serverless v1): they would keep running. */
const cannotStop: RiskCheck = ({ seen }) => {
  const stuck = [...seen.values()].flatMap((observation) =>
    'state' in observation && observation.state === 'running' && observation.restore === undefined
      ? [`${observation.resourceArn} (${observation.detail})`]
      : [],
  );
  return stuck.length > 0 ? [{ kind: 'cannot-stop', resources: stuck }] : [];
};

/** Resources encrypted with the key that nothing tags for it (the safety net): they would keep running. */
const unprotectedDependents: RiskCheck = ({ unprotected = [] }) =>
  unprotected.length > 0 ? [{ kind: 'unprotected-dependents', resources: [...unprotected] }] : [];

const failedRuns: RiskCheck = ({ failedRuns: runs }) =>
  runs.length > 0 ? [{ kind: 'failed-runs', runs }] : [];

/** Every risk the digest looks for. */
export const RISK_CHECKS: readonly RiskCheck[] = [
  accessDenied,
  dueSoon,
  cannotStop,
  unprotectedDependents,
  failedRuns,
];

export interface DigestParts {
  readonly store: Store;
  /** What the keys' resources are: the account's tags merged with the table's rows. */
  readonly resources: Pick<KeyResources, 'inventory'>;
  readonly keys: KeyReader;
  readonly drivers: Drivers;
  readonly mailer: Mailer;
  /** The platform bus's publisher: it never throws, and counts what it could not put for the alarm. */
  readonly publisher: EventPublisher;
  readonly stepFunctions: SFNClient;
  /** The two workflows, whose failed runs the digest lists; none known, none listed. */
  readonly stateMachineArns: readonly string[];
  readonly concurrency: number;
  /** Finds what each key encrypts; absent, unprotected dependents are not looked for. */
  readonly dependents?: DependentFinder;
}

export interface KeyAtRisk {
  readonly key: KeyInventory;
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
  /** Every key's event was put on the platform bus. */
  readonly published: boolean;
}

export class Digest {
  constructor(private readonly parts: DigestParts) {}

  /** Reads every key, finds those at risk and, when there are any, emails the operators and puts the event. */
  async run(now: Date): Promise<DigestOutcome> {
    const { parts } = this;
    const since = new Date(now.getTime() - WEEK_MS);
    const [inventory, runs] = await Promise.all([
      parts.resources.inventory(),
      failedRunsSince(parts.stepFunctions, parts.stateMachineArns, since),
    ]);
    const unprotected = await this.unprotectedOf(inventory);
    const facts = await mapWithConcurrency(inventory, parts.concurrency, async (key) => ({
      ...(await this.factsOf(key, runs.byKey.get(key.keyArn) ?? [])),
      unprotected: unprotected.get(key.keyArn) ?? [],
    }));
    const keysAtRisk = facts
      .map((fact) => ({
        key: fact.key,
        keyArn: fact.key.keyArn,
        risks: RISK_CHECKS.flatMap((check) => check(fact, now)),
      }))
      .filter((key) => key.risks.length > 0);
    const keysUnread = facts.flatMap((fact) => (fact.unread ? [fact.key.keyArn] : []));
    const outcome = { keys: inventory.length, keysAtRisk, keysUnread, unattributedRuns: runs.unattributed };
    const logged = { ...outcome, keysAtRisk: keysAtRisk.map(({ keyArn, risks }) => ({ keyArn, risks })) };
    if (keysAtRisk.length === 0) {
      logger.info('Weekly digest: no key at risk, nothing sent', logged);
      failIfUnread(keysUnread);
      return { ...outcome, emailed: false, published: false };
    }

    const report = await parts.publisher.publish(keysAtRisk.map((key) => keyDigestEvent(key, since, now)));
    const published = report.failed === 0;
    // The operators' only: nobody else gets a copy, in English, their language.
    const email = renderDigest({ keys: keysAtRisk, keysUnread, since, now });
    const delivery = await parts.mailer.deliver(
      { operators: email, administrators: email },
      { administrators: [], operators: true },
    );
    const emailed = refusedAudiences(delivery).length === 0;
    logger.info('Weekly digest sent', { ...logged, keysAtRisk: keysAtRisk.length, emailed, published });
    // An event the bus did not take is the publisher's to count and alarm on, as for every reactor event.
    if (!emailed) {
      throw new DigestNotDeliveredError(
        `The weekly digest of ${keysAtRisk.length} key(s) at risk was not emailed (${refusalOf(delivery)})`,
      );
    }
    failIfUnread(keysUnread);
    return { ...outcome, emailed, published };
  }

  /**
   * Each key's unprotected dependents, from one look at the account. A failure leaves them out of this
   * week's digest (logged): the sweep, which looks every time, fails and alarms on the same failure.
   */
  private async unprotectedOf(inventory: readonly KeyInventory[]): Promise<Map<string, string[]>> {
    const { dependents } = this.parts;
    if (!dependents) return new Map();
    try {
      const found = await dependents.findAll(inventory.map(({ keyArn }) => ({ keyArn })));
      return new Map(
        inventory.map((key) => {
          const registered = new Set(key.resources.map((resource) => resource.resourceArn));
          const open = unprotectedOf({ dependents: found.get(key.keyArn)?.dependents ?? [] })
            .map((dependent) => dependent.resourceArn)
            .filter((arn) => !registered.has(arn));
          return [key.keyArn, open];
        }),
      );
    } catch (error) {
      logger.error('Unprotected dependents not looked for in the weekly digest', { error });
      return new Map();
    }
  }

  private async factsOf(key: KeyInventory, failedRuns: readonly FailedRun[]): Promise<KeyFacts> {
    const { keys, drivers } = this.parts;
    // Tolerant: a kind AWS will not describe this week is not a reason to skip the whole digest.
    const seen = await observeAll(drivers, key.resources, { tolerate: true });
    try {
      const described = await keys.describe(key.keyArn);
      if (described.access === 'denied') {
        const denied =
          described.keyState === 'AccessDenied'
            ? 'KMS refused DescribeKey to the platform (key policy or grant)'
            : `the key is ${described.keyState} but KMS refused the platform's probe (key policy or grant)`;
        return { key, described, denied, materials: [], seen, failedRuns };
      }
      const materials =
        described.origin === 'EXTERNAL' ? await keys.materials(key.keyArn).catch(() => []) : [];
      return { key, described, materials, seen, failedRuns };
    } catch (error) {
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

/**
 * A key's digest event: the week it covers, and its summary, one count per risk (the runs, resources or
 * dates behind it); its resources are the key's registered ones, outcome unknown (the digest stops nothing).
 */
function keyDigestEvent({ key, risks }: KeyAtRisk, since: Date, now: Date): ReactorEvent {
  const summary: Record<string, number> = {};
  for (const risk of risks) summary[risk.kind] = (summary[risk.kind] ?? 0) + weightOf(risk);
  return digestEvent({
    keyArn: key.keyArn,
    resources: key.resources.map(({ resourceArn, kind }) => ({ arn: resourceArn, kind, outcome: 'unknown' })),
    occurredAt: now,
    periodStart: since,
    periodEnd: now,
    summary,
  });
}

/** How many things a risk is about: failed runs, resources that cannot be stopped, else one. */
function weightOf(risk: DigestRisk): number {
  if (risk.kind === 'failed-runs') return risk.runs.length;
  if (risk.kind === 'cannot-stop' || risk.kind === 'unprotected-dependents') return risk.resources.length;
  return 1;
}

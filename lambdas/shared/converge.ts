import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Clock } from './clock';
import { chunk } from './concurrency';
import type { ManagedTag } from './contract';
import { type Decision, decide, type Member, type Seen, type Target, withVerdict } from './decision';
import type { Driver } from './drivers';
import type { KeyReader } from './key-reader';
import type { KeyResources } from './key-resources';
import type { Layer, LedgerEntry, Progress, ResourceKind } from './model';
import { logger, metrics } from './observability';
import { PacedOutError } from './pacing/pacer';
import { fansOut, pollWaitSeconds } from './pacing/plan';
import type { Store } from './store';
import { type Budget, DEFAULT_TIME_BOX, type TimeBox } from './time-box';

export type { Target } from './decision';
export type Drivers = Readonly<Record<ResourceKind, Driver>>;

/** What converging a key's resources needs. */
export interface ConvergeParts {
  readonly store: Store;
  /** What the key's resources are: its tags, merged with its table rows. */
  readonly resources: Pick<KeyResources, 'list'>;
  readonly keys: KeyReader;
  /**
   * The drivers for one key: they read with the function's own role and stop or start through the key
   * role's session for that key (key-session.ts), so IAM confines them to the key's resources.
   */
  readonly driversFor: (keyArn: string) => Promise<Drivers>;
  readonly managedTag: ManagedTag;
  readonly clock: Clock;
  /** How a step splits a large layer across invocations. @default DEFAULT_TIME_BOX */
  readonly timeBox?: TimeBox;
}

export interface ConvergeRequest {
  readonly keyArn: string;
  readonly executionName: string;
  readonly layer: Layer;
  readonly target: Target;
  /** Observations made so far in this poll loop. */
  readonly attempt: number;
  /** Where the previous invocation of this pass stopped: only resources whose ARN sorts after it. */
  readonly cursor?: string;
  /** The kind this call works on (a Map iteration's lane); none for the whole layer. */
  readonly kind?: ResourceKind;
  /** A layer's first step: a large layer of several kinds is handed back as lanes instead of acted on. */
  readonly fanOut?: boolean;
  /** What the previous invocations of this pass found, added to this one's. */
  readonly carried?: Carried;
  /** The invocation's time; without it, the whole layer in one go (the CLI's converge). */
  readonly budget?: Budget;
}

/** What one pass over a layer has found so far, handed from one invocation to the next. */
export interface Carried {
  readonly changed: number;
  readonly pending: number;
  readonly skipped: Progress['skipped'];
}

/** At most this many skipped resources travel in the state; the rest are counted in the logs. */
const MAX_SKIPPED_IN_STATE = 20;

/**
 * The longest the workflow waits for a rate limit in one go: inside the lease (15 minutes), which the
 * next step renews, and long enough for EC2's StartInstances bucket to refill (1,000 at 2 a second).
 */
const MAX_PACE_SECONDS = 600;

function groupByKind<T extends { readonly kind: ResourceKind }>(
  members: readonly T[],
): Map<ResourceKind, T[]> {
  const groups = new Map<ResourceKind, T[]>();
  for (const member of members) {
    const group = groups.get(member.kind);
    if (group) group.push(member);
    else groups.set(member.kind, [member]);
  }
  return groups;
}

/**
 * The current state of resources of any kinds, one driver call per kind. With `tolerate`, a kind whose
 * describe fails is reported per resource instead of failing the whole observation (the CLI's view).
 */
export async function observeAll(
  drivers: Drivers,
  members: readonly Pick<Member, 'resourceArn' | 'kind'>[],
  options: { readonly tolerate?: boolean } = {},
): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  await Promise.all(
    [...groupByKind(members)].map(async ([kind, group]) => {
      const arns = group.map((member) => member.resourceArn);
      try {
        for (const observation of await drivers[kind].status(arns))
          seen.set(observation.resourceArn, observation);
      } catch (error) {
        if (!options.tolerate) throw error;
        const reason = `${(error as Error).name}: ${((error as Error).message ?? '').split('\n', 1)[0]}`;
        for (const resourceArn of arns) seen.set(resourceArn, { resourceArn, error: reason });
      }
    }),
  );
  return seen;
}

/**
 * Moves one layer of a key's resources toward `target` and reports how far it got. Idempotent: every
 * call observes first and acts only on what can move now, so the first call (stop or start) and each
 * later check in the poll loop run the same code. On the way down the candidates are the registered
 * resources, and each one's restore state is written to the ledger before its stop call; on the way
 * up the candidates are only the ledger's entries, so nothing an operator stopped is ever started.
 *
 * A layer is worked through in ARN order, a chunk at a time, while the budget allows (time-box.ts); a
 * pass that does not fit returns `more` with the cursor to go on from, and the counts found so far
 * travel with it (`carried`), so `done` speaks for the whole layer once the pass ends.
 */
export async function converge(parts: ConvergeParts, request: ConvergeRequest): Promise<Progress> {
  const { keyArn, executionName, layer, target, attempt, cursor, kind, carried, budget } = request;
  // Every turn renews the lease, and stops here if another run has taken the key over.
  await parts.store.leases.renew(keyArn, executionName);
  if (target === 'stopped' && (await parts.keys.state(keyArn)).usable) {
    // The key came back while its resources were stopping: the enable run of that change restores them.
    logger.info('Key usable again: leaving the key to the enable run', { layer });
    return {
      layer,
      done: false,
      more: false,
      cursor: null,
      attempt,
      changed: 0,
      pending: 0,
      skipped: [],
      paceSeconds: 0,
      waitSeconds: 0,
      keyUsable: true,
    };
  }
  let candidates: Member[];
  try {
    candidates =
      target === 'stopped'
        ? await parts.resources.list(keyArn, layer)
        : await parts.store.ledger.list(keyArn, layer);
  } catch (error) {
    // The pacer holds the layer's discovery back: that is not an empty layer, and no pass has begun. The
    // workflow waits for the bucket and asks again from where it was, as after a held-back pass.
    if (!(error instanceof PacedOutError) || !budget) throw error;
    logger.info('Discovery paused for the rate limits', { layer, waitMs: error.waitMs });
    return heldBack(request, error);
  }
  const ordered = inArnOrder(kind === undefined ? candidates : candidates.filter((m) => m.kind === kind));
  const { batchSize, chunkSize } = parts.timeBox ?? DEFAULT_TIME_BOX;
  const lanes = [...groupByKind(ordered)].map(([laneKind, members]) => ({
    kind: laneKind,
    resources: members.length,
  }));
  if (request.fanOut && fansOut(ordered.length, lanes.length, batchSize)) {
    // Each kind meters against its own AWS buckets, so kinds side by side finish sooner; two lanes of one
    // kind would only share its bucket and each take as long as one.
    logger.info('Layer handed to the workflow in lanes, one per kind', {
      layer,
      resources: ordered.length,
      lanes,
    });
    return {
      layer,
      done: false,
      more: false,
      cursor: null,
      attempt,
      changed: 0,
      pending: ordered.length,
      skipped: [],
      paceSeconds: 0,
      waitSeconds: 0,
      batches: lanes,
    };
  }
  const remaining = ordered.filter((member) => cursor === undefined || member.resourceArn > cursor);
  const drivers = await parts.driversFor(keyArn);
  const decisions: Decision[] = [];
  const tally = { changed: 0 };
  let reached: string | undefined;
  let paceMs = 0;
  for (const members of chunk(remaining, chunkSize)) {
    if (budget && !budget.allowsAnotherChunk()) break;
    const decidedBefore = decisions.length;
    const work = () =>
      target === 'stopped'
        ? eachKind(parts, drivers, { keyArn, target }, members, decisions, tally, (driver, decided) =>
            stopKind(parts, driver, decided, { keyArn, executionName, layer }),
          )
        : eachKind(
            parts,
            drivers,
            { keyArn, target },
            members as LedgerEntry[],
            decisions,
            tally,
            (driver, decided) => startKind(parts, driver, decided, { executionName, layer }),
          );
    try {
      await (budget ? budget.chunk(work) : work());
    } catch (error) {
      // The pacer would hold a call longer than a Lambda should sleep: the pass ends before this chunk
      // (whose ledger entries are written, and whose calls made so far the next turn observes as
      // moving), and the workflow waits for the bucket. Without a budget (the CLI) there is no workflow.
      if (!(error instanceof PacedOutError) || !budget) throw error;
      decisions.length = decidedBefore;
      // As long as the calls left in the pass need, up to a full bucket: a round per burst, not per call.
      const callsLeft = Math.ceil((remaining.length - handledBefore(remaining, reached)) / chunkSize);
      paceMs = Math.min(error.fullMs, error.waitMs * Math.max(1, callsLeft));
      logger.info('Pass paused for the rate limits', { layer, waitMs: error.waitMs, reached });
      break;
    }
    reached = members[members.length - 1]?.resourceArn;
  }
  const last = remaining[remaining.length - 1]?.resourceArn;
  const more = paceMs > 0 || (reached !== undefined && reached !== last);
  const changed = tally.changed;

  if (changed > 0) {
    metrics.addMetric(
      target === 'stopped' ? 'ResourcesStopped' : 'ResourcesStarted',
      MetricUnit.Count,
      changed,
    );
  }
  const skipped = withVerdict(decisions, 'skip').map(({ member, why }) => ({
    resourceArn: member.resourceArn,
    reason: why,
  }));
  if (skipped.length > 0) logger.warn('Resources the reactor cannot act on', { layer, target, skipped });
  // Observed before the calls just made, so a resource asked to change in this call still counts as pending.
  const pending = (carried?.pending ?? 0) + decisions.filter((decision) => decision.pending).length;
  const done = !more && pending === 0;
  const pendingKinds = new Set(decisions.filter((d) => d.pending).map((d) => d.member.kind));
  const progress: Progress = {
    layer,
    done,
    more,
    cursor: more ? (reached ?? cursor ?? null) : null,
    attempt,
    changed: (carried?.changed ?? 0) + changed,
    pending,
    skipped: [...(carried?.skipped ?? []), ...skipped].slice(0, MAX_SKIPPED_IN_STATE),
    paceSeconds: Math.min(MAX_PACE_SECONDS, Math.ceil(paceMs / 1000)),
    waitSeconds:
      more || done
        ? 0
        : pollWaitSeconds(
            pendingKinds.size > 0 ? pendingKinds : lanes.map((lane) => lane.kind),
            target,
            attempt,
          ),
  };
  logger.info('Layer progress', {
    ...progress,
    skipped: skipped.length,
    target,
    handled: decisions.length,
    ...(budget ? { elapsedMs: Math.round(budget.elapsedMs()) } : {}),
  });
  return progress;
}

/** The progress of a turn whose discovery the pacer held back: nothing done, all carried, go on after the wait. */
function heldBack({ layer, attempt, cursor, carried }: ConvergeRequest, error: PacedOutError): Progress {
  return {
    layer,
    done: false,
    more: true,
    cursor: cursor ?? null,
    attempt,
    changed: carried?.changed ?? 0,
    pending: carried?.pending ?? 0,
    skipped: carried?.skipped ?? [],
    // One read waits for its own tokens, not a whole burst's.
    paceSeconds: Math.min(MAX_PACE_SECONDS, Math.max(1, Math.ceil(error.waitMs / 1000))),
    waitSeconds: 0,
  };
}

/** How many of `members` (in ARN order) come up to and including `reached`. */
function handledBefore(members: readonly Member[], reached: string | undefined): number {
  if (reached === undefined) return 0;
  return members.filter((member) => member.resourceArn <= reached).length;
}

/** Members sorted by ARN: the order a pass works in, and what its cursor means. */
function inArnOrder<M extends Member>(members: readonly M[]): M[] {
  return [...members].sort((a, b) =>
    a.resourceArn < b.resourceArn ? -1 : a.resourceArn > b.resourceArn ? 1 : 0,
  );
}

/**
 * One chunk, kind by kind, observed and acted on in turn: a kind's calls are batched, and one kind's
 * failure leaves the kinds before it done. Adds how many resources it asked to change to `tally`.
 */
async function eachKind<M extends Member>(
  parts: ConvergeParts,
  drivers: Drivers,
  { keyArn, target }: { readonly keyArn: string; readonly target: Target },
  members: readonly M[],
  decisions: Decision[],
  tally: { changed: number },
  act: (driver: Driver, decided: Decision<M>[]) => Promise<number>,
): Promise<void> {
  for (const [kind, group] of groupByKind(members)) {
    const seen = await observeAll(drivers, group);
    const decided = decide({ target, members: group, seen, managedTag: parts.managedTag, keyArn });
    decisions.push(...decided);
    // Counted kind by kind, so the kinds a paused chunk finished still count as asked.
    tally.changed += await act(drivers[kind], decided);
  }
}

/** Writes the ledger entries of one kind's resources, then asks AWS to stop those still up. */
async function stopKind(
  parts: ConvergeParts,
  driver: Driver,
  decisions: readonly Decision[],
  { keyArn, executionName, layer }: Pick<ConvergeRequest, 'keyArn' | 'executionName' | 'layer'>,
): Promise<number> {
  const toRemember = decisions.filter((decision) => decision.remember !== undefined);
  if (toRemember.length === 0) return 0;
  const stoppedAt = parts.clock().toISOString();
  await parts.store.ledger.recordStopping(
    toRemember.map(({ member, remember }) => ({
      keyArn,
      resourceArn: member.resourceArn,
      kind: member.kind,
      layer,
      restore: remember ?? {},
      stoppedAt,
      stoppedBy: executionName,
    })),
  );
  const toStop = withVerdict(decisions, 'stop');
  if (toStop.length === 0) return 0;
  await driver.stop(toStop.flatMap(({ observation }) => (observation ? [observation] : [])));
  logger.info('Asked AWS to stop resources', {
    kind: driver.kind,
    layer,
    resources: toStop.map(({ member }) => member.resourceArn),
  });
  return toStop.length;
}

/**
 * Finishes the way up of one kind's resources that run again and takes them out of the ledger (only a
 * resource seen back leaves it), then asks AWS to start the stopped ones.
 */
async function startKind(
  parts: ConvergeParts,
  driver: Driver,
  decisions: readonly Decision<LedgerEntry>[],
  { executionName, layer }: Pick<ConvergeRequest, 'executionName' | 'layer'>,
): Promise<number> {
  const targetsOf = (chosen: readonly Decision[]) =>
    chosen.flatMap(({ member, observation }) =>
      observation ? [{ observation, restore: member.restore ?? {} }] : [],
    );
  const upAgain = withVerdict(decisions, 'finish');
  if (upAgain.length > 0) {
    // Awaited before the entries leave the ledger, so a resource is restored only once this has succeeded.
    if (driver.afterStarted) await driver.afterStarted(targetsOf(upAgain));
    await parts.store.ledger.markRestored(
      upAgain.map(({ member }) => member),
      executionName,
    );
  }
  const toStart = withVerdict(decisions, 'start');
  if (toStart.length === 0) return 0;
  await driver.start(targetsOf(toStart));
  logger.info('Asked AWS to start resources', {
    kind: driver.kind,
    layer,
    resources: toStart.map(({ member }) => member.resourceArn),
  });
  return toStart.length;
}

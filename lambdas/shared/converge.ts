import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from './config';
import { driversFor, type Observed } from './drivers';
import type { Layer, LedgerEntry, Observation, Progress, ResourceKind, ResourceState } from './model';
import { logger, metrics } from './observability';
import { listLedger, recordStopping } from './store/ledger';
import { listRegistered } from './store/registry';

export type Target = 'stopped' | 'running';

export interface ConvergeRequest {
  readonly keyArn: string;
  readonly executionName: string;
  readonly layer: Layer;
  readonly target: Target;
  /** Observations made so far in this poll loop. */
  readonly attempt: number;
}

/** At most this many skipped resources travel in the state; the rest are counted in the logs. */
const MAX_SKIPPED_IN_STATE = 20;

/** States in which a resource needs nothing more from us: reached the target, or out of our hands. */
const SETTLED: Record<Target, ReadonlySet<ResourceState>> = {
  stopped: new Set(['stopped', 'not-found', 'not-managed']),
  running: new Set(['running', 'not-found', 'not-managed']),
};

interface Member {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly restore?: LedgerEntry['restore'];
}

function groupByKind<T extends Member>(members: readonly T[]): Map<ResourceKind, T[]> {
  const groups = new Map<ResourceKind, T[]>();
  for (const member of members) {
    const group = groups.get(member.kind);
    if (group) group.push(member);
    else groups.set(member.kind, [member]);
  }
  return groups;
}

/** The current state of resources of any kinds, one driver call per kind, in no particular order. */
export async function observeAll(resources: readonly Member[]): Promise<Observation[]> {
  const drivers = driversFor(config.managedTag());
  const observations: Observation[] = [];
  for (const [kind, group] of groupByKind(resources)) {
    observations.push(...(await drivers[kind].status(group.map((member) => member.resourceArn))));
  }
  return observations;
}

/** A running resource without restore state is one AWS refuses to stop: reported, not waited for. */
function cannotStop(observation: Observation, target: Target): boolean {
  return target === 'stopped' && observation.state === 'running' && observation.restore === undefined;
}

function skipReason(observation: Observation, target: Target): string | null {
  const tag = config.managedTag();
  if (observation.state === 'not-managed')
    return `not tagged ${tag.key}=${tag.value}, so the reactor may not touch it`;
  if (observation.state === 'not-found') return 'not found: it was deleted or its ARN is wrong';
  if (cannotStop(observation, target)) return `AWS cannot stop it: ${observation.detail}`;
  return null;
}

/**
 * Moves one layer of a key's resources toward `target` and reports how far it got. Idempotent: every
 * call observes first and acts only on what can move now, so the first call (stop or start) and each
 * later check in the poll loop run the same code. On the way down the candidates are the registered
 * resources, and each one's restore state is written to the ledger before its stop call; on the way
 * up the candidates are only the ledger's entries, so nothing an operator stopped is ever started.
 */
export async function converge(request: ConvergeRequest): Promise<Progress> {
  const { keyArn, executionName, layer, target, attempt } = request;
  const members: Member[] =
    target === 'stopped' ? await listRegistered(keyArn, layer) : await listLedger(keyArn, layer);
  const drivers = driversFor(config.managedTag());
  const observations: Observation[] = [];
  let changed = 0;

  for (const [kind, group] of groupByKind(members)) {
    const driver = drivers[kind];
    const seen = await driver.status(group.map((member) => member.resourceArn));
    observations.push(...seen);
    if (target === 'stopped') {
      const toRemember = seen.filter((observation) => observation.restore !== undefined);
      const toStop = toRemember.filter((observation) => observation.state !== 'stopped');
      if (toRemember.length === 0) continue;
      const stoppedAt = new Date().toISOString();
      await recordStopping(
        toRemember.map((observation) => ({
          keyArn,
          resourceArn: observation.resourceArn,
          kind,
          layer,
          restore: observation.restore ?? {},
          stoppedAt,
          stoppedBy: executionName,
        })),
      );
      if (toStop.length === 0) continue;
      await driver.stop(toStop);
      changed += toStop.length;
      logger.info('Asked AWS to stop resources', {
        kind,
        layer,
        resources: toStop.map((o) => o.resourceArn),
      });
    } else {
      const restoreOf = new Map(group.map((member) => [member.resourceArn, member.restore ?? {}]));
      const targetsOf = (observed: readonly Observed[]) =>
        observed.map((o) => ({ observation: o, restore: restoreOf.get(o.resourceArn) ?? {} }));
      // Running again: finish the way up (an Auto Scaling group resumes its processes only now). Awaited
      // before the progress is reported, so a layer is done only once this has succeeded.
      const upAgain = seen.filter((observation) => observation.state === 'running');
      if (upAgain.length > 0 && driver.afterStarted) await driver.afterStarted(targetsOf(upAgain));
      const toStart = seen.filter((observation) => observation.state === 'stopped');
      if (toStart.length === 0) continue;
      await driver.start(targetsOf(toStart));
      changed += toStart.length;
      logger.info('Asked AWS to start resources', {
        kind,
        layer,
        resources: toStart.map((o) => o.resourceArn),
      });
    }
  }

  if (changed > 0) {
    metrics.addMetric(
      target === 'stopped' ? 'ResourcesStopped' : 'ResourcesStarted',
      MetricUnit.Count,
      changed,
    );
  }
  const skipped = observations.flatMap((observation) => {
    const reason = skipReason(observation, target);
    return reason ? [{ resourceArn: observation.resourceArn, reason }] : [];
  });
  if (skipped.length > 0) logger.warn('Resources the reactor cannot act on', { layer, target, skipped });
  // Observed before the calls just made, so a resource asked to change in this call still counts as pending.
  const pending = observations.filter(
    (observation) => !SETTLED[target].has(observation.state) && !cannotStop(observation, target),
  ).length;
  const progress: Progress = {
    layer,
    done: pending === 0,
    attempt,
    changed,
    pending,
    skipped: skipped.slice(0, MAX_SKIPPED_IN_STATE),
  };
  logger.info('Layer progress', { ...progress, skipped: skipped.length, target });
  return progress;
}

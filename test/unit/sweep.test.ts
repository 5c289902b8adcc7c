import { DEFAULT_MANAGED_TAG } from '../../lambdas/shared/contract';
import { decide, type Member, type Target, type Verdict } from '../../lambdas/shared/decision';
import type { KeyDescription } from '../../lambdas/shared/key-reader';
import type { LedgerEntry, Observation, RegisteredResource } from '../../lambdas/shared/model';
import type { KeyInventory } from '../../lambdas/shared/store/inventory';
import { findDrift, type Movable, RETRY_AFTER_FAILURE_MS } from '../../lambdas/shared/sweep/drift';
import { dueWarnings } from '../../lambdas/shared/sweep/warnings';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DB = 'arn:aws:rds:us-east-1:111122223333:db:customer-db';
const API = 'arn:aws:ecs:us-east-1:111122223333:service/platform/api';

const ENABLED: KeyDescription = { keyState: 'Enabled', usable: true };
const DISABLED: KeyDescription = { keyState: 'Disabled', usable: false };

function resource(resourceArn: string): RegisteredResource {
  return {
    keyArn: KEY_ARN,
    resourceArn,
    kind: resourceArn.includes(':rds:') ? 'rds-instance' : 'ecs-service',
    layer: resourceArn.includes(':rds:') ? 'server' : 'service',
    registeredAt: '2026-11-01T00:00:00Z',
  };
}

/** The ledger entries of resources the reactor stopped. */
function ledger(...resourceArns: string[]): LedgerEntry[] {
  return resourceArns.map((resourceArn) => ({
    ...resource(resourceArn),
    restore: {},
    stoppedAt: '2026-11-02T00:00:00Z',
    stoppedBy: 'disable-run',
  }));
}

function inventory(overrides: Partial<KeyInventory> = {}): KeyInventory {
  const entries = overrides.ledger ?? [];
  return {
    keyArn: KEY_ARN,
    resources: [resource(API), resource(DB)],
    ledger: entries,
    ledgerCount: entries.length,
    alertOnlySent: false,
    policy: { administrators: [], action: 'shutdown', onAccessDenied: 'shutdown', language: 'en' },
    ...overrides,
  };
}

/**
 * What the stop step would stop and the start step would move, as the sweep asks it: each resource
 * observed as `observe` says, then the reactor's own decision (decision.ts). Remembers what it was asked about.
 */
function wouldStopWhen(
  observe: (resource: RegisteredResource) => Observation,
): Movable & { asked: string[] } {
  const asked: string[] = [];
  const decided = <M extends Member>(target: Target, members: readonly M[], verdicts: readonly Verdict[]) => {
    const seen = new Map(
      members.map((r) => {
        asked.push(r.resourceArn);
        return [r.resourceArn, observe(r as unknown as RegisteredResource)] as const;
      }),
    );
    return decide({ target, members, seen, managedTag: DEFAULT_MANAGED_TAG, keyArn: KEY_ARN })
      .filter((decision) => verdicts.includes(decision.verdict))
      .map(({ member }) => member.resourceArn);
  };
  return {
    asked,
    stop: async (resources) => decided('stopped', resources, ['stop']),
    restore: async (entries) => decided('running', entries, ['start', 'finish', 'wait']),
  };
}

/** Resources in the given states (stopped unless named), each running one with something to restore. */
function observer(states: Readonly<Record<string, Observation['state']>>) {
  return wouldStopWhen((r) => {
    const state = states[r.resourceArn] ?? 'stopped';
    return {
      resourceArn: r.resourceArn,
      state,
      detail: state,
      keyTag: KEY_ARN,
      ...(state === 'stopped' ? {} : { restore: {} }),
    };
  });
}

describe('findDrift', () => {
  it('finds a usable key with an empty ledger in sync, without observing any resource', async () => {
    const observe = observer({ [API]: 'running', [DB]: 'running' });
    expect(await findDrift(inventory(), ENABLED, observe, NOW)).toEqual({ kind: 'in-sync' });
    expect(observe.asked).toEqual([]);
  });

  it('asks for the enable workflow when the key is usable and the ledger still holds resources', async () => {
    const finding = await findDrift(inventory({ ledger: ledger(API, DB) }), ENABLED, observer({}), NOW);
    expect(finding).toEqual({
      kind: 'drift',
      workflow: 'enable',
      reason: 'the key is Enabled, and 2 resources the reactor stopped are still to be restarted',
    });
  });

  it('leaves a usable key in sync while what its ledger holds cannot be started (untagged): it waits there', async () => {
    const observe = wouldStopWhen((r) => ({
      resourceArn: r.resourceArn,
      state: 'not-managed',
      detail: 'stopped',
    }));
    expect(await findDrift(inventory({ ledger: ledger(API) }), ENABLED, observe, NOW)).toEqual({
      kind: 'in-sync',
    });
    expect(observe.asked).toEqual([API]);
  });

  it('asks for the disable workflow when the key is unusable and a registered resource runs', async () => {
    const finding = await findDrift(inventory(), DISABLED, observer({ [DB]: 'running' }), NOW);
    expect(finding).toEqual({
      kind: 'drift',
      workflow: 'disable',
      reason: `the key is Disabled but 1 resource runs: ${DB}`,
    });
  });

  it('counts a resource on its way up as running, and names at most three', async () => {
    const many = Array.from({ length: 5 }, (_, n) => `${API}-${n}`);
    const observe = observer(Object.fromEntries(many.map((arn) => [arn, 'transitioning' as const])));
    const finding = await findDrift(inventory({ resources: many.map(resource) }), DISABLED, observe, NOW);
    expect(finding).toMatchObject({ kind: 'drift', workflow: 'disable' });
    expect(finding.kind === 'drift' && finding.reason).toBe(
      `the key is Disabled but 5 resources run: ${many.slice(0, 3).join(', ')} and 2 more`,
    );
  });

  it('finds an unusable key whose resources are all stopped in sync', async () => {
    expect(await findDrift(inventory({ ledger: ledger(API, DB) }), DISABLED, observer({}), NOW)).toEqual({
      kind: 'in-sync',
    });
  });

  it('does not count a running resource AWS refuses to stop (no restore state) as drift', async () => {
    const observe = wouldStopWhen((r) => ({
      resourceArn: r.resourceArn,
      state: 'running',
      detail: 'cluster member',
      keyTag: KEY_ARN,
    }));
    expect(await findDrift(inventory(), DISABLED, observe, NOW)).toEqual({ kind: 'in-sync' });
  });

  it('does not count a running resource without the key tag (a legacy row) as drift: the stop step skips it', async () => {
    const observe = wouldStopWhen((r) => ({
      resourceArn: r.resourceArn,
      state: 'running',
      detail: 'running',
      restore: {},
      ...(r.resourceArn === DB ? { keyTag: KEY_ARN } : {}),
    }));
    expect(await findDrift(inventory(), DISABLED, observe, NOW)).toEqual({
      kind: 'drift',
      workflow: 'disable',
      reason: `the key is Disabled but 1 resource runs: ${DB}`,
    });
  });

  it('asks an alert-only key for its one email, then leaves it alone', async () => {
    const alertOnly = {
      policy: {
        administrators: [],
        action: 'alert-only' as const,
        onAccessDenied: 'shutdown' as const,
        language: 'en' as const,
      },
    };
    const observe = observer({ [DB]: 'running' });
    expect(await findDrift(inventory(alertOnly), DISABLED, observe, NOW)).toMatchObject({
      kind: 'drift',
      workflow: 'disable',
      reason: 'the key is Disabled and its administrators were not told (alert-only policy)',
    });
    expect(await findDrift(inventory({ ...alertOnly, alertOnlySent: true }), DISABLED, observe, NOW)).toEqual(
      {
        kind: 'in-sync',
      },
    );
    expect(observe.asked).toEqual([]);
  });

  it('leaves a key alone while a workflow holds an unexpired lease, not once it has expired', async () => {
    const held = { owner: 'disable-1234abcd-x', expires: NOW.getTime() / 1000 + 60 };
    expect(await findDrift(inventory({ lease: held }), DISABLED, observer({ [DB]: 'running' }), NOW)).toEqual(
      {
        kind: 'busy',
        reason: 'the lease is held by disable-1234abcd-x',
      },
    );
    const expired = { ...held, expires: NOW.getTime() / 1000 - 1 };
    expect(
      await findDrift(inventory({ lease: expired }), DISABLED, observer({ [DB]: 'running' }), NOW),
    ).toMatchObject({ kind: 'drift' });
  });

  it('waits minutes (RETRY_AFTER_FAILURE_MS) after a failed workflow before asking again, unless a later one succeeded', async () => {
    const failedAt = new Date(NOW.getTime() - 2 * 60 * 1000).toISOString();
    const observe = observer({ [DB]: 'running' });
    expect(await findDrift(inventory({ lastFailureAt: failedAt }), DISABLED, observe, NOW)).toMatchObject({
      kind: 'busy',
    });
    const later = new Date(NOW.getTime() - 60 * 1000).toISOString();
    expect(
      await findDrift(inventory({ lastFailureAt: failedAt, lastOutcomeAt: later }), DISABLED, observe, NOW),
    ).toMatchObject({ kind: 'drift' });
    const longAgo = new Date(NOW.getTime() - RETRY_AFTER_FAILURE_MS - 1).toISOString();
    expect(await findDrift(inventory({ lastFailureAt: longAgo }), DISABLED, observe, NOW)).toMatchObject({
      kind: 'drift',
    });
  });
});

describe('dueWarnings', () => {
  const THRESHOLDS = [30, 7, 1];
  const expiring = (daysLeft: number): KeyDescription => ({
    ...ENABLED,
    materialExpiresAt: new Date(NOW.getTime() + daysLeft * DAY_MS),
  });

  it.each([
    [45, []],
    [30, [30]],
    [29.5, [30]],
    [7.01, [30]],
    [7, [7]],
    [2, [7]],
    [1, [1]],
    [0.01, [1]],
    [0, []],
    [-3, []],
  ])('with %d days left, warns for the smallest threshold reached: %j', (daysLeft, expected) => {
    expect(dueWarnings(expiring(daysLeft), THRESHOLDS, NOW).map((due) => due.thresholdDays)).toEqual(
      expected,
    );
  });

  it('warns about a pending deletion and expiring material separately, whatever order the thresholds are in', () => {
    const key: KeyDescription = {
      keyState: 'PendingDeletion',
      usable: false,
      materialExpiresAt: new Date(NOW.getTime() + 20 * DAY_MS),
      deletionDate: new Date(NOW.getTime() + 6 * DAY_MS),
    };
    expect(dueWarnings(key, [1, 30, 7], NOW)).toEqual([
      { warning: 'material-expiring', dueAt: key.materialExpiresAt, thresholdDays: 30 },
      { warning: 'deletion-pending', dueAt: key.deletionDate, thresholdDays: 7 },
    ]);
  });

  it('has nothing to say about a key without dates', () => {
    expect(dueWarnings(ENABLED, THRESHOLDS, NOW)).toEqual([]);
  });
});

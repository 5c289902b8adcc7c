import { DEFAULT_MANAGED_TAG } from '../../lambdas/shared/contract';
import { type ConvergeParts, converge, type Drivers } from '../../lambdas/shared/converge';
import type { Driver, Observed } from '../../lambdas/shared/drivers/driver';
import type { KeyReader } from '../../lambdas/shared/key-reader';
import type { LedgerEntry, Progress, RegisteredResource } from '../../lambdas/shared/model';
import { PacedOutError } from '../../lambdas/shared/pacing/pacer';
import type { Store } from '../../lambdas/shared/store';
import { Budget, type TimeBox } from '../../lambdas/shared/time-box';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const instanceArn = (n: number) =>
  `arn:aws:ec2:us-east-1:111122223333:instance/i-${String(n).padStart(17, '0')}`;

/** A stopwatch the test moves: each driver call takes `callMs` of it. */
function fakeStopwatch() {
  let now = 0;
  return { read: () => now, advance: (ms: number) => (now += ms) };
}

describe('the time box of one invocation', () => {
  it('always allows the first chunk, even with no time left', () => {
    const watch = fakeStopwatch();
    const budget = new Budget(
      { chunkSize: 10, batchSize: 500, safetyMarginMs: 15_000, stopwatch: watch.read },
      1_000,
    );

    expect(budget.allowsAnotherChunk()).toBe(true);
  });

  it('allows another chunk only while one as long as the longest so far ends before the deadline', async () => {
    // Prepare: 60 s left, 15 s kept back: 45 s of work.
    const watch = fakeStopwatch();
    const budget = new Budget(
      { chunkSize: 10, batchSize: 500, safetyMarginMs: 15_000, stopwatch: watch.read },
      60_000,
    );

    // Act and assess: chunks of 10 s; after four (40 s) a fifth would end at 50 s, past 45 s.
    const allowed: boolean[] = [];
    for (let turn = 0; turn < 6; turn++) {
      allowed.push(budget.allowsAnotherChunk());
      if (allowed[turn]) await budget.chunk(async () => watch.advance(10_000));
    }
    expect(allowed).toEqual([true, true, true, true, false, false]);
    expect(budget.elapsedMs()).toBe(40_000);
  });

  it('holds to a budget shorter than the time the Lambda has left', async () => {
    const watch = fakeStopwatch();
    const budget = new Budget(
      { chunkSize: 10, batchSize: 500, safetyMarginMs: 15_000, budgetMs: 25, stopwatch: watch.read },
      60_000,
    );

    await budget.chunk(async () => watch.advance(10));
    expect(budget.allowsAnotherChunk()).toBe(true);
    await budget.chunk(async () => watch.advance(10));
    expect(budget.allowsAnotherChunk()).toBe(false);
  });
});

/** An EC2 driver over a map of instance states, recording its calls; each call takes `callMs`. */
function fakeFleet(count: number, watch: ReturnType<typeof fakeStopwatch>, callMs: number) {
  const states = new Map<string, 'running' | 'stopped'>();
  for (let n = count; n >= 1; n--) states.set(instanceArn(n), 'running');
  const calls: string[] = [];
  const ledger = new Map<string, LedgerEntry>();
  const driver: Driver = {
    kind: 'ec2-instance',
    async status(arns) {
      watch.advance(callMs);
      calls.push(`status ${arns.length}`);
      return arns.map((resourceArn): Observed => {
        const state = states.get(resourceArn) ?? 'running';
        // Tagged for the key, as the key role needs of what it stops.
        return state === 'running'
          ? { resourceArn, state, detail: state, restore: {}, keyTag: KEY_ARN }
          : { resourceArn, state, detail: state, keyTag: KEY_ARN };
      });
    },
    async stop(observations) {
      watch.advance(callMs);
      for (const { resourceArn } of observations) {
        // Ledger first: an instance is never stopped before its entry is written.
        if (!ledger.has(resourceArn)) throw new Error(`stopped ${resourceArn} before its ledger entry`);
        states.set(resourceArn, 'stopped');
      }
      calls.push(`stop ${observations.map((o) => o.resourceArn.slice(-2)).join(',')}`);
    },
    async start() {
      throw new Error('not on the way down');
    },
  };
  const registered: RegisteredResource[] = [...states.keys()].map((resourceArn) => ({
    keyArn: KEY_ARN,
    resourceArn,
    kind: 'ec2-instance',
    layer: 'server',
    registeredAt: '2026-11-01T00:00:00Z',
  }));
  const store = {
    leases: { renew: async () => undefined },
    ledger: {
      recordStopping: async (entries: readonly LedgerEntry[]) => {
        calls.push(`ledger ${entries.length}`);
        for (const entry of entries) ledger.set(entry.resourceArn, entry);
      },
    },
  } as unknown as Store;
  const keys = { state: async () => ({ usable: false }) } as unknown as KeyReader;
  // The key's resources as its tags and rows say (key-resources.ts), here the whole fleet.
  const resources = { list: async () => registered } as unknown as ConvergeParts['resources'];
  return { states, calls, ledger, store, resources, keys, driver };
}

/** What converge needs around a fake fleet: its store, key and listing, its driver for EC2; `overrides` wins. */
function partsOf(fleet: ReturnType<typeof fakeFleet>, overrides: Partial<ConvergeParts> = {}): ConvergeParts {
  return {
    store: fleet.store,
    keys: fleet.keys,
    resources: fleet.resources,
    driversFor: async () => ({ 'ec2-instance': fleet.driver }) as unknown as Drivers,
    managedTag: DEFAULT_MANAGED_TAG,
    clock: () => new Date('2026-11-22T15:32:00Z'),
    ...overrides,
  };
}

describe('converge, time-boxed', () => {
  it('works through the layer in ARN order, chunk by chunk, and hands the rest to the next invocation', async () => {
    // Prepare: 7 instances, chunks of 2, each driver call 10 ms, 45 ms of budget: two chunks (40 ms) fit.
    const watch = fakeStopwatch();
    const fleet = fakeFleet(7, watch, 10);
    const timeBox: TimeBox = {
      chunkSize: 2,
      batchSize: 500,
      safetyMarginMs: 0,
      budgetMs: 45,
      stopwatch: watch.read,
    };
    const parts = partsOf(fleet, {
      timeBox,
    });
    const request = {
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd',
      layer: 'server',
      target: 'stopped',
    } as const;

    // Act: the first call, then as the workflow does, again from the cursor until the pass ends.
    const turns: Progress[] = [
      await converge(parts, { ...request, attempt: 0, budget: new Budget(timeBox, 60_000) }),
    ];
    for (let last = turns[0]; last?.more; last = turns[turns.length - 1]) {
      turns.push(
        await converge(parts, {
          ...request,
          attempt: last.attempt,
          cursor: last.cursor ?? undefined,
          carried: { changed: last.changed, pending: last.pending, skipped: last.skipped },
          budget: new Budget(timeBox, 60_000),
        }),
      );
    }

    // Assess: two chunks of 2 in the first invocation (a third would end past 45 ms), the rest in the second.
    expect(turns.map(({ more, cursor }) => ({ more, cursor }))).toEqual([
      { more: true, cursor: instanceArn(4) },
      { more: false, cursor: null },
    ]);
    // Counts carried over the pass: every instance stopped once, all pending until seen stopped.
    expect(turns[1]).toMatchObject({ done: false, more: false, changed: 7, pending: 7, attempt: 0 });
    expect([...fleet.states.values()].every((state) => state === 'stopped')).toBe(true);
    expect(fleet.ledger.size).toBe(7);
    // Ledger before each chunk's stop call, in ARN order.
    expect(fleet.calls).toEqual([
      'status 2',
      'ledger 2',
      'stop 01,02',
      'status 2',
      'ledger 2',
      'stop 03,04',
      'status 2',
      'ledger 2',
      'stop 05,06',
      'status 1',
      'ledger 1',
      'stop 07',
    ]);
  });

  it('hands a large layer of several kinds back as one lane per kind, and a Map iteration works on its kind alone', async () => {
    // Prepare: 7 instances and 2 databases, batches of 3.
    const watch = fakeStopwatch();
    const fleet = fakeFleet(7, watch, 10);
    const databases: RegisteredResource[] = [1, 2].map((n) => ({
      keyArn: KEY_ARN,
      resourceArn: `arn:aws:rds:us-east-1:111122223333:db:db-${n}`,
      kind: 'rds-instance',
      layer: 'server',
      registeredAt: '2026-11-01T00:00:00Z',
    }));
    const registered = [...(await fleet.resources.list(KEY_ARN, 'server')), ...databases];
    const untouched: Driver = {
      kind: 'rds-instance',
      status: async () => Promise.reject(new Error('another lane')),
      stop: async () => Promise.reject(new Error('another lane')),
      start: async () => Promise.reject(new Error('another lane')),
    };
    const parts = partsOf(fleet, {
      resources: { list: async () => registered },
      driversFor: async () =>
        ({ 'ec2-instance': fleet.driver, 'rds-instance': untouched }) as unknown as Drivers,
      timeBox: { chunkSize: 2, batchSize: 3, safetyMarginMs: 0, stopwatch: watch.read },
    });
    const request = {
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd',
      layer: 'server',
      target: 'stopped',
      attempt: 0,
    } as const;

    // Act
    const first = await converge(parts, { ...request, fanOut: true });
    const lane = await converge(parts, { ...request, kind: 'ec2-instance' });

    // Assess: nothing acted on by the first call; the lane stops the instances only, ledger first.
    expect(first).toMatchObject({ done: false, more: false, changed: 0, pending: 9 });
    expect(first.batches).toEqual([
      { kind: 'ec2-instance', resources: 7 },
      { kind: 'rds-instance', resources: 2 },
    ]);
    // An EC2 stop settles in 45 s (pacing/settle-times.ts).
    expect(lane).toMatchObject({ more: false, changed: 7, paceSeconds: 0, waitSeconds: 45 });
    expect(fleet.calls.filter((call) => call.startsWith('stop'))).toEqual([
      'stop 01,02',
      'stop 03,04',
      'stop 05,06',
      'stop 07',
    ]);
  });

  it('acts on a large layer of one kind itself: a lane of one kind would gain nothing', async () => {
    // Prepare: 7 instances, batches of 3.
    const watch = fakeStopwatch();
    const fleet = fakeFleet(7, watch, 10);
    const parts = partsOf(fleet, {
      timeBox: { chunkSize: 2, batchSize: 3, safetyMarginMs: 0, stopwatch: watch.read },
    });

    // Act
    const progress = await converge(parts, {
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd',
      layer: 'server',
      target: 'stopped',
      attempt: 0,
      fanOut: true,
    });

    // Assess
    expect(progress.batches).toBeUndefined();
    expect(progress).toMatchObject({ more: false, changed: 7, pending: 7, waitSeconds: 45 });
  });

  it('ends its pass where the pacer would hold a call too long, and hands the wait to the workflow', async () => {
    // Prepare: the third stop call is paced out with 2.5 s owed.
    const watch = fakeStopwatch();
    const fleet = fakeFleet(7, watch, 10);
    let stops = 0;
    const paced: Driver = {
      ...fleet.driver,
      async stop(observations) {
        stops += 1;
        if (stops === 3) throw new PacedOutError('the bucket is owed 2.5 s', 2_500);
        return fleet.driver.stop(observations);
      },
    };
    const parts = partsOf(fleet, {
      driversFor: async () => ({ 'ec2-instance': paced }) as unknown as Drivers,
      timeBox: { chunkSize: 2, batchSize: 500, safetyMarginMs: 0, stopwatch: watch.read },
    });
    const request = {
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd',
      layer: 'server',
      target: 'stopped',
      attempt: 0,
    } as const;

    // Act: the pass, then its continuation after the wait
    const paused = await converge(parts, {
      ...request,
      budget: new Budget(parts.timeBox as TimeBox, 60_000),
    });
    const resumed = await converge(parts, {
      ...request,
      cursor: paused.cursor ?? undefined,
      carried: { changed: paused.changed, pending: paused.pending, skipped: paused.skipped },
      budget: new Budget(parts.timeBox as TimeBox, 60_000),
    });

    // Assess: paused after the second chunk (its third chunk's ledger written, redone from its start),
    // 3 s to wait; the continuation finishes the layer, each instance counted once.
    expect(paused).toMatchObject({
      more: true,
      cursor: instanceArn(4),
      paceSeconds: 3,
      changed: 4,
      pending: 4,
    });
    expect(resumed).toMatchObject({ more: false, cursor: null, paceSeconds: 0, changed: 7, pending: 7 });
    expect([...fleet.states.values()].every((state) => state === 'stopped')).toBe(true);
  });

  it('hands a discovery the pacer holds back to the workflow as a wait, never as an empty layer', async () => {
    // Prepare: the layer's tag read is held back once (1.2 s owed), then answers.
    const watch = fakeStopwatch();
    const fleet = fakeFleet(3, watch, 10);
    let reads = 0;
    const resources = {
      list: async (...args: Parameters<ConvergeParts['resources']['list']>) => {
        reads += 1;
        if (reads === 1) throw new PacedOutError('the Auto Scaling bucket is owed 1.2 s', 1_200);
        return fleet.resources.list(...args);
      },
    };
    const parts = partsOf(fleet, {
      resources,
      timeBox: { chunkSize: 10, batchSize: 500, safetyMarginMs: 0, stopwatch: watch.read },
    });
    const request = {
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd',
      layer: 'server',
      target: 'stopped',
      attempt: 2,
      carried: { changed: 1, pending: 1, skipped: [] },
    } as const;

    // Act: the held-back turn, then the one after the wait, from what it carried on
    const held = await converge(parts, { ...request, budget: new Budget(parts.timeBox as TimeBox, 60_000) });
    const callsWhileHeld = [...fleet.calls];
    const resumed = await converge(parts, {
      ...request,
      cursor: held.cursor ?? undefined,
      carried: { changed: held.changed, pending: held.pending, skipped: held.skipped },
      budget: new Budget(parts.timeBox as TimeBox, 60_000),
    });

    // Assess: not done and not empty, nothing asked of AWS, the counts carried as they came, 2 s to wait;
    // then the layer is stopped as if nothing had been held back.
    expect(held).toMatchObject({
      done: false,
      more: true,
      cursor: null,
      attempt: 2,
      changed: 1,
      pending: 1,
      paceSeconds: 2,
      waitSeconds: 0,
    });
    expect(held.batches).toBeUndefined();
    expect(callsWhileHeld).toEqual([]);
    expect(resumed).toMatchObject({ more: false, changed: 4, pending: 4 });
    expect([...fleet.states.values()].every((state) => state === 'stopped')).toBe(true);
  });

  it('lets a held-back discovery fail the step where no workflow waits for it (the CLI)', async () => {
    const watch = fakeStopwatch();
    const fleet = fakeFleet(1, watch, 10);
    const parts = partsOf(fleet, {
      resources: {
        list: async () => {
          throw new PacedOutError('the Auto Scaling bucket is owed 30 s', 30_000);
        },
      },
    });

    await expect(
      converge(parts, {
        keyArn: KEY_ARN,
        executionName: 'cli',
        layer: 'server',
        target: 'stopped',
        attempt: 0,
      }),
    ).rejects.toThrow(PacedOutError);
    expect(fleet.calls).toEqual([]);
  });
});

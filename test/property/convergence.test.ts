import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import fc from 'fast-check';
import type { AwsCall } from '../../sandbox/aws-calls';
import { sentEmails } from '../../sandbox/aws-calls';
import type { EventBridgeEvent } from '../../sandbox/cloudtrail';
import type { FaultInjector } from '../../sandbox/faults';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import { fakeDateOnly } from '../support/clock';
import {
  customerCalls,
  deliver,
  fleetStates,
  freshKeyWorld,
  fromSecondTrail,
  type KeyOperation,
  localReactor,
  trailEvent,
} from '../support/key-world';

/**
 * The reactor converges to what the key's real state requires, whatever the event stream: random
 * sequences of 1 to 6 key operations, each event delivered once, twice, or also from a second trail,
 * late (after later operations) or not, or lost on the way, with 30 % of the handlers' AWS attempts
 * throttled or failing. Then the real sweep runs, a day later by the clock (past any lease and the wait
 * after a failed workflow), as its schedule would. One moto server for the file; each sequence starts
 * from a fresh world. Checked after each sequence:
 *
 * - usable key: everything the reactor stopped runs again and the ledger is empty; unusable key: every
 *   registered managed resource is stopped;
 * - a server an operator stopped before is never started;
 * - nothing terminated or deleted (the only deletes are DynamoDB's, on the reactor's table);
 * - per execution: services stopped before servers, servers started before services;
 * - at most one grace-period and one shutdown email (counted once, not per audience) per change that made the key unusable, one restore
 *   email per change that made it usable, and a "usable again" email only after a grace-period email;
 * - an execution that failed (all its retries used up) told the operators; the sweep converges what it
 *   left, and what lost events left;
 * - at most one early warning per key deletion scheduled.
 *
 * CI runs a fixed seed (FC_SEED overrides it, FC_RUNS the number of sequences). A failure reports at once,
 * without shrinking: each run costs seconds against moto.
 */

const SEED = Number(process.env.FC_SEED ?? 20261122);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 15);
const FAULT_RATE = 0.3;
/** Of the failed SendEmail attempts, the share SES refuses for good (MessageRejected): email faults. */
const EMAIL_REFUSAL_SHARE = 0.5;

/** What a real KMS key does with each call: the next state, or a refusal (KMSInvalidStateException). */
type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
const NEXT: Readonly<Record<KeyOperation, (state: KeyState) => KeyState | null>> = {
  DisableKey: (state) => (state === 'PendingDeletion' ? null : 'Disabled'),
  EnableKey: (state) => (state === 'PendingDeletion' ? null : 'Enabled'),
  ScheduleKeyDeletion: (state) => (state === 'PendingDeletion' ? null : 'PendingDeletion'),
  CancelKeyDeletion: (state) => (state === 'PendingDeletion' ? 'Disabled' : null),
};

interface Delivery {
  /** An identical redelivery of the event (same ID): EventBridge's at-least-once. */
  readonly duplicate: boolean;
  /** The same record from a second trail: same call, new event ID. */
  readonly secondTrail: boolean;
  /** Delivered after this many later operations: 0 is in order. */
  readonly lag: number;
  /** Never delivered (a rule disabled, a forwarder deleted): only the sweep can find the change. */
  readonly lost: boolean;
}
interface Step {
  readonly operation: KeyOperation;
  readonly delivery: Delivery;
  /** Milliseconds before the next operation: inside or past the grace period. */
  readonly pause: number;
}
interface Plan {
  readonly steps: readonly Step[];
  readonly faultSeed: number;
}

const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  steps: fc.array(
    fc.record({
      // Mostly flips, which change whether the key is usable; deletions scheduled and cancelled now and then.
      operation: fc.constantFrom<KeyOperation>(
        'DisableKey',
        'EnableKey',
        'DisableKey',
        'EnableKey',
        'ScheduleKeyDeletion',
        'CancelKeyDeletion',
      ),
      delivery: fc.record({
        duplicate: fc.boolean(),
        secondTrail: fc.constantFrom(false, false, false, true),
        lag: fc.constantFrom(0, 0, 1, 2),
        lost: fc.constantFrom(false, false, false, false, false, true),
      }),
      pause: fc.constantFrom(0, 60, 300),
    }),
    // Every length from the start: a small numRuns would otherwise see mostly short sequences.
    { minLength: 1, maxLength: 6, size: 'max' },
  ),
  faultSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

const SERVICE_STOPS = (call: AwsCall) => call.operation === 'UpdateService' && call.input.desiredCount === 0;
const SERVICE_STARTS = (call: AwsCall) =>
  call.operation === 'UpdateService' && Number(call.input.desiredCount) > 0;
const SERVER_STOPS = ['StopInstances', 'StopDBInstance', 'StopDBCluster', 'SuspendProcesses'];
const SERVER_STARTS = ['StartInstances', 'StartDBInstance', 'StartDBCluster', 'ResumeProcesses'];
const FORBIDDEN = /Terminate|Delete|Scale|SetDesiredCapacity|UpdateAutoScalingGroup|Modify|Reboot|Detach/;

type Template = 'grace' | 'shutdown' | 'usable-again' | 'restored' | 'failed' | 'warning' | 'other';
function templateOf(subject: string): Template {
  if (subject.startsWith('Action needed')) return 'failed';
  if (/is scheduled for deletion in /.test(subject)) return 'warning';
  if (/ stops? at |after the grace period|none will stop/.test(subject)) return 'grace';
  if (/usable again: nothing was stopped$/.test(subject)) return 'usable-again';
  if (/usable again: .*restarted/.test(subject)) return 'restored';
  if (/ stopped(, .*)?$|left running/.test(subject)) return 'shutdown';
  return 'other';
}

let reactor: LocalReactor;
let faults: FaultInjector;

beforeAll(async () => {
  reactor = await localReactor({
    graceMs: 100,
    graceSeconds: 600,
    pollMs: 5,
    retryMs: 15,
    leaseRetryMs: 60,
  });
  faults = reactor.faults;
});

afterAll(async () => {
  faults?.stop();
  await reactor?.stop();
});

interface World {
  readonly keyArn: string;
  readonly fleet: FleetMember[];
  /** A registered instance an operator had stopped before anything happened. */
  readonly operatorStopped: FleetMember;
}

async function freshWorld(): Promise<World> {
  const { keyArn, fleet } = await freshKeyWorld(reactor, {
    instances: 2,
    database: false,
    autoScalingInstances: 1,
  });
  const operatorStopped = fleet.find((member) => member.label.startsWith('EC2 instance'));
  if (!operatorStopped) throw new Error('the fleet has no EC2 instance');
  await reactor.clients.ec2.send(
    new StopInstancesCommand({ InstanceIds: [operatorStopped.resourceArn.split('/').pop() ?? ''] }),
  );
  reactor.calls.clear();
  return { keyArn, fleet, operatorStopped };
}

/** Applies the plan's operations to moto (as the real KMS would take them) and delivers their events. */
async function play(
  world: World,
  plan: Plan,
): Promise<{ state: KeyState; disabling: number; enabling: number; deletions: number }> {
  let state: KeyState = 'Enabled';
  let disabling = 0;
  let enabling = 0;
  let deletions = 0;
  const queued: { due: number; event: EventBridgeEvent }[] = [];
  const inFlight: Promise<unknown>[] = [];
  const flush = (now: number) => {
    for (const item of queued.filter((entry) => entry.due <= now)) {
      queued.splice(queued.indexOf(item), 1);
      inFlight.push(deliver(reactor, item.event));
    }
  };

  faults.start({ rate: FAULT_RATE, seed: plan.faultSeed, emailRefusalShare: EMAIL_REFUSAL_SHARE });
  for (const [index, step] of plan.steps.entries()) {
    const next = NEXT[step.operation](state);
    let event: EventBridgeEvent;
    if (next === null) {
      // Real KMS refuses the call; CloudTrail still records it, with the error.
      event = trailEvent(reactor, world.keyArn, step.operation);
      Object.assign(event.detail, { errorCode: 'KMSInvalidStateException', errorMessage: `${state} key` });
    } else {
      // The world's own KMS client: no fault is injected into the customer's call.
      event = await customerCalls(reactor, world.keyArn, step.operation);
      if (state === 'Enabled' && next !== 'Enabled') disabling++;
      if (state !== 'Enabled' && next === 'Enabled') enabling++;
      if (next === 'PendingDeletion') deletions++;
      state = next;
    }
    if (!step.delivery.lost) {
      const due = index + step.delivery.lag;
      queued.push({ due, event });
      if (step.delivery.duplicate) queued.push({ due, event: structuredClone(event) });
      if (step.delivery.secondTrail) queued.push({ due: due + 1, event: fromSecondTrail(event) });
    }
    flush(index);
    await new Promise((resolve) => setTimeout(resolve, step.pause));
  }
  flush(Number.POSITIVE_INFINITY);
  await Promise.all(inFlight);
  await reactor.settle();
  faults.stop();
  return { state, disabling, enabling, deletions };
}

/** A day later by the clock only: the sweep's schedule, past any lease (26 h at most) and failure wait. */
const SWEEP_DELAY_MS = 27 * 60 * 60 * 1000;

/** Runs the real sweep once, with the clock moved on, and waits for the workflows its drift events start. */
async function sweepLater(): Promise<void> {
  fakeDateOnly(Date.now() + SWEEP_DELAY_MS);
  try {
    await reactor.sweep();
    await reactor.settle();
  } finally {
    jest.useRealTimers();
  }
}

function checkCalls(world: World): void {
  const calls = reactor.calls.calls.filter((call) => !call.error);
  // Nothing terminated, deleted, scaled or modified; DynamoDB deletes only in the reactor's table.
  const harmful = calls.filter((call) => call.service !== 'DynamoDB' && FORBIDDEN.test(call.operation));
  expect(harmful.map((call) => `${call.service} ${call.operation}`)).toEqual([]);
  for (const call of calls.filter((c) => c.service === 'DynamoDB' && /Delete|BatchWrite/.test(c.operation))) {
    const tables = call.input.TableName ? [call.input.TableName] : Object.keys(call.input.RequestItems ?? {});
    expect(tables).toEqual([DEMO.tableName]);
  }
  // The server an operator stopped is never started.
  const operatorStoppedId = world.operatorStopped.resourceArn.split('/').pop();
  const started = calls
    .filter((call) => call.operation === 'StartInstances')
    .flatMap((call) => call.input.InstanceIds as string[]);
  expect(started).not.toContain(operatorStoppedId);

  // Per execution: services down before servers, servers up before services.
  for (const execution of reactor.executions) {
    const own = calls.filter((call) => call.execution === execution.name);
    const lastIndex = (match: (call: AwsCall) => boolean) => own.map(match).lastIndexOf(true);
    const firstIndex = (match: (call: AwsCall) => boolean) => own.findIndex(match);
    const serverStop = firstIndex((call) => SERVER_STOPS.includes(call.operation));
    const serviceStart = firstIndex(SERVICE_STARTS);
    const lastServerStart = lastIndex((call) => SERVER_STARTS.includes(call.operation));
    expect({
      execution: execution.name,
      servicesStoppedFirst: serverStop < 0 || lastIndex(SERVICE_STOPS) < serverStop,
      serversStartedFirst: serviceStart < 0 || lastServerStart < serviceStart,
    }).toEqual({ execution: execution.name, servicesStoppedFirst: true, serversStartedFirst: true });
  }
}

/** Who an email copy went to: the key's administrators and the operators each get their own. */
type Audience = 'administrators' | 'operators';
const isAudience = (audience: Audience) => (to: readonly string[]) =>
  to.some((address) => (DEMO[audience] as readonly string[]).includes(address));

/** Copies of `template` to `audience` that SES refused for good (MessageRejected). */
function refusedFor(template: Template, audience: Audience): number {
  return reactor.calls.calls.filter((call) => {
    if (call.operation !== 'SendEmail' || call.error !== 'MessageRejected') return false;
    const to = (call.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? [];
    const subject = (call.input.Message as { Subject?: { Data?: string } } | undefined)?.Subject?.Data ?? '';
    return isAudience(audience)(to) && templateOf(subject) === template;
  }).length;
}

function checkEmails(disabling: number, enabling: number, deletions: number): void {
  // Each email goes out as one copy per audience: the bounds hold for each audience's copies.
  const count = (template: Template, audience: Audience) =>
    sentEmails(reactor.calls).filter(
      (email) => isAudience(audience)(email.to) && templateOf(email.subject) === template,
    ).length;
  for (const audience of ['administrators', 'operators'] as const) {
    expect({ audience, other: count('other', audience) }).toEqual({ audience, other: 0 });
    expect(count('grace', audience)).toBeLessThanOrEqual(disabling);
    expect(count('shutdown', audience)).toBeLessThanOrEqual(disabling);
    expect(count('restored', audience)).toBeLessThanOrEqual(enabling);
    // A "usable again" follows a grace-period email: sent, or refused for good by SES (the administrators
    // then get the news that still matters, "usable again", without the stale grace notice).
    expect(count('usable-again', audience)).toBeLessThanOrEqual(
      count('grace', audience) + refusedFor('grace', audience),
    );
    expect(count('warning', audience)).toBeLessThanOrEqual(deletions);
  }
  // Every failed execution emailed the operators (failures go to them only).
  const failed = reactor.executions.filter((execution) => execution.status === 'FAILED').length;
  expect(count('failed', 'operators')).toBeGreaterThanOrEqual(failed);
}

async function checkConverged(world: World, state: KeyState): Promise<void> {
  const states = await fleetStates(reactor, world.fleet);
  const others = world.fleet.filter((member) => member !== world.operatorStopped);
  expect(states[world.operatorStopped.label]).toBe('stopped');
  if (state === 'Enabled') {
    expect(Object.fromEntries(others.map((m) => [m.label, states[m.label]]))).toEqual(
      Object.fromEntries(others.map((m) => [m.label, 'running'])),
    );
    expect(await reactor.reactor.store.ledger.list(world.keyArn)).toEqual([]);
  } else {
    expect(Object.values(states)).toEqual(world.fleet.map(() => 'stopped'));
  }
}

it(`converges under duplicated, reordered deliveries and ${FAULT_RATE * 100} % AWS faults, emails refused among them (${NUM_RUNS} sequences, seed ${SEED})`, async () => {
  const started = Date.now();
  let sequences = 0;
  let executions = 0;
  let injected = 0;
  let operations = 0;
  let transitions = 0;
  let lost = 0;
  await fc.assert(
    fc.asyncProperty(planArbitrary, async (plan) => {
      sequences++;
      const world = await freshWorld();
      faults.injected.length = 0;
      const { state, disabling, enabling, deletions } = await play(world, plan);
      await sweepLater();
      executions += reactor.executions.length;
      operations += plan.steps.length;
      transitions += disabling + enabling;
      injected += faults.injected.length;
      lost += plan.steps.filter((step) => step.delivery.lost).length;

      checkCalls(world);
      checkEmails(disabling, enabling, deletions);
      await checkConverged(world, state);
      // Email refused on the way was sent by the sweep, once SES took it again, or dropped as stale news.
      expect(await reactor.reactor.store.news.read(world.keyArn)).toEqual([]);
    }),
    { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true, verbose: 1 },
  );
  const seconds = (Date.now() - started) / 1000;
  // One line for the CI log: how much was checked, and how long it took.
  process.stdout.write(
    `property: ${sequences} sequences, ${operations} key operations (${transitions} changed whether the key was usable), ` +
      `${lost} events lost, ${executions} executions, ${injected} injected faults, ${seconds.toFixed(1)} s\n`,
  );
}, 600_000);

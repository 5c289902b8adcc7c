import type { LocalReactor } from '../../sandbox/reactor';
import type { FleetMember } from '../../sandbox/world';
import {
  customerCalls,
  deliver,
  fleetStates,
  freshKeyWorldEachCase,
  fromSecondTrail,
  outputOf,
  statesEntered,
  subjects,
} from '../support/key-world';

// EventBridge delivers at least once: the same event may arrive many times, and CloudTrail's copy of one
// call may arrive from two trails under two event IDs. The whole reactor (moto's EventBridge and rules,
// the dispatcher, the real ASL run locally, the handlers) must act once and email once.

const STOPS = ['UpdateService', 'StopInstances', 'StopDBInstance', 'SuspendProcesses'];

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

// A grace period long enough for five redeliveries to arrive while the execution waits it out.
const timing = { graceMs: 400, graceSeconds: 600, pollMs: 10, retryMs: 40 };
freshKeyWorldEachCase(timing, { autoScalingInstances: 2 }, (world) => {
  ({ reactor, keyArn, fleet } = world);
});

function changes(): string[] {
  return reactor.calls.calls
    .filter((call) => !call.error && STOPS.includes(call.operation))
    .map((c) => c.operation);
}

describe('one event delivered ten times', () => {
  it('starts one execution, stops once and sends one set of emails', async () => {
    // Prepare: the customer disables the key; EventBridge matches the event to the rule once.
    const [first] = await reactor.publish(await customerCalls(reactor, keyArn, 'DisableKey'));
    if (!first) throw new Error('no rule matched DisableKey');

    // Act: nine more deliveries of the very same event, five while the execution waits out its grace
    // period, four once it has ended.
    const during = await Promise.all(Array.from({ length: 5 }, () => deliver(reactor, first.event)));
    await reactor.settle();
    const after = [];
    for (let n = 0; n < 4; n++) after.push(await deliver(reactor, first.event));
    await reactor.settle();

    // Assess
    expect(reactor.executions).toHaveLength(1);
    expect(reactor.executions[0]?.status).toBe('SUCCEEDED');
    const names = new Set([first, ...during, ...after].map((outcome) => outcome.executionName));
    expect(names).toEqual(new Set([first.executionName]));
    // Once the execution has ended, Step Functions answers ExecutionAlreadyExists: counted as a duplicate.
    expect(after.map((outcome) => outcome.duplicate)).toEqual([true, true, true, true]);
    expect(subjects(reactor)).toEqual([
      expect.stringMatching(/disabled: 5 resources stop at /),
      expect.stringMatching(/disabled: 5 resources stopped$/),
    ]);
    // One call per change: UpdateService for the service, SuspendProcesses for the group, StopDBInstance,
    // and StopInstances once for the two instances and once for the group's two (one call per driver).
    expect(changes().sort()).toEqual([
      'StopDBInstance',
      'StopInstances',
      'StopInstances',
      'SuspendProcesses',
      'UpdateService',
    ]);
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'stopped'));
  });
});

describe('the same change delivered from two trails, under two event IDs', () => {
  it('runs both, one after the other; the copy recorded last acts, the other exits without acting, and one set of emails goes out', async () => {
    // Prepare
    const event = await customerCalls(reactor, keyArn, 'DisableKey');

    // Act
    const [fromFirstTrail] = await reactor.publish(event);
    const fromOtherTrail = await deliver(reactor, fromSecondTrail(fromFirstTrail?.event ?? event));
    await reactor.settle();

    // Assess: two executions (their names differ), which held the lease one after the other.
    expect(reactor.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(new Set(reactor.executions.map((execution) => execution.name))).toEqual(
      new Set([fromFirstTrail?.executionName, fromOtherTrail.executionName]),
    );
    const exitedAt = (execution: (typeof reactor.executions)[number], states: readonly string[]) =>
      execution.events.find((e) => e.type === 'StateExited' && states.includes(e.state.name))?.timestamp ??
      Number.POSITIVE_INFINITY;
    const leaseTakenAt = (execution: (typeof reactor.executions)[number]) =>
      exitedAt(execution, ['Take the lease and check the key']);
    const leaseReleasedAt = (execution: (typeof reactor.executions)[number]) =>
      exitedAt(execution, ['Release the key lease', 'Release the lease, a newer change took over']);
    const [first, second] = [...reactor.executions].sort((a, b) => leaseTakenAt(a) - leaseTakenAt(b));
    if (!first || !second) throw new Error('two executions expected');
    expect(leaseReleasedAt(first)).toBeLessThanOrEqual(leaseTakenAt(second));
    // The same call at the same time: the dispatcher records the copy that arrived last as the key's
    // newest change, and the run of the other copy exits once it holds the lease.
    const acting = reactor.executions.find((execution) => execution.name === fromOtherTrail.executionName);
    const stale = reactor.executions.find((execution) => execution.name === fromFirstTrail?.executionName);
    if (!acting || !stale) throw new Error('an execution per copy expected');
    expect(statesEntered(acting)).toEqual(
      expect.arrayContaining(['Take the lease and check the key', 'Shutdown complete']),
    );
    expect(statesEntered(stale)).toContain('A newer change of the key took over, nothing done');
    // Both grace-period notify steps ran; the later stayed silent, saying why.
    const graceNotices = [acting, stale].map((execution) => ({
      execution,
      notified: outputOf(execution, 'Email that the grace period started')?.notified as
        | { sent: number; suppressed?: string }
        | undefined,
    }));
    const silent = graceNotices.filter(({ notified }) => notified?.sent === 0);
    expect(silent).toHaveLength(1);
    const sender = graceNotices.find(({ notified }) => notified?.sent !== 0)?.execution;
    expect(silent[0]?.notified).toEqual({
      sent: 0,
      suppressed: `${sender?.name} sent it already while the key has been unusable`,
    });
    expect(subjects(reactor)).toHaveLength(2);
    // The stale execution stopped nothing.
    const staleChanges = reactor.calls.calls.filter(
      (call) => call.execution === stale.name && STOPS.includes(call.operation),
    );
    expect(staleChanges).toEqual([]);
    expect(changes()).toHaveLength(5);
  });

  it('after a restore, a late copy of the disable is stale: nothing stops and nobody is emailed', async () => {
    // Prepare: disable, then enable; both handled.
    const disable = await customerCalls(reactor, keyArn, 'DisableKey');
    const [delivered] = await reactor.publish(disable);
    await reactor.settle();
    await reactor.publish(await customerCalls(reactor, keyArn, 'EnableKey'));
    await reactor.settle();
    const before = subjects(reactor);

    // Act: the second trail's copy of the disable arrives at last.
    await deliver(reactor, fromSecondTrail(delivered?.event ?? disable));
    await reactor.settle();

    // Assess
    const late = reactor.executions[2];
    if (!late) throw new Error('the late copy started no execution');
    expect(late.status).toBe('SUCCEEDED');
    // The restore is the key's newest change: the late copy's run exits once it holds the lease.
    expect(statesEntered(late)).toContain('A newer change of the key took over, nothing done');
    expect(before).toEqual([
      expect.stringMatching(/stop at /),
      expect.stringMatching(/5 resources stopped$/),
      expect.stringMatching(/usable again: 5 resources restarted$/),
    ]);
    expect(subjects(reactor)).toEqual(before);
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
  });
});

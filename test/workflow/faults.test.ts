import { sentEmails } from '../../sandbox/aws-calls';
import type { FaultInjector } from '../../sandbox/faults';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import {
  customerCalls,
  FAST,
  fleetStates,
  freshKeyWorldEachCase,
  outputOf,
  statesEntered,
  subjects,
} from '../support/key-world';

// AWS throttles and fails. The fault injector (sandbox/faults.ts) fails a share of the handlers' SDK
// attempts before they reach moto; the SDK retries each attempt, the workflows' Retry retries each step.

let reactor: LocalReactor;
let faults: FaultInjector;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase({ ...FAST, graceMs: 50 }, { autoScalingInstances: 2 }, (world) => {
  ({ reactor, keyArn, fleet } = world);
  faults = reactor.faults;
});

afterAll(() => faults?.stop());

it('converges with 30 % of AWS attempts throttled or unavailable: down, then up, three emails', async () => {
  // Prepare
  faults.start({ rate: 0.3, seed: 20261122 });
  faults.injected.length = 0;

  // Act
  await reactor.publish(await customerCalls(reactor, keyArn, 'DisableKey'));
  await reactor.settle();
  faults.stop();
  const down = await fleetStates(reactor, fleet);
  faults.start({ rate: 0.3, seed: 20261123 });
  await reactor.publish(await customerCalls(reactor, keyArn, 'EnableKey'));
  await reactor.settle();
  faults.stop();

  // Assess
  expect(reactor.executions.map((execution) => [execution.workflow, execution.status])).toEqual([
    ['disable', 'SUCCEEDED'],
    ['enable', 'SUCCEEDED'],
  ]);
  expect(Object.values(down)).toEqual(fleet.map(() => 'stopped'));
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
  expect(subjects(reactor)).toEqual([
    expect.stringMatching(/stop at /),
    expect.stringMatching(/5 resources stopped$/),
    expect.stringMatching(/usable again: 5 resources restarted$/),
  ]);
  // Faults were injected, and most never reached a handler: the SDK's own retry absorbed them.
  const failedCalls = reactor.calls.calls.filter((call) => call.error !== undefined);
  expect(faults.injected.length).toBeGreaterThan(20);
  expect(failedCalls.length).toBeLessThan(faults.injected.length / 3);
  expect(faults.injected.some((fault) => fault.error === 'RequestLimitExceeded')).toBe(true);
  expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
});

it('fails the execution and tells the operators when a server never stops within the bounded checks', async () => {
  // Prepare: one EC2 instance accepts StopInstances and keeps running (a declared seam).
  const stuck = fleet.find((member) => member.label.startsWith('EC2 instance'));
  if (!stuck) throw new Error('the fleet has no EC2 instance');
  faults.keepRunning(stuck.resourceArn.split('/').pop() ?? '');

  // Act
  await reactor.publish(await customerCalls(reactor, keyArn, 'DisableKey'));
  await reactor.settle();

  // Assess
  const [execution] = reactor.executions;
  if (!execution) throw new Error('no execution');
  expect(execution.status).toBe('FAILED');
  expect(execution.error?.Error).toBe('ServersDidNotStopInTime');
  expect(execution.error?.Cause).toBe("1 of the key's servers were still not stopped after 60 checks");
  // The bound is the ASL's: 60 observations, then the failure path.
  expect(
    statesEntered(execution).filter((state) => state === 'Check whether the servers stopped'),
  ).toHaveLength(60);
  expect(statesEntered(execution)).toEqual(
    expect.arrayContaining([
      'Servers did not stop in time',
      'Record the failure',
      'Email the operators about the failure',
    ]),
  );
  expect(outputOf(execution, 'Email the operators about the failure')?.notified).toMatchObject({ sent: 1 });
  const failure = sentEmails(reactor.calls).at(-1);
  expect(failure?.to).toEqual([...DEMO.operators]);
  expect(failure?.subject).toMatch(/^Action needed: .*\(ServersDidNotStopInTime\)$/);
  // Everything else did stop, services first; the stuck instance still runs; the lease was given back.
  const states = await fleetStates(reactor, fleet);
  expect(states[stuck.label]).toBe('running');
  expect(
    Object.entries(states)
      .filter(([label]) => label !== stuck.label)
      .map(([, state]) => state),
  ).toEqual(fleet.filter((member) => member !== stuck).map(() => 'stopped'));
  expect((await reactor.reactor.store.outcomes.read(keyArn)).lastFailure).toMatchObject({
    error: 'ServersDidNotStopInTime',
  });
});

import { RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { ExecutionRecord } from '../../sandbox/local-workflows';
import type { LocalReactor } from '../../sandbox/reactor';
import { createCustomerKey, type FleetMember, stockImageId } from '../../sandbox/world';
import {
  customerCalls,
  deliver,
  FAST,
  fleetStates,
  freshKeyWorldEachCase,
  statesEntered,
  subjects,
  trailEvent,
} from '../support/key-world';

// Events are hints; the key's real state, the registry and the ledger decide. Each case runs the real
// workflows against moto, with the events delivered to the real dispatcher.

const CHANGES = [
  'UpdateService',
  'StopInstances',
  'StartInstances',
  'StopDBInstance',
  'StartDBInstance',
  'SuspendProcesses',
  'ResumeProcesses',
];

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase(FAST, { autoScalingInstances: 1 }, (world) => {
  ({ reactor, keyArn, fleet } = world);
});

const ledger = () => reactor.reactor.store.ledger;

function execution(index: number): ExecutionRecord {
  const found = reactor.executions[index];
  if (!found) throw new Error(`no execution #${index}`);
  return found;
}

function changesMade(): { operation: string; input: Record<string, unknown> }[] {
  return reactor.calls.calls.filter((call) => !call.error && CHANGES.includes(call.operation));
}

async function handle(operation: Parameters<typeof customerCalls>[2]): Promise<void> {
  await deliver(reactor, await customerCalls(reactor, keyArn, operation));
  await reactor.settle();
}

/** A running EC2 instance tagged as managed, outside the fleet. */
async function launchInstance(): Promise<{ id: string; arn: string }> {
  const { Instances } = await reactor.clients.ec2.send(
    new RunInstancesCommand({
      ImageId: await stockImageId(reactor.clients.ec2),
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'key-reactor:managed', Value: 'true' }] },
      ],
    }),
  );
  const id = Instances?.[0]?.InstanceId ?? '';
  return { id, arn: `arn:aws:ec2:${reactor.place.region}:${reactor.place.account}:instance/${id}` };
}

it('stops nothing, and says so, for a key that has nothing registered', async () => {
  // Prepare: another key of the same customer, with nothing registered to it.
  const other = await createCustomerKey(reactor.clients, 'Nothing uses this key');

  // Act
  await deliver(reactor, await customerCalls(reactor, other, 'DisableKey'));
  await reactor.settle();

  // Assess
  expect(execution(0).status).toBe('SUCCEEDED');
  expect(statesEntered(execution(0))).toContain('Nothing registered to the key, nothing stopped');
  expect(changesMade()).toEqual([]);
  expect(subjects(reactor)).toEqual([]);
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
});

it('restarts nothing after a cancelled deletion, which leaves the key disabled, until the key is enabled', async () => {
  // Prepare: deletion scheduled, the fleet stopped.
  await handle('ScheduleKeyDeletion');
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'stopped'));
  reactor.calls.clear();

  // Act: CancelKeyDeletion starts the key-enabled workflow, which must find the key Disabled.
  await handle('CancelKeyDeletion');

  // Assess
  expect(execution(1).workflow).toBe('enable');
  expect(statesEntered(execution(1))).toContain('Key still unusable, nothing started');
  expect(changesMade()).toEqual([]);
  expect(subjects(reactor)).toEqual([]);
  expect(await ledger().list(keyArn)).toHaveLength(fleet.length);
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'stopped'));

  // And once the customer enables the key, everything comes back.
  await handle('EnableKey');
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
  expect(await ledger().list(keyArn)).toEqual([]);
});

it('leaves stopped a server an operator had stopped before the key was disabled', async () => {
  // Prepare: an operator stops one registered instance on purpose.
  const [kept] = fleet.filter((member) => member.label.startsWith('EC2 instance'));
  const keptId = kept?.resourceArn.split('/').pop() ?? '';
  await reactor.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [keptId] }));

  // Act
  await handle('DisableKey');
  await handle('EnableKey');

  // Assess: the ledger never had it; every StartInstances left it out.
  const states = await fleetStates(reactor, fleet);
  expect(states[kept?.label ?? '']).toBe('stopped');
  expect(
    Object.entries(states)
      .filter(([label]) => label !== kept?.label)
      .map(([, state]) => state),
  ).toEqual(fleet.filter((member) => member !== kept).map(() => 'running'));
  const started = changesMade()
    .filter((call) => call.operation === 'StartInstances')
    .flatMap((call) => call.input.InstanceIds as string[]);
  expect(started.length).toBeGreaterThan(0);
  expect(started).not.toContain(keptId);
  expect(subjects(reactor)).toEqual([
    expect.stringMatching(/stop at /),
    expect.stringMatching(/stopped$/),
    expect.stringMatching(/usable again: 4 resources restarted$/),
  ]);
});

it('does not start a resource registered while the key was already unusable', async () => {
  // Prepare: the key is disabled and its fleet stopped; then a stopped instance is registered to it.
  await handle('DisableKey');
  const late = await launchInstance();
  await reactor.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [late.id] }));
  await reactor.reactor.store.registry.register({ keyArn, resourceArn: late.arn, layer: 'server' });
  reactor.calls.clear();

  // Act
  await handle('EnableKey');

  // Assess
  const lateMember: FleetMember = { resourceArn: late.arn, layer: 'server', label: 'late instance' };
  expect((await fleetStates(reactor, [lateMember]))['late instance']).toBe('stopped');
  expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
  const started = changesMade()
    .filter((call) => call.operation === 'StartInstances')
    .flatMap((call) => call.input.InstanceIds as string[]);
  expect(started).not.toContain(late.id);
  // The restore email names what the reactor stopped, and not the late one.
  expect(subjects(reactor)).toEqual([expect.stringMatching(/usable again: 5 resources restarted$/)]);
});

it('reads the key, not the event: an EnableKey event for a key still disabled starts nothing', async () => {
  // Prepare
  await handle('DisableKey');
  reactor.calls.clear();

  // Act: a forged or mistaken EnableKey record, with no KMS call behind it.
  await deliver(reactor, trailEvent(reactor, keyArn, 'EnableKey'));
  await reactor.settle();

  // Assess
  expect(statesEntered(execution(1))).toContain('Key still unusable, nothing started');
  expect(changesMade()).toEqual([]);
  expect(subjects(reactor)).toEqual([]);
});

import { kindOf } from '../../lambdas/shared/arn';
import { reactorTags, tagResource } from '../../sandbox/fleet-tags';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import { customerCalls, deliver, FAST, fleetStates, localWorld } from '../support/key-world';

// Issue 14: the stop and start calls are signed by the key's own role, which IAM lets act only on
// resources tagged for that key. A registration made before the tag was the registration (a table row,
// no key tag) must therefore never share a StopInstances call with the key's tagged instances: on AWS the
// whole call would be refused. moto evaluates no IAM, so the test shows the reactor keeping it out of the
// call, saying why, and stopping it once `migrate` (here: the same tags) makes it the key's.

let reactor: LocalReactor;
let keyArn: string;
let tagged: FleetMember;
let legacy: FleetMember;

const idOf = (member: FleetMember) => member.resourceArn.slice(member.resourceArn.lastIndexOf('/') + 1);

/** The instance IDs every successful StopInstances call named. */
const stopped = () =>
  reactor.calls.calls
    .filter((call) => call.operation === 'StopInstances' && !call.error)
    .flatMap((call) => (call.input.InstanceIds as string[] | undefined) ?? []);

beforeAll(async () => {
  let fleet: FleetMember[];
  ({ reactor, keyArn, fleet } = await localWorld(FAST, {
    registered: false,
    instances: 2,
    database: false,
  }));
  const instances = fleet.filter((member) => kindOf(member.resourceArn) === 'ec2-instance');
  [tagged, legacy] = instances as [FleetMember, FleetMember];
  await tagResource(reactor.clients, tagged.resourceArn, reactorTags(keyArn));
  // The legacy registration: a row, and the managed tag the fleet was created with, but no key tag.
  await reactor.reactor.store.registry.register({ keyArn, resourceArn: legacy.resourceArn, layer: 'server' });
  await reactor.reactor.store.registry.setAdministrators(keyArn, DEMO.administrators);
  reactor.calls.clear();
}, 120_000);

afterAll(async () => {
  await reactor?.stop();
});

it('stops the tagged instance, and keeps the legacy one out of the call with the reason', async () => {
  await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
  await reactor.idle();

  expect(reactor.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
  expect(Object.values(await fleetStates(reactor, [tagged, legacy]))).toEqual(['stopped', 'running']);
  expect(stopped()).toEqual([idOf(tagged)]);
  expect(JSON.stringify(reactor.executions[0]?.output)).toMatch(/not tagged key-reactor:key-arn=.*migrate/);
  // Nothing is owed to it on the way up: it was never stopped.
  const ledger = await reactor.reactor.store.ledger.list(keyArn);
  expect(ledger.map((entry) => entry.resourceArn)).toEqual([tagged.resourceArn]);
}, 120_000);

it('stops it too once it carries the key tag', async () => {
  await deliver(reactor, await customerCalls(reactor, keyArn, 'EnableKey'));
  await reactor.idle();
  await tagResource(reactor.clients, legacy.resourceArn, reactorTags(keyArn));
  reactor.calls.clear();

  await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
  await reactor.idle();

  expect(reactor.executions.map((execution) => execution.status)).toEqual([
    'SUCCEEDED',
    'SUCCEEDED',
    'SUCCEEDED',
  ]);
  expect(Object.values(await fleetStates(reactor, [tagged, legacy]))).toEqual(['stopped', 'stopped']);
  expect(stopped().sort()).toEqual([idOf(tagged), idOf(legacy)].sort());
}, 180_000);

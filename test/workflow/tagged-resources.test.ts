import { kindOf } from '../../lambdas/shared/arn';
import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { reactorTags, tagResource } from '../../sandbox/fleet-tags';
import type { LocalReactor } from '../../sandbox/reactor';
import { createCustomerKey, DEMO, type FleetMember } from '../../sandbox/world';
import { customerCalls, deliver, FAST, fleetStates, localWorld } from '../support/key-world';

// Issue 14, "the tag is the registration": the real ASL and handlers on moto, with a fleet no one
// registered through the CLI or the table. What carries the key tag is found by the tagging API (EC2
// instances, ECS services) and, for the Auto Scaling group the tagging API does not list (AWS's nor
// moto's), by DescribeAutoScalingGroups with a tag filter; it is stopped on disable and started on
// enable. An instance tagged for another key is never touched, not even when a wrong table row
// registers it to this key: its tag wins.

let reactor: LocalReactor;
let keyArn: string;
let otherKeyArn: string;
let mine: FleetMember[];
let neighbour: FleetMember;

beforeAll(async () => {
  let fleet: FleetMember[];
  ({ reactor, keyArn, fleet } = await localWorld(FAST, {
    registered: false,
    instances: 2,
    autoScalingInstances: 2,
    database: false,
  }));
  otherKeyArn = await createCustomerKey(reactor.clients, "Another customer's key");
  const instances = fleet.filter((member) => kindOf(member.resourceArn) === 'ec2-instance');
  neighbour = instances[1] as FleetMember;
  mine = fleet.filter((member) => member !== neighbour);
  for (const member of mine) await tagResource(reactor.clients, member.resourceArn, reactorTags(keyArn));
  await tagResource(reactor.clients, neighbour.resourceArn, reactorTags(otherKeyArn));
  // A wrong row: the table says the neighbour is this key's, its tag says another key's.
  await reactor.reactor.store.registry.register({
    keyArn,
    resourceArn: neighbour.resourceArn,
    layer: 'server',
  });
  await reactor.reactor.store.registry.setAdministrators(keyArn, DEMO.administrators);
  reactor.calls.clear();
}, 120_000);

afterAll(async () => {
  await reactor?.stop();
});

const statesOf = async (members: readonly FleetMember[]) =>
  Object.values(await fleetStates(reactor, members));

/** The instance IDs every successful StopInstances and StartInstances call named. */
const instancesActedOn = () =>
  reactor.calls.calls
    .filter((call) => /^(Stop|Start)Instances$/.test(call.operation) && !call.error)
    .flatMap((call) => (call.input.InstanceIds as string[] | undefined) ?? []);

it('stops what is tagged for the key on disable, and leaves what is tagged for another key running', async () => {
  await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
  await reactor.idle();

  expect(reactor.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
  expect(await statesOf(mine)).toEqual(['stopped', 'stopped', 'stopped']);
  expect(await statesOf([neighbour])).toEqual(['running']);
  const neighbourId = neighbour.resourceArn.slice(neighbour.resourceArn.lastIndexOf('/') + 1);
  expect(instancesActedOn()).not.toContain(neighbourId);
  // The key's resources came from the tagging API, filtered to its tag on the kinds the reactor drives,
  // and the groups from Auto Scaling's tag filter.
  const lookups = reactor.calls.of('GetResources').map(({ input }) => input.TagFilters);
  expect(lookups).toContainEqual([{ Key: KEY_ARN_TAG, Values: [keyArn] }]);
  expect(reactor.calls.of('DescribeAutoScalingGroups').map(({ input }) => input.Filters)).toContainEqual([
    { Name: `tag:${KEY_ARN_TAG}`, Values: [keyArn] },
  ]);
}, 120_000);

it('starts them again on enable, and still never touches the other key’s instance', async () => {
  reactor.calls.clear();
  await deliver(reactor, await customerCalls(reactor, keyArn, 'EnableKey'));
  await reactor.idle();

  expect(reactor.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(await statesOf(mine)).toEqual(['running', 'running', 'running']);
  expect(await statesOf([neighbour])).toEqual(['running']);
  const neighbourId = neighbour.resourceArn.slice(neighbour.resourceArn.lastIndexOf('/') + 1);
  expect(instancesActedOn()).not.toContain(neighbourId);
  expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
}, 120_000);

import { randomUUID } from 'node:crypto';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { Workflow } from '../../lambdas/shared/model';
import { type AwsCall, OWN_CREDENTIALS } from '../../sandbox/aws-calls';
import { keyRoleArns } from '../../sandbox/key-roles';
import type { LocalReactor } from '../../sandbox/reactor';
import { createCustomerKey, createFleet, type FleetMember, registerFleet } from '../../sandbox/world';
import { FAST, freshKeyWorldEachCase, keyEventFor } from '../support/key-world';

// Issue 14's tenant isolation, run: the stop and start steps make every stop and start call through the
// key role's session for the execution's key, tagged with it. moto evaluates no IAM policy, so what is
// asserted is who signed each call (the sandbox's call log); the policy that confines such a session
// to its key's resources is asserted on the template (test/infra/key-scoped-role.test.ts).

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase(FAST, { autoScalingInstances: 1 }, (world) => {
  ({ reactor, keyArn, fleet } = world);
});

/** The calls that move a resource down or up: what only a key role may make in AWS. */
const MOVES = new Set([
  'StopInstances',
  'StartInstances',
  'UpdateService',
  'StopDBInstance',
  'StartDBInstance',
  'StopDBCluster',
  'StartDBCluster',
  'SuspendProcesses',
  'ResumeProcesses',
]);
const moves = (calls: readonly AwsCall[]) => calls.filter((call) => MOVES.has(call.operation) && !call.error);

/** The session a key role of the local account gives for `key`, as STS names it. */
function sessionOf(direction: 'stop' | 'start', key: string): string {
  const role = keyRoleArns(reactor.place)[direction].split('/').pop();
  return `arn:aws:sts::${reactor.place.account}:assumed-role/${role}/key-${keyIdOf(key)}`;
}

async function run(workflow: Workflow, key: string) {
  const KeyId = keyIdOf(key);
  await reactor.clients.kms.send(
    workflow === 'disable' ? new DisableKeyCommand({ KeyId }) : new EnableKeyCommand({ KeyId }),
  );
  return reactor.stepFunctions.start(
    workflow,
    `${workflow}-${randomUUID().slice(0, 8)}`,
    keyEventFor(key, { workflow, trigger: workflow === 'disable' ? 'DisableKey' : 'EnableKey' }),
  ).done;
}

describe('the key roles on the sandbox', () => {
  it("signs every stop with the stop key role's session for the key, and every start with the start key role's", async () => {
    // Act
    expect((await run('disable', keyArn)).status).toBe('SUCCEEDED');
    const down = [...reactor.calls.calls];
    reactor.calls.clear();
    expect((await run('enable', keyArn)).status).toBe('SUCCEEDED');
    const up = [...reactor.calls.calls];

    // Assess: each direction's moves, every kind of the fleet among them, all by the key's session.
    for (const [direction, calls] of [
      ['stop', down],
      ['start', up],
    ] as const) {
      const moved = moves(calls);
      expect(new Set(moved.map((call) => call.operation))).toEqual(
        new Set(
          direction === 'stop'
            ? ['UpdateService', 'StopInstances', 'StopDBInstance', 'SuspendProcesses']
            : ['UpdateService', 'StartInstances', 'StartDBInstance', 'ResumeProcesses'],
        ),
      );
      for (const call of moved) {
        expect({ operation: call.operation, signer: call.signer }).toEqual({
          operation: call.operation,
          signer: { principal: sessionOf(direction, keyArn), tags: { [KEY_ARN_TAG]: keyArn } },
        });
      }
      // The role assumed once for the key, with the function's own credentials, through the whole poll loop.
      const assumed = calls.filter((call) => call.operation === 'AssumeRole' && !call.error);
      expect(assumed.map((call) => [call.input.RoleArn, call.signer])).toEqual([
        [keyRoleArns(reactor.place)[direction], OWN_CREDENTIALS],
      ]);
    }
    // The reads stay with the function's own role.
    const reads = [...down, ...up].filter((call) => /^Describe/.test(call.operation));
    expect(reads.length).toBeGreaterThan(0);
    for (const call of reads) expect(call.signer).toEqual(OWN_CREDENTIALS);
  });

  it("signs each key's stops with that key's own session, never another tenant's", async () => {
    // Prepare: a second tenant's key with a fleet of its own, registered to it.
    const otherKey = await createCustomerKey(reactor.clients);
    const otherFleet = await createFleet(reactor.clients, { suffix: '-b', database: false, instances: 1 });
    await registerFleet(reactor, otherKey, otherFleet);
    reactor.calls.clear();

    // Act: both keys disabled at once.
    const outcomes = await Promise.all([run('disable', keyArn), run('disable', otherKey)]);

    // Assess: each stop call names only its own key's resources, and is signed by its own key's session.
    expect(outcomes.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const instanceIds = (members: FleetMember[]) =>
      members.flatMap((member) =>
        member.resourceArn.includes(':instance/') ? [member.resourceArn.split('/').pop()] : [],
      );
    for (const [key, others] of [
      [keyArn, otherFleet],
      [otherKey, fleet],
    ] as const) {
      const stops = reactor.calls.of('StopInstances').filter((call) => call.signer.tags[KEY_ARN_TAG] === key);
      expect(stops.length).toBeGreaterThan(0);
      for (const call of stops) {
        expect(call.signer.principal).toBe(sessionOf('stop', key));
        for (const id of instanceIds(others)) expect(call.input.InstanceIds).not.toContain(id);
      }
    }
    for (const call of moves(reactor.calls.calls)) expect(call.signer.tags[KEY_ARN_TAG]).toBeDefined();
  });
});

import { keyIdOf } from '../../lambdas/shared/arn';
import { sentEmails } from '../../sandbox/aws-calls';
import { cloudTrailEvent } from '../../sandbox/cloudtrail';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import {
  deliver,
  FAST,
  fleetStates,
  freshKeyWorldEachCase,
  statesEntered,
  subjects,
} from '../support/key-world';

// Issue 15: usable means the platform can use the key. The real workflows against moto, the probe
// refused through the sandbox's key seam (moto evaluates no key policy) while the key stays Enabled.

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase(FAST, {}, (world) => {
  ({ reactor, keyArn, fleet } = world);
});

/** What CloudTrail delivers when the customer puts a new key policy. */
function putKeyPolicy() {
  return cloudTrailEvent({
    eventName: 'PutKeyPolicy',
    keyId: keyIdOf(keyArn),
    keyArn,
    account: reactor.place.account,
    region: reactor.place.region,
    userName: 'customer-admin',
    requestParameters: { keyId: keyIdOf(keyArn), policyName: 'default' },
  });
}

const states = async () => new Set(Object.values(await fleetStates(reactor, fleet)));
const toOperators = () =>
  sentEmails(reactor.calls).filter((email) =>
    email.to.some((to) => (DEMO.operators as readonly string[]).includes(to)),
  );

it('a PutKeyPolicy whose probe is denied ends with the fleet stopped after the grace period, the emails saying access was revoked', async () => {
  reactor.keySeam.revokeAccess(keyIdOf(keyArn));

  const outcome = await deliver(reactor, putKeyPolicy());
  await reactor.settle();

  expect(outcome).toMatchObject({ accepted: true });
  const [run] = reactor.executions;
  expect(run?.status).toBe('SUCCEEDED');
  expect(statesEntered(run ?? ({ events: [] } as never))).toEqual(
    expect.arrayContaining([
      'Wait for the grace period',
      'Take the lease and check the key',
      'Stop the servers',
      'Shutdown complete',
    ]),
  );
  expect(await states()).toEqual(new Set(['stopped']));
  expect(subjects(reactor)).toEqual([
    expect.stringMatching(/ access revoked: \d+ resources stop at /),
    expect.stringMatching(/ access revoked: \d+ resources stopped$/),
  ]);
  const [first] = sentEmails(reactor.calls);
  expect(first?.text).toContain(
    'can no longer be used by the platform: access was revoked (key policy or grant)',
  );
});

it('brings the fleet back once access is restored: the PutKeyPolicy probe succeeds and the enable run starts', async () => {
  reactor.keySeam.revokeAccess(keyIdOf(keyArn));
  await deliver(reactor, putKeyPolicy());
  await reactor.settle();

  reactor.keySeam.restoreAccess(keyIdOf(keyArn));
  const outcome = await deliver(reactor, putKeyPolicy());
  await reactor.settle();

  expect(outcome).toMatchObject({ accepted: true, executionName: expect.stringMatching(/^enable-/) });
  expect(reactor.executions.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(await states()).toEqual(new Set(['running']));
  expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
});

it('stops nothing when KMS fails through the grace period: the run fails to the operators, and the next check decides', async () => {
  reactor.keySeam.revokeAccess(keyIdOf(keyArn));
  await deliver(reactor, putKeyPolicy());
  // The run waits out its grace period; KMS fails from now on, on every call.
  reactor.faults.script({ service: 'KMS', operation: '*', error: 'KMSInternalException' });
  await reactor.settle();
  reactor.faults.clearScripted();

  const [run] = reactor.executions;
  expect(run?.status).toBe('FAILED');
  expect(statesEntered(run ?? ({ events: [] } as never))).not.toContain('Stop the services');
  expect(await states()).toEqual(new Set(['running']));
  expect(toOperators().map((email) => email.subject)).toContainEqual(expect.stringMatching(/^Action needed/));
});

it('stops nothing while every KMS call is throttled: the dispatcher probe and the sweep see an outage, never a revocation', async () => {
  reactor.faults.script({ service: 'KMS', operation: '*', error: 'ThrottlingException' });

  const outcome = await deliver(reactor, putKeyPolicy());
  const sweep = await reactor.runSweep().catch((error: Error) => error);
  reactor.faults.clearScripted();

  expect(outcome).toMatchObject({
    accepted: false,
    reason: expect.stringMatching(/an outage, not a revocation/),
  });
  expect(sweep).toMatchObject({ name: 'SweepIncompleteError' });
  expect(reactor.executions).toEqual([]);
  expect(await states()).toEqual(new Set(['running']));
});

import { randomUUID } from 'node:crypto';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import { LocalReactor } from '../../sandbox/reactor';
import { FAST, fleetStates, keyEventFor, keyWorld, statesEntered } from '../support/key-world';
import { workerMoto } from '../support/moto';

// The real ASL over moto, the real handlers in-process, with an Auto Scaling bucket of one token that
// comes back every 10 s and a pacer that holds back any wait over 1 s: each tag read of the groups
// (DescribeAutoScalingGroups) after the first is held back, as when a hundred keys are disabled at once.
// The run must wait for the bucket in the workflow, never fail on it, nor take a held-back read for an
// empty layer.

const PACER = {
  limits: { 'autoscaling:process changes': { request: { burst: 1, refillPerSecond: 0.1 } } },
  maxWaitMs: 1_000,
};

let reactor: LocalReactor;

beforeAll(async () => {
  reactor = await LocalReactor.start({
    ...FAST,
    moto: await workerMoto(),
    settings: { pacing: 'local', pacer: PACER },
  });
});

afterAll(async () => {
  await reactor?.stop();
});

describe('a tag read the pacer holds back', () => {
  it('makes the workflow wait for the rate limits and go on, and every resource is stopped', async () => {
    // Prepare: the key disabled, then the bucket's one token taken by a read through the reactor's own
    // pacer, just before the run.
    const { keyArn, fleet } = await keyWorld(reactor);
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    expect((await reactor.reactor.resources.list(keyArn)).length).toBe(fleet.length);

    // Act
    const disable = await reactor.stepFunctions.start(
      'disable',
      `disable-${randomUUID().slice(0, 8)}`,
      keyEventFor(keyArn, { workflow: 'disable', trigger: 'DisableKey' }),
    ).done;

    // Assess: the count waited for the bucket, then counted the fleet; the run stopped all of it.
    const states = statesEntered(disable);
    expect(disable.status).toBe('SUCCEEDED');
    expect(
      states.filter((s) => s === "Wait for the rate limits on the key's resources").length,
    ).toBeGreaterThan(0);
    // The servers' discovery too (the services' reads no groups, so never waits for them).
    expect(states).toContain('Wait for the rate limits on the servers');
    expect(states).not.toContain('Wait for the rate limits on the services');
    expect(states).not.toContain('Nothing registered to the key, nothing stopped');
    expect(states).toContain('Shutdown complete');
    expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['stopped']));
  }, 180_000);
});

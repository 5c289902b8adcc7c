import { DisableKeyCommand } from '@aws-sdk/client-kms';
import type { Context } from 'aws-lambda';
import { createDescribeKeyHandler } from '../../lambdas/describe-key/describe-key-handler';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { AwsOptions } from '../../lambdas/shared/aws';
import type { Pager } from '../../lambdas/shared/guard';
import type { KeyDescription } from '../../lambdas/shared/key-reader';
import type { RegisteredResource } from '../../lambdas/shared/model';
import { Reactor } from '../../lambdas/shared/reactor';
import { defaultSettings } from '../../lambdas/shared/settings';
import type { KeyInventory } from '../../lambdas/shared/store/inventory';
import { findDrift } from '../../lambdas/shared/sweep/drift';
import { KeyStateSeam } from '../../sandbox/key-seams';
import {
  type AwsClients,
  createCustomerKey,
  createReactorTable,
  DEMO,
  SANDBOX_CREDENTIALS,
  worldClients,
} from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The describe-key step with the guard: what it tells each workflow while the reactor is paused or
// the circuit breaker has tripped, and the sweep's view of a key held back that way.

const REGION = 'us-east-1';
const context = { awsRequestId: 'guard-test', functionName: 'key-reactor-describe-key' } as Context;

interface StepAnswer {
  readonly usable: boolean;
  readonly action: 'shutdown' | 'alert-only';
  readonly heldBack: 'paused' | 'breaker' | 'unconfirmed' | null;
  readonly access?: string;
}

describe('describe-key with the guard', () => {
  let clients: AwsClients;
  let reactor: Reactor;
  let pages: { subject: string; message: string }[];
  let notifier: Pager;
  let awsOptions: AwsOptions;
  // Denies the probe of a revoked key while it stays Enabled (moto evaluates no key policy).
  let seam: KeyStateSeam;
  const revokedKey = async () => {
    const keyArn = await createCustomerKey(clients);
    seam.revokeAccess(keyIdOf(keyArn));
    return keyArn;
  };
  const pick = (r: Reactor) => ({
    keys: r.keys,
    store: r.store,
    guard: r.guard,
    clock: r.clock,
    stepFunctions: r.stepFunctions,
  });

  const handler = (breakerKeys?: number, pager: Pager | undefined = notifier) => {
    reactor = new Reactor(
      defaultSettings({ tableName: DEMO.tableName, breakerKeys }),
      awsOptions,
      () => new Date('2026-11-22T10:00:00Z'),
    );
    const step = createDescribeKeyHandler({ ...pick(reactor), notifier: pager });
    type Input = Parameters<typeof step>[0];
    return (input: Partial<Input> & { keyArn: string }) =>
      step({ executionName: 'run-1', trigger: 'DisableKey', ...input }, context) as Promise<StepAnswer>;
  };

  const disabledKey = async () => {
    const keyArn = await createCustomerKey(clients);
    await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    return keyArn;
  };

  beforeEach(async () => {
    const moto = await workerMoto();
    awsOptions = {
      endpoint: moto.endpoint,
      region: REGION,
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    };
    seam = new KeyStateSeam();
    awsOptions = { ...awsOptions, instrument: [seam.instrument] };
    clients = worldClients(moto.endpoint, REGION);
    await createReactorTable(clients);
    pages = [];
    notifier = {
      page: async (subject, message) => {
        pages.push({ subject, message });
        return true;
      },
    };
  });

  it('lets a disable run stop an unusable key under a shutdown policy, and counts the key', async () => {
    // Prepare
    const step = handler();
    const keyArn = await disabledKey();

    // Act
    const answer = await step({ keyArn, policyAction: 'shutdown' });

    // Assess
    expect(answer).toMatchObject({ usable: false, action: 'shutdown', heldBack: null });
    expect(await reactor.store.guard.shutdownsSince(new Date(0))).toBe(1);
  });

  it('holds a disable run back as alert-only while an operator has paused the reactor', async () => {
    // Prepare
    const step = handler();
    const keyArn = await disabledKey();
    await reactor.guard.pause('alice', 'maintenance');

    // Act
    const answer = await step({ keyArn, policyAction: 'shutdown' });

    // Assess
    expect(answer).toMatchObject({ usable: false, action: 'alert-only', heldBack: 'paused' });
  });

  it('holds an enable run back while paused (the enable workflow passes no policy)', async () => {
    // Prepare
    const step = handler();
    const keyArn = await createCustomerKey(clients);

    // Act
    const before = await step({ keyArn, trigger: 'EnableKey' });
    await reactor.guard.pause('alice', 'maintenance');
    const during = await step({ keyArn, trigger: 'EnableKey' });

    // Assess
    expect(before).toMatchObject({ usable: true, action: 'shutdown', heldBack: null });
    expect(during).toMatchObject({ usable: true, action: 'alert-only', heldBack: 'paused' });
  });

  it('neither counts nor holds back a key that is usable again or whose policy is alert-only', async () => {
    // Prepare
    const step = handler(1);
    const usableKey = await createCustomerKey(clients);
    const alertOnlyKey = await disabledKey();

    // Act
    const usable = await step({ keyArn: usableKey, policyAction: 'shutdown' });
    const alertOnly = await step({ keyArn: alertOnlyKey, policyAction: 'alert-only' });

    // Assess
    expect(usable).toMatchObject({ usable: true, heldBack: null });
    expect(alertOnly).toMatchObject({ usable: false, action: 'alert-only', heldBack: null });
    expect(await reactor.store.guard.shutdownsSince(new Date(0))).toBe(0);
  });

  it('trips the breaker past the limit, holds shutdowns back and pages the operators once', async () => {
    // Prepare
    const step = handler(1);
    const keys = [await disabledKey(), await disabledKey(), await disabledKey()];

    // Act
    const answers = [];
    for (const keyArn of keys) answers.push(await step({ keyArn, policyAction: 'shutdown' }));

    // Assess
    expect(answers.map(({ action, heldBack }) => ({ action, heldBack }))).toEqual([
      { action: 'shutdown', heldBack: null },
      { action: 'alert-only', heldBack: 'breaker' },
      { action: 'alert-only', heldBack: 'breaker' },
    ]);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.subject).toMatch(/circuit breaker tripped/);
    expect(pages[0]?.message).toContain('key-reactor resume');
    expect(pages[0]?.message).toContain(keys[1]);
  });

  it('still holds the shutdown back when the page fails', async () => {
    // Prepare
    const failing: Pager = {
      page: async () => {
        throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
      },
    };
    const step = handler(1, failing);
    await step({ keyArn: await disabledKey(), policyAction: 'shutdown' });

    // Act
    const answer = await step({ keyArn: await disabledKey(), policyAction: 'shutdown' });

    // Assess
    expect(answer).toMatchObject({ action: 'alert-only', heldBack: 'breaker' });
  });

  describe('when the platform access to the key is revoked (issue 15)', () => {
    // The clock reads 10:00. A run whose grace period began at 09:59 saw no denial before it; one whose
    // grace period began at 10:00 or later had the denial recorded by the dispatcher's probe.
    const before = { graceSeconds: 600, stopAt: '2026-11-22T10:09:00Z' };
    const after = { graceSeconds: 600, stopAt: '2026-11-22T10:10:00Z' };

    it('holds the shutdown back until a second check confirms the denial a grace period later', async () => {
      const step = handler();
      const keyArn = await revokedKey();

      const first = await step({ keyArn, policyAction: 'shutdown', ...before });
      const second = await step({ keyArn, policyAction: 'shutdown', ...after });

      expect(first).toMatchObject({
        usable: false,
        access: 'denied',
        action: 'alert-only',
        heldBack: 'unconfirmed',
      });
      expect(second).toMatchObject({ usable: false, access: 'denied', action: 'shutdown', heldBack: null });
      // Counted by the circuit breaker once confirmed, like any other shutdown.
      expect(await reactor.store.guard.shutdownsSince(new Date(0))).toBe(1);
    });

    it("acts as the key's onAccessDenied says: alert-only stops nothing and is not counted", async () => {
      const step = handler();
      const keyArn = await revokedKey();
      await reactor.store.registry.setPolicy(keyArn, { onAccessDenied: 'alert-only' });
      await step({ keyArn, policyAction: 'shutdown', ...before });

      const answer = await step({ keyArn, policyAction: 'shutdown', ...after });

      expect(answer).toMatchObject({ usable: false, action: 'alert-only', heldBack: null });
      expect(await reactor.store.guard.shutdownsSince(new Date(0))).toBe(0);
      expect((await reactor.store.registry.policy(keyArn)).onAccessDenied).toBe('alert-only');
    });

    it('trips the circuit breaker when many keys are denied at once, as a broken reactor role would look', async () => {
      const step = handler(2);
      const keys = [await revokedKey(), await revokedKey(), await revokedKey(), await revokedKey()];
      for (const keyArn of keys) await reactor.store.keyEvents.noteAccessDenied(keyArn);

      const answers = [];
      for (const keyArn of keys) answers.push(await step({ keyArn, policyAction: 'shutdown', ...after }));

      expect(answers.map(({ heldBack }) => heldBack)).toEqual([null, null, 'breaker', 'breaker']);
      expect(pages).toHaveLength(1);
      expect(pages[0]?.subject).toMatch(/circuit breaker tripped/);
    });

    it('starts nothing while access is denied, and a granted probe starts the confirmation over', async () => {
      const step = handler();
      const keyArn = await revokedKey();
      await step({ keyArn, policyAction: 'shutdown', ...before });

      const denied = await step({ keyArn, trigger: 'KeyAccessRestored', workflow: 'enable' });
      seam.restoreAccess(keyIdOf(keyArn));
      const restored = await step({ keyArn, trigger: 'KeyAccessRestored', workflow: 'enable' });
      seam.revokeAccess(keyIdOf(keyArn));
      // 10:00 again, but the denial recorded before access came back no longer counts.
      const revokedAgain = await step({ keyArn, policyAction: 'shutdown', ...before });

      expect(denied).toMatchObject({ usable: false, access: 'denied' });
      expect(restored).toMatchObject({ usable: true, access: 'granted', heldBack: null });
      expect(revokedAgain).toMatchObject({ heldBack: 'unconfirmed' });
    });
  });
});

describe('the sweep after a pause', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const API = 'arn:aws:ecs:us-east-1:111122223333:service/platform/api';
  const DISABLED: KeyDescription = { keyState: 'Disabled', usable: false };
  const resource: RegisteredResource = {
    keyArn: KEY_ARN,
    resourceArn: API,
    kind: 'ecs-service',
    layer: 'service',
    registeredAt: '2026-11-01T00:00:00Z',
  };

  it('does not take the alert-only email sent during a pause for a shutdown key being in sync', async () => {
    // Prepare: the held-back run emailed (alert-only), so the episode's alert-only flag is set.
    const key: KeyInventory = {
      keyArn: KEY_ARN,
      resources: [resource],
      ledgerCount: 0,
      ledger: [],
      alertOnlySent: true,
      policy: { administrators: [], action: 'shutdown', onAccessDenied: 'shutdown', language: 'en' },
    };
    const movable = { stop: async () => [API], restore: async () => [] };

    // Act
    const finding = await findDrift(key, DISABLED, movable, new Date('2026-11-22T11:00:00Z'));

    // Assess: after resume, the next sweep starts the disable workflow that stops the service.
    expect(finding).toMatchObject({ kind: 'drift', workflow: 'disable' });
  });
});

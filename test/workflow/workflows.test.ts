import { randomUUID } from 'node:crypto';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { KeyEvent, Trigger, Workflow } from '../../lambdas/shared/model';
import { sentEmails } from '../../sandbox/aws-calls';
import type { ExecutionRecord, LocalTiming } from '../../sandbox/local-workflows';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import {
  freshKeyWorldEachCase,
  keyEventFor,
  localWorld,
  statesEntered,
  subjects,
} from '../support/key-world';

// The real ASL files, run by aws-local-stepfunctions, with the real handlers in-process against a
// moto server: only the waits are shortened. (moto's DisableKey and EnableKey take a key ID only;
// real KMS takes an ARN too.)

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase({ graceMs: 10 }, {}, (world) => {
  ({ reactor, keyArn, fleet } = world);
});

/** For a case that needs a grace period of its own: a local reactor with those waits, and a new world. */
async function worldWith(timing: LocalTiming): Promise<void> {
  ({ reactor, keyArn, fleet } = await localWorld(timing));
}

function keyEvent(workflow: Workflow, trigger: Trigger): KeyEvent {
  return keyEventFor(keyArn, { workflow, trigger });
}

/** Position of the first successful call of `operation` in the recorded call log. */
function firstCall(
  operation: string,
  where: (input: Record<string, unknown>) => boolean = () => true,
): number {
  return reactor.calls.calls.findIndex(
    (call) => call.operation === operation && !call.error && where(call.input),
  );
}

async function fleetState() {
  const service = fleet.find((member) => member.layer === 'service');
  const [, , , , , resource] = (service?.resourceArn ?? '').split(':');
  const [, cluster, name] = (resource ?? '').split('/');
  const { services } = await reactor.clients.ecs.send(
    new DescribeServicesCommand({ cluster, services: [name ?? ''] }),
  );
  const { Reservations } = await reactor.clients.ec2.send(new DescribeInstancesCommand({}));
  const { DBInstances } = await reactor.clients.rds.send(new DescribeDBInstancesCommand({}));
  return {
    desiredCount: services?.[0]?.desiredCount,
    instances: (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name),
    database: DBInstances?.[0]?.DBInstanceStatus,
  };
}

async function disableAndRun(): Promise<ExecutionRecord> {
  await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
  return reactor.stepFunctions.start(
    'disable',
    `disable-${randomUUID().slice(0, 8)}`,
    keyEvent('disable', 'DisableKey'),
  ).done;
}

describe('the key-disabled workflow', () => {
  it('stops the services, then the servers, after the grace period, and emails the administrators', async () => {
    await worldWith({ graceMs: 100, graceSeconds: 600 });

    const execution = await disableAndRun();

    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(await fleetState()).toEqual({
      desiredCount: 0,
      instances: ['stopped', 'stopped'],
      database: 'stopped',
    });
    const serviceStop = firstCall('UpdateService', (input) => input.desiredCount === 0);
    expect(serviceStop).toBeGreaterThanOrEqual(0);
    expect(firstCall('StopInstances')).toBeGreaterThan(serviceStop);
    expect(firstCall('StopDBInstance')).toBeGreaterThan(serviceStop);
    // One StopInstances call for both instances.
    expect(reactor.calls.of('StopInstances')).toHaveLength(1);
    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining([
        'Wait for the grace period',
        'Take the lease and check the key',
        'Shutdown complete',
      ]),
    );
    // Each email goes to the administrators and, as a copy of its own, to the operators.
    const emails = sentEmails(reactor.calls);
    expect(emails.map((email) => email.to)).toEqual([
      DEMO.administrators,
      DEMO.operators,
      DEMO.administrators,
      DEMO.operators,
    ]);
    expect(emails[0]?.text).toContain(`aws kms enable-key --key-id ${keyArn}`);
    expect(firstCall('SendEmail')).toBeLessThan(serviceStop);
    // The ledger remembers the service's desired count, to restore it later.
    const entries = await reactor.reactor.store.ledger.list(keyArn);
    expect(entries).toHaveLength(fleet.length);
    expect(entries.find((entry) => entry.layer === 'service')?.restore).toEqual({
      desiredCount: DEMO.desiredCount,
    });
  });

  it('stops nothing when the key is enabled again inside the grace period, and holds no lease through it', async () => {
    await worldWith({ graceMs: 1500, graceSeconds: 600 });
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const disable = reactor.stepFunctions.start('disable', 'disable-flap', keyEvent('disable', 'DisableKey'));
    await new Promise((resolve) => setTimeout(resolve, 300));

    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const enable = reactor.stepFunctions.start('enable', 'enable-flap', keyEvent('enable', 'EnableKey'));
    await reactor.settle();

    expect([disable.status, enable.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(statesEntered(disable)).toContain('Key usable again, nothing stopped');
    // The disable workflow takes the lease only after its grace period: the enable workflow did not wait.
    expect(enable.events.some((event) => event.type === 'StateRetried')).toBe(false);
    expect(statesEntered(enable)).toContain('Nothing was stopped, nothing to start');
    for (const operation of ['StopInstances', 'StopDBInstance', 'UpdateService', 'StartInstances']) {
      expect(reactor.calls.of(operation)).toEqual([]);
    }
    expect(await fleetState()).toEqual({
      desiredCount: 2,
      instances: ['running', 'running'],
      database: 'available',
    });
    expect(subjects(reactor)).toHaveLength(2);
  });

  it('records the failure, tells the operators and fails the execution when a step cannot succeed', async () => {
    // KMS cannot find the key, and nothing shows it was deleted (a wrong Region or account looks the
    // same): the key check fails, with the lease held. (A refused email no longer fails a run.)
    reactor.faults.script({ service: 'KMS', operation: 'DescribeKey', error: 'NotFoundException' });
    const execution = await disableAndRun();
    reactor.faults.clearScripted();

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.Error).toBe('KeyNotFoundError');
    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining([
        'Record the failure',
        'Email the operators about the failure',
        'Workflow failed',
      ]),
    );
    expect((await reactor.reactor.store.outcomes.read(keyArn)).lastFailure).toMatchObject({
      error: 'KeyNotFoundError',
    });
    // The lease was given back, so the next workflow for the key does not have to wait for it to expire.
    const retry = await reactor.stepFunctions.start(
      'enable',
      'enable-after-failure',
      keyEvent('enable', 'EnableKey'),
    ).done;
    expect(retry.events.some((event) => event.type === 'StateRetried')).toBe(false);
    expect(reactor.calls.of('StopInstances')).toEqual([]);
  });
});

describe('the key-enabled workflow', () => {
  it('starts the servers, then the services, as they were, and emails once', async () => {
    expect((await disableAndRun()).status).toBe('SUCCEEDED');
    reactor.calls.clear();

    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const execution = await reactor.stepFunctions.start('enable', 'enable-1', keyEvent('enable', 'EnableKey'))
      .done;

    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(await fleetState()).toEqual({
      desiredCount: 2,
      instances: ['running', 'running'],
      database: 'available',
    });
    const serviceStart = firstCall('UpdateService', (input) => input.desiredCount === DEMO.desiredCount);
    expect(firstCall('StartInstances')).toBeGreaterThanOrEqual(0);
    expect(firstCall('StartInstances')).toBeLessThan(serviceStart);
    expect(firstCall('StartDBInstance')).toBeLessThan(serviceStart);
    expect(subjects(reactor)).toHaveLength(1);
    expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
  });

  it('starts nothing while the key is still unusable (an enable event is only a hint)', async () => {
    expect((await disableAndRun()).status).toBe('SUCCEEDED');
    reactor.calls.clear();

    // CancelKeyDeletion leaves a key Disabled: the enable workflow must see that and do nothing.
    const execution = await reactor.stepFunctions.start(
      'enable',
      'enable-2',
      keyEvent('enable', 'CancelKeyDeletion'),
    ).done;

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('Key still unusable, nothing started');
    expect(reactor.calls.of('StartInstances')).toEqual([]);
    expect(sentEmails(reactor.calls)).toEqual([]);
    expect(await reactor.reactor.store.ledger.list(keyArn)).toHaveLength(fleet.length);
  });
});

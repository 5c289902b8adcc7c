import { randomUUID } from 'node:crypto';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { KeyEvent, Trigger, Workflow } from '../../lambdas/shared/model';
import { AwsCallLog, sentEmails } from '../../sandbox/aws-calls';
import { type ExecutionRecord, LocalStepFunctions } from '../../sandbox/local-workflows';
import { type MotoServer, startMoto } from '../../sandbox/moto';
import {
  type AwsClients,
  createCustomerKey,
  createFleet,
  createReactorTable,
  DEMO,
  type FleetMember,
  reactorEnvironment,
  worldClients,
} from '../../sandbox/world';

// The real ASL files, run by aws-local-stepfunctions, with the real handlers in-process against a
// moto server: only the waits are shortened. (moto's DisableKey and EnableKey take a key ID only;
// real KMS takes an ARN too.)

let moto: MotoServer;
let clients: AwsClients;
let calls: AwsCallLog;
let keyArn: string;
let fleet: FleetMember[];
let store: typeof import('../../lambdas/shared/store/registry');
let ledger: typeof import('../../lambdas/shared/store/ledger');

beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: String(DEMO.desiredCount) } });
  Object.assign(process.env, reactorEnvironment(moto.endpoint));
  calls = new AwsCallLog();
  store = await import('../../lambdas/shared/store/registry');
  ledger = await import('../../lambdas/shared/store/ledger');
  clients = worldClients(moto.endpoint);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await createReactorTable(clients);
  keyArn = await createCustomerKey(clients);
  fleet = await createFleet(clients);
  for (const member of fleet)
    await store.register({ keyArn, resourceArn: member.resourceArn, layer: member.layer });
  await store.setAdministrators(keyArn, DEMO.administrators);
  calls.clear();
});

function keyEvent(workflow: Workflow, trigger: Trigger): KeyEvent {
  return {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: '123456789012',
    region: 'us-east-1',
    trigger,
    workflow,
    urgent: false,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    actor: {
      arn: 'arn:aws:iam::123456789012:user/alice',
      sourceIp: '203.0.113.10',
      userAgent: 'aws-cli/2.15.30',
    },
  };
}

function statesEntered(execution: ExecutionRecord): string[] {
  return execution.events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : []));
}

/** Position of the first successful call of `operation` in the recorded call log. */
function firstCall(
  operation: string,
  where: (input: Record<string, unknown>) => boolean = () => true,
): number {
  return calls.calls.findIndex((call) => call.operation === operation && !call.error && where(call.input));
}

async function fleetState() {
  const service = fleet.find((member) => member.layer === 'service');
  const [, , , , , resource] = (service?.resourceArn ?? '').split(':');
  const [, cluster, name] = (resource ?? '').split('/');
  const { services } = await clients.ecs.send(
    new DescribeServicesCommand({ cluster, services: [name ?? ''] }),
  );
  const { Reservations } = await clients.ec2.send(new DescribeInstancesCommand({}));
  const { DBInstances } = await clients.rds.send(new DescribeDBInstancesCommand({}));
  return {
    desiredCount: services?.[0]?.desiredCount,
    instances: (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name),
    database: DBInstances?.[0]?.DBInstanceStatus,
  };
}

async function disableAndRun(sfn: LocalStepFunctions): Promise<ExecutionRecord> {
  await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
  return sfn.start('disable', `disable-${randomUUID().slice(0, 8)}`, keyEvent('disable', 'DisableKey')).done;
}

describe('the key-disabled workflow', () => {
  it('stops the services, then the servers, after the grace period, and emails the administrators', async () => {
    const sfn = new LocalStepFunctions({ graceMs: 100, graceSeconds: 600 });

    const execution = await disableAndRun(sfn);

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
    expect(calls.of('StopInstances')).toHaveLength(1);
    expect(statesEntered(execution)).toEqual(
      expect.arrayContaining(['Wait for the grace period', 'Check the key state', 'Shutdown complete']),
    );
    const emails = sentEmails(calls);
    expect(emails.map((email) => email.to)).toEqual([
      [...DEMO.administrators, ...DEMO.operators],
      [...DEMO.administrators, ...DEMO.operators],
    ]);
    expect(emails[0]?.text).toContain(`aws kms enable-key --key-id ${keyArn}`);
    expect(firstCall('SendEmail')).toBeLessThan(serviceStop);
    // The ledger remembers the service's desired count, to restore it later.
    const entries = await ledger.listLedger(keyArn);
    expect(entries).toHaveLength(fleet.length);
    expect(entries.find((entry) => entry.layer === 'service')?.restore).toEqual({
      desiredCount: DEMO.desiredCount,
    });
  });

  it('stops nothing when the key is enabled again inside the grace period', async () => {
    const sfn = new LocalStepFunctions({ graceMs: 1500, graceSeconds: 600 });
    await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const disable = sfn.start('disable', 'disable-flap', keyEvent('disable', 'DisableKey'));
    await new Promise((resolve) => setTimeout(resolve, 300));

    await clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const enable = sfn.start('enable', 'enable-flap', keyEvent('enable', 'EnableKey'));
    await sfn.settle();

    expect([disable.status, enable.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(statesEntered(disable)).toContain('Key usable again, nothing stopped');
    // The enable workflow waited for the lease the disable workflow held through its grace period.
    expect(enable.events.some((event) => event.type === 'StateRetried')).toBe(true);
    expect(statesEntered(enable)).toContain('Nothing was stopped, nothing to start');
    for (const operation of ['StopInstances', 'StopDBInstance', 'UpdateService', 'StartInstances']) {
      expect(calls.of(operation)).toEqual([]);
    }
    expect(await fleetState()).toEqual({
      desiredCount: 2,
      instances: ['running', 'running'],
      database: 'available',
    });
    expect(sentEmails(calls)).toHaveLength(2);
  });

  it('records the failure, tells the operators and fails the execution when a step cannot succeed', async () => {
    const sfn = new LocalStepFunctions({ graceMs: 10 });
    // An unverified sender makes SES refuse every email: the first notify step fails.
    process.env.SENDER_ADDRESS = 'unverified@platform.example';
    try {
      const execution = await disableAndRun(sfn);

      expect(execution.status).toBe('FAILED');
      expect(execution.error?.Error).toBe('MessageRejected');
      expect(statesEntered(execution)).toEqual(
        expect.arrayContaining([
          'Record the failure',
          'Email the operators about the failure',
          'Workflow failed',
        ]),
      );
      const { readKeyState } = await import('../../lambdas/shared/store/key-state');
      expect((await readKeyState(keyArn)).lastFailure).toMatchObject({ error: 'MessageRejected' });
      // The lease was given back, so the next workflow for the key does not have to wait for it to expire.
      const retry = await new LocalStepFunctions({ graceMs: 10 }).start(
        'enable',
        'enable-after-failure',
        keyEvent('enable', 'EnableKey'),
      ).done;
      expect(retry.events.some((event) => event.type === 'StateRetried')).toBe(false);
      expect(calls.of('StopInstances')).toEqual([]);
    } finally {
      process.env.SENDER_ADDRESS = DEMO.sender;
    }
  });
});

describe('the key-enabled workflow', () => {
  it('starts the servers, then the services, as they were, and emails once', async () => {
    const sfn = new LocalStepFunctions({ graceMs: 10 });
    expect((await disableAndRun(sfn)).status).toBe('SUCCEEDED');
    calls.clear();

    await clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const execution = await sfn.start('enable', 'enable-1', keyEvent('enable', 'EnableKey')).done;

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
    expect(sentEmails(calls)).toHaveLength(1);
    expect(await ledger.listLedger(keyArn)).toEqual([]);
  });

  it('starts nothing while the key is still unusable (an enable event is only a hint)', async () => {
    const sfn = new LocalStepFunctions({ graceMs: 10 });
    expect((await disableAndRun(sfn)).status).toBe('SUCCEEDED');
    calls.clear();

    // CancelKeyDeletion leaves a key Disabled: the enable workflow must see that and do nothing.
    const execution = await sfn.start('enable', 'enable-2', keyEvent('enable', 'CancelKeyDeletion')).done;

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('Key still unusable, nothing started');
    expect(calls.of('StartInstances')).toEqual([]);
    expect(sentEmails(calls)).toEqual([]);
    expect(await ledger.listLedger(keyArn)).toHaveLength(fleet.length);
  });
});

import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import { DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, StartDBInstanceCommand } from '@aws-sdk/client-rds';

import { keyIdOf, kindOf } from '../../lambdas/shared/arn';
import { sentEmails } from '../../sandbox/aws-calls';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember, SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { fakeDateOnly } from '../support/clock';
import {
  customerCalls,
  deliver,
  FAST,
  fleetStates,
  freshKeyWorldEachCase,
  statesEntered,
  subjects,
} from '../support/key-world';

// The sweep is the safety net under the event path. Each case runs the real sweep handler against moto:
// its drift events go through moto's EventBridge with the deployed drift rule to the real dispatcher,
// and the real workflows handle them.

const DAY_MS = 24 * 60 * 60 * 1000;
const RESOURCE_DESCRIBES = [
  'DescribeInstances',
  'DescribeServices',
  'DescribeDBInstances',
  'DescribeAutoScalingGroups',
];

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];

freshKeyWorldEachCase(FAST, {}, (world) => {
  ({ reactor, keyArn, fleet } = world);
  reactor.keySeam.clear(keyIdOf(keyArn));
});

/** Runs one sweep and waits for every workflow its drift events started. */
async function sweep() {
  const result = await reactor.sweep();
  await reactor.settle();
  return result;
}

/**
 * The calls made to `operations`, less the two looks at the whole account every sweep makes whatever its
 * keys' states: the safety net's (a DescribeDBInstances naming no database: encrypted-dependents.ts) and
 * the tag directory's (a DescribeAutoScalingGroups by the key tag, naming no group: tag-directory.ts).
 */
function callsTo(operations: readonly string[]): string[] {
  const accountWide = (call: { operation: string; input: Record<string, unknown> }) =>
    (call.operation === 'DescribeDBInstances' && call.input.DBInstanceIdentifier === undefined) ||
    (call.operation === 'DescribeAutoScalingGroups' && call.input.AutoScalingGroupNames === undefined);
  return reactor.calls.calls
    .filter((call) => operations.includes(call.operation) && !accountWide(call))
    .map((call) => call.operation);
}

describe('sweep: drift', () => {
  it('finds nothing to do for a usable key, with one DescribeKey and no resource describe', async () => {
    const { summary, dispatched } = await sweep();
    expect(summary).toMatchObject({ keys: 1, inSync: 1, drift: 0, busy: 0, failed: 0 });
    expect(dispatched).toEqual([]);
    expect(callsTo(['DescribeKey'])).toEqual(['DescribeKey']);
    expect(callsTo(RESOURCE_DESCRIBES)).toEqual([]);
  });

  it('catches a key disabled with no event and shuts its resources down through the normal path', async () => {
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));

    const { summary, dispatched } = await sweep();

    expect(summary).toMatchObject({ keys: 1, drift: 1 });
    expect(summary.drifts[0]).toMatchObject({ keyArn, workflow: 'disable' });
    expect(summary.drifts[0]?.reason).toMatch(/^the key is Disabled but 4 resources run: /);
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({ accepted: true });
    expect(dispatched[0]?.executionName).toMatch(/^disable-/);
    const [execution] = reactor.executions;
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.input).toMatchObject({ trigger: 'KeyFoundUnusable', keyArn, actor: null });
    expect(statesEntered(execution as never)).toContain('Stop the services');
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'stopped'));
    expect(subjects(reactor)).toEqual([
      expect.stringMatching(/found unusable: .*stop at/),
      expect.stringMatching(/found unusable: 4 resources stopped/),
    ]);

    // In line now: the next sweep starts nothing.
    const again = await sweep();
    expect(again.summary).toMatchObject({ inSync: 1, drift: 0 });
    expect(reactor.executions).toHaveLength(1);
  });

  it('catches a key enabled with no event and restarts what the reactor stopped', async () => {
    await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
    await reactor.settle();
    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));

    const { summary } = await sweep();

    expect(summary.drifts).toEqual([
      expect.objectContaining({ keyArn, workflow: 'enable', reason: expect.stringMatching(/4 resources/) }),
    ]);
    expect(reactor.executions.map((execution) => [execution.workflow, execution.status])).toEqual([
      ['disable', 'SUCCEEDED'],
      ['enable', 'SUCCEEDED'],
    ]);
    expect(reactor.executions[1]?.input).toMatchObject({ trigger: 'KeyFoundUsable' });
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
    expect((await sweep()).summary).toMatchObject({ inSync: 1, drift: 0 });
  });

  it('stops again an RDS database AWS started by itself after 7 days, while the key is still disabled', async () => {
    await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
    await reactor.settle();
    const database = fleet.find((member) => kindOf(member.resourceArn) === 'rds-instance');
    if (!database) throw new Error('the fleet has no RDS instance');
    // What RDS does on the seventh day; moto does not, so the test makes the call AWS would.
    await reactor.clients.rds.send(
      new StartDBInstanceCommand({ DBInstanceIdentifier: database.resourceArn.split(':').pop() }),
    );
    expect((await fleetStates(reactor, [database]))[database.label]).toBe('running');
    const emailsBefore = sentEmails(reactor.calls).length;

    const { summary } = await sweep();

    expect(summary.drifts).toEqual([
      expect.objectContaining({ workflow: 'disable', reason: expect.stringContaining(database.resourceArn) }),
    ]);
    expect(reactor.executions[1]?.status).toBe('SUCCEEDED');
    expect((await fleetStates(reactor, [database]))[database.label]).toBe('stopped');
    // The same unusable episode: its administrators were told already.
    expect(sentEmails(reactor.calls)).toHaveLength(emailsBefore);
    // The ledger still remembers the database as it was before the first stop.
    expect((await sweep()).summary).toMatchObject({ inSync: 1, drift: 0 });
  });

  it('leaves a key alone while a workflow holds its lease', async () => {
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    await reactor.reactor.store.leases.acquire(
      keyArn,
      'disable-someone-else',
      'arn:aws:states:us-east-1:123456789012:execution:key-reactor-disable:disable-someone-else',
      async () => true,
    );

    const { summary, dispatched } = await sweep();

    expect(summary).toMatchObject({ busy: 1, drift: 0 });
    expect(dispatched).toEqual([]);
    expect(callsTo(RESOURCE_DESCRIBES)).toEqual([]);
  });

  it('tells the administrators of an alert-only key once, and stops nothing', async () => {
    await reactor.reactor.store.registry.setPolicy(keyArn, {
      action: 'alert-only',
      administrators: ['admin@customer.example'],
    });
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));

    await sweep();
    await sweep();

    expect(reactor.executions).toHaveLength(1);
    expect(subjects(reactor)).toEqual([
      expect.stringMatching(/found unusable: .*none will stop/),
      expect.stringMatching(/left running \(alert-only\)/),
    ]);
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
  });
});

describe('sweep: early warnings', () => {
  it('warns once for each threshold as imported key material nears its expiry', async () => {
    const validTo = new Date(Date.now() + 40 * DAY_MS);
    reactor.keySeam.setMaterialExpiry(keyIdOf(keyArn), validTo);
    const warnings = () => subjects(reactor).filter((subject) => subject.includes('expires'));
    fakeDateOnly(validTo.getTime() - 40 * DAY_MS);
    const sweepDaysBefore = async (days: number) => {
      jest.setSystemTime(validTo.getTime() - days * DAY_MS);
      await sweep();
    };
    try {
      await sweepDaysBefore(40);
      expect(warnings()).toEqual([]);
      await sweepDaysBefore(20);
      await sweepDaysBefore(19);
      await sweepDaysBefore(8);
      expect(warnings()).toEqual([expect.stringMatching(/expires in 20 days/)]);
      await sweepDaysBefore(5);
      await sweepDaysBefore(2);
      await sweepDaysBefore(0.5);
      await sweepDaysBefore(0.1);
    } finally {
      jest.useRealTimers();
    }
    expect(warnings()).toEqual([
      expect.stringMatching(/expires in 20 days/),
      expect.stringMatching(/expires in 5 days/),
      expect.stringMatching(/less than a day/),
    ]);
    // The key stays usable the whole time: warnings start no workflow.
    expect(reactor.executions).toEqual([]);
  });

  it('warns once that a key is scheduled for deletion, beside the shutdown its missed event needed', async () => {
    await reactor.reactor.store.registry.setPolicy(keyArn, { administrators: ['admin@customer.example'] });
    await reactor.clients.kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyIdOf(keyArn), PendingWindowInDays: 7 }),
    );

    await sweep();
    await sweep();

    const deletionWarnings = sentEmails(reactor.calls).filter((email) =>
      email.subject.includes('scheduled for deletion in'),
    );
    // Once: one copy to the administrators, one to the operators.
    expect(deletionWarnings.map((email) => email.to)).toEqual([['admin@customer.example'], DEMO.operators]);
    expect(reactor.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'stopped'));
  });
});

describe('sweep: the safety net by encryption', () => {
  it('reports a database encrypted with the key and not tagged for it once, to the operators, not every sweep', async () => {
    await reactor.clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'forgotten-db',
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'platform',
        MasterUserPassword: 'not-a-secret-1',
        StorageEncrypted: true,
        KmsKeyId: keyArn,
      }),
    );

    const first = await sweep();
    const second = await sweep();

    expect(first.summary).toMatchObject({ unprotected: 1, unprotectedReported: 1, safetyNetFailed: false });
    expect(second.summary).toMatchObject({ unprotected: 1, unprotectedReported: 0 });
    const reports = sentEmails(reactor.calls).filter((email) =>
      /not protected by the reactor/.test(email.subject),
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]?.to).toEqual([...DEMO.operators]);
    expect(reports[0]?.text).toMatch(/forgotten-db/);
    expect(reports[0]?.text).toMatch(/key-reactor adopt/);
  });
});

describe('sweep: what the reactor cannot stop', () => {
  it('the sweep records it, and the shutdown and restore emails name it without asking EFS on their path', async () => {
    const efs = new EFSClient({
      endpoint: reactor.moto.endpoint,
      region: reactor.place.region,
      credentials: SANDBOX_CREDENTIALS,
    });
    const { FileSystemArn } = await efs.send(
      new CreateFileSystemCommand({ CreationToken: 'tenant-files', Encrypted: true, KmsKeyId: keyArn }),
    );
    await sweep();
    const sweptCalls = reactor.calls.calls.length;
    // The log sees the sweep's look at EFS: the check below that the workflows make none means something.
    expect(reactor.calls.calls.map((call) => call.operation)).toContain('DescribeFileSystems');

    await deliver(reactor, await customerCalls(reactor, keyArn, 'DisableKey'));
    await reactor.settle();
    await deliver(reactor, await customerCalls(reactor, keyArn, 'EnableKey'));
    await reactor.settle();

    const emails = sentEmails(reactor.calls).filter((email) =>
      email.to.some((address) => (DEMO.administrators as readonly string[]).includes(address)),
    );
    expect(emails.map((email) => email.subject)).toEqual([
      expect.stringMatching(/disabled: 4 resources stop at/),
      expect.stringMatching(/disabled: 4 resources stopped/),
      expect.stringMatching(/usable again: 4 resources restarted/),
    ]);
    for (const email of emails) {
      expect(email.text).toContain(
        `${FileSystemArn} | cannot be stopped; its data becomes unreadable while the key is unusable`,
      );
    }
    expect(Object.values(await fleetStates(reactor, fleet))).toEqual(fleet.map(() => 'running'));
    // The workflows read the sweep's one item: no EFS, S3 or ElastiCache call between the two events.
    const onThePath = reactor.calls.calls.slice(sweptCalls).map((call) => call.operation);
    expect(onThePath).not.toContain('DescribeFileSystems');
    expect(onThePath).not.toContain('ListBuckets');
    expect(onThePath).not.toContain('DescribeReplicationGroups');
  });
});

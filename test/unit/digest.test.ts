import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { type DBInstance, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_MANAGED_TAG } from '../../lambdas/shared/contract';
import { createDrivers } from '../../lambdas/shared/drivers';
import { Mailer } from '../../lambdas/shared/email/mailer';
import { DigestNotDeliveredError, SweepIncompleteError } from '../../lambdas/shared/errors';
import { KeyReader } from '../../lambdas/shared/key-reader';
import { EventPublisher } from '../../lambdas/shared/publisher';
import { Digest } from '../../lambdas/shared/sweep/digest';
import { untaggedResources } from '../support/untagged';
import { mockedStore } from './mocked-store';

// The operators' weekly digest (lambdas/shared/sweep/digest.ts) with AWS mocked at the SDK: which keys
// it lists and why, who gets it, the event it puts, and that nothing is sent when no key is at risk.

const { documents, store } = mockedStore();
const kms = mockClient(KMSClient);
const rds = mockClient(RDSClient);
const ses = mockClient(SESClient);
const eventBridge = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);

const NOW = new Date('2026-12-07T08:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const OPERATOR = 'ops@platform.example';
const DISABLE = 'arn:aws:states:us-east-1:111122223333:stateMachine:disable';
const ENABLE = 'arn:aws:states:us-east-1:111122223333:stateMachine:enable';
const keyArn = (n: number) =>
  `arn:aws:kms:us-east-1:111122223333:key/${String(n).padStart(8, '0')}-12ab-34cd-56ef-1234567890ab`;
const dbArn = (name: string) => `arn:aws:rds:us-east-1:111122223333:db:${name}`;
const TAGGED = [{ Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value }];

const digest = new Digest({
  store,
  resources: untaggedResources(store),
  keys: new KeyReader(new KMSClient({ region: 'us-east-1' })),
  drivers: createDrivers(
    {
      ecs: new ECSClient({}),
      ec2: new EC2Client({}),
      rds: new RDSClient({ region: 'us-east-1' }),
      autoscaling: new AutoScalingClient({}),
      applicationAutoScaling: new ApplicationAutoScalingClient({}),
    },
    DEFAULT_MANAGED_TAG,
  ),
  mailer: new Mailer(new SESClient({ region: 'us-east-1' }), {
    senderAddress: 'reactor@platform.example',
    operatorAddresses: [OPERATOR],
  }),
  publisher: new EventPublisher(new EventBridgeClient({ region: 'us-east-1' }), {
    eventBusName: 'platform-bus',
  }),
  stepFunctions: new SFNClient({ region: 'us-east-1' }),
  stateMachineArns: [DISABLE, ENABLE],
  concurrency: 2,
});

/** Keys 1..n, each with one registered database `db-<n>` and an administrator. */
function registered(n: number): void {
  const items = Array.from({ length: n }, (_, index) => [
    { type: 'resource', keyArn: keyArn(index + 1), resourceArn: dbArn(`db-${index + 1}`), layer: 'server' },
    { type: 'policy', keyArn: keyArn(index + 1), administrators: ['dba@customer.example'] },
  ]).flat();
  documents.on(ScanCommand).resolves({ Items: items });
}

function databases(overrides: Readonly<Record<string, Partial<DBInstance>>> = {}): void {
  rds.on(DescribeDBInstancesCommand).callsFake(({ Filters = [] }) => ({
    DBInstances: (Filters[0]?.Values ?? []).map((id: string) => ({
      DBInstanceIdentifier: id,
      DBInstanceStatus: 'available',
      TagList: TAGGED,
      ...overrides[id],
    })),
  }));
}

beforeEach(() => {
  for (const mock of [kms, rds, ses, eventBridge, sfn]) mock.reset();
  kms
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Enabled', Origin: 'AWS_KMS' } });
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  eventBridge.on(PutEventsCommand).callsFake(({ Entries = [] }: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: Entries.map((_, index) => ({ EventId: `e-${index}` })),
  }));
  databases();
});

it('sends nothing, no email and no event, when no key is at risk', async () => {
  registered(2);

  const outcome = await digest.run(NOW);

  expect(outcome).toMatchObject({ keys: 2, keysAtRisk: [], emailed: false, published: false });
  expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  // The week's failed runs of both workflows were looked for, in each way a run ends badly.
  expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 6);
  expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
    stateMachineArn: ENABLE,
    statusFilter: 'TIMED_OUT',
  });
});

describe('with keys at risk', () => {
  beforeEach(() => {
    registered(5);
    // Key 1: KMS deletes it in 10 days. Key 2: the platform may not read it. Key 5: fine.
    kms.on(DescribeKeyCommand, { KeyId: keyArn(1) }).resolves({
      KeyMetadata: {
        KeyId: 'k1',
        KeyState: 'PendingDeletion',
        DeletionDate: new Date(NOW.getTime() + 10 * DAY_MS),
      },
    });
    kms
      .on(DescribeKeyCommand, { KeyId: keyArn(2) })
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    // Key 3: its database is a read replica, which RDS cannot stop.
    databases({ 'db-3': { ReadReplicaSourceDBInstanceIdentifier: 'db-source' } });
    // Key 4: a run failed this week; one of last month is not listed.
    sfn.on(ListExecutionsCommand, { stateMachineArn: DISABLE, statusFilter: 'FAILED' }).resolves({
      executions: [
        {
          executionArn: `${DISABLE}:disable-00000004-a`,
          stateMachineArn: DISABLE,
          name: 'disable-00000004-a',
          status: 'FAILED',
          startDate: new Date(NOW.getTime() - 2 * DAY_MS),
          stopDate: new Date(NOW.getTime() - 2 * DAY_MS + 60_000),
        },
        {
          executionArn: `${DISABLE}:disable-00000005-old`,
          stateMachineArn: DISABLE,
          name: 'disable-00000005-old',
          status: 'FAILED',
          startDate: new Date(NOW.getTime() - 30 * DAY_MS),
          stopDate: new Date(NOW.getTime() - 30 * DAY_MS),
        },
      ],
    });
    sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => ({
      executionArn,
      input: JSON.stringify({ keyArn: executionArn.endsWith('-a') ? keyArn(4) : keyArn(5) }),
    }));
  });

  it('lists each key at risk with its reason, in one email to the operators only', async () => {
    const outcome = await digest.run(NOW);

    expect(outcome.keysAtRisk.map((key) => [key.keyArn, key.risks.map((risk) => risk.kind)])).toEqual([
      [keyArn(1), ['deletion-pending']],
      [keyArn(2), ['access-denied']],
      [keyArn(3), ['cannot-stop']],
      [keyArn(4), ['failed-runs']],
    ]);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const [call] = ses.commandCalls(SendEmailCommand);
    const sent = call?.args[0].input;
    expect(sent?.Destination?.ToAddresses).toEqual([OPERATOR]);
    expect(sent?.Message?.Subject?.Data).toBe('Key reactor weekly digest: 4 keys at risk');
    const text = String(sent?.Message?.Body?.Text?.Data);
    expect(text).toContain('KMS deletes the key at 2026-12-17 08:00 UTC');
    expect(text).toContain('Access denied | KMS refused DescribeKey to the platform (key policy or grant)');
    expect(text).toContain(
      `${dbArn('db-3')} (available (a read replica of db-source, which RDS cannot stop))`,
    );
    expect(text).toContain('disable-00000004-a FAILED at 2026-12-05 08:01 UTC');
    expect(text).not.toContain('disable-00000005-old');
  });

  it('puts one "Key Reactor Digest" event per key at risk on the platform bus, through the shared publisher', async () => {
    const outcome = await digest.run(NOW);

    expect(outcome.published).toBe(true);
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => entry.Resources)).toEqual([
      [keyArn(1)],
      [keyArn(2)],
      [keyArn(3)],
      [keyArn(4)],
    ]);
    expect(entries[0]).toMatchObject({
      EventBusName: 'platform-bus',
      Source: 'key-reactor',
      DetailType: 'Key Reactor Digest',
    });
    const detail = JSON.parse(String(entries[0]?.Detail));
    expect(detail).toMatchObject({
      kind: 'digest',
      keyArn: keyArn(1),
      trigger: 'Digest',
      execution: null,
      resources: [{ arn: dbArn('db-1'), kind: 'rds-instance', outcome: 'unknown' }],
      digest: {
        periodStart: '2026-11-30T08:00:00.000Z',
        periodEnd: '2026-12-07T08:00:00.000Z',
        summary: { 'deletion-pending': 1 },
      },
    });
    expect(JSON.parse(String(entries[3]?.Detail)).digest.summary).toEqual({ 'failed-runs': 1 });
  });

  it('still emails the digest, and says it was not published, when the bus refuses the events', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('bus down'));

    const outcome = await digest.run(NOW);

    expect(outcome).toMatchObject({ emailed: true, published: false });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('sends the digest of the others when KMS does not answer for a key, names it, and fails the run for the alarm', async () => {
    kms
      .on(DescribeKeyCommand, { KeyId: keyArn(5) })
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    await expect(digest.run(NOW)).rejects.toThrow(SweepIncompleteError);
    const text = String(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Body?.Text?.Data);
    expect(text).toContain(`1 key could not be read this week (KMS did not answer)`);
    expect(text).toContain(keyArn(5));
    // The others' events are put; the unread key has none, since it is not known to be at risk.
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.flatMap((entry) => entry.Resources)).not.toContain(keyArn(5));
    expect(entries).toHaveLength(4);
  });

  it('fails, for the alarm, when SES does not take it, and still puts the event', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('quota'), { name: 'Throttling' }));

    await expect(digest.run(NOW)).rejects.toThrow(DigestNotDeliveredError);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });
});

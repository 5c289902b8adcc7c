import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Reactor } from '../../lambdas/shared/reactor';
import { defaultSettings, type ReactorSettings } from '../../lambdas/shared/settings';
import { createSweepHandler } from '../../lambdas/sweep/sweep-handler';
import { mockAccountWithNothingEncrypted } from '../support/empty-account';
import { lambdaContext } from '../support/lambda-context';
import { mockedStore, TEST_TABLE } from './mocked-store';

// The sweep handler with AWS mocked at the SDK: how it pages through the table, how many DescribeKey
// calls it keeps in flight, how it batches drift events, and what a refused event does. What the sweep
// decides against real AWS behaviour is in test/workflow/sweep.test.ts (moto).

const { documents, store } = mockedStore();
const kms = mockClient(KMSClient);
const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESClient);
// The ledger's services, stopped by the reactor and still tagged: startable, so a usable key is drift.
const ecs = mockClient(ECSClient);
// The ECS driver reads each service's scalable target; these services have none.
const scaling = mockClient(ApplicationAutoScalingClient);

const context = lambdaContext('sweep');

/**
 * The sweep as its entry point builds it, on the mocked clients: the platform bus, three DescribeKey
 * calls in flight, a sender address (the mailer needs one), and `settings` on top.
 */
function sweepHandler(settings: Partial<ReactorSettings> = {}) {
  return createSweepHandler(
    new Reactor(
      defaultSettings({
        tableName: TEST_TABLE,
        eventBusName: 'key-lifecycle-reactor',
        sweepConcurrency: 3,
        senderAddress: 'reactor@example.com',
        ...settings,
      }),
    ),
  );
}
const handler = sweepHandler();

const keyArn = (n: number) =>
  `arn:aws:kms:us-east-1:111122223333:key/${String(n).padStart(8, '0')}-12ab-34cd-56ef-1234567890ab`;

/** A key with one ledger entry: usable, it is drift (the reactor still has something to restart). */
function keyItems(n: number) {
  return [
    {
      type: 'resource',
      keyArn: keyArn(n),
      resourceArn: `arn:aws:ecs:us-east-1:111122223333:service/c/s${n}`,
      layer: 'service',
    },
    {
      type: 'ledger',
      keyArn: keyArn(n),
      resourceArn: `arn:aws:ecs:us-east-1:111122223333:service/c/s${n}`,
      layer: 'service',
      restore: { desiredCount: 2 },
    },
  ];
}

beforeEach(() => {
  mockAccountWithNothingEncrypted();
  kms.reset();
  eventBridge.reset();
  ses.reset();
  ecs.reset();
  scaling.reset();
  scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  ecs.on(DescribeServicesCommand).callsFake(({ services = [] }: { services?: string[] }) => ({
    services: services.map((serviceArn) => ({
      serviceArn,
      serviceName: serviceArn.slice(serviceArn.lastIndexOf('/') + 1),
      status: 'ACTIVE',
      desiredCount: 0,
      runningCount: 0,
      pendingCount: 0,
      // Tagged for its key (service s<n> is key n's, keyItems), as the key role needs.
      tags: [
        { key: 'key-reactor:managed', value: 'true' },
        {
          key: 'key-reactor:key-arn',
          value: keyArn(Number(serviceArn.slice(serviceArn.lastIndexOf('/s') + 2))),
        },
      ],
    })),
    failures: [],
  }));
  eventBridge.on(PutEventsCommand).callsFake(({ Entries = [] }) => ({
    FailedEntryCount: 0,
    Entries: Entries.map((_: unknown, index: number) => ({ EventId: `event-${index}` })),
  }));
});

describe('the weekly digest', () => {
  it('runs instead of a sweep when the schedule asks for it, and sends nothing when no key is at risk', async () => {
    documents.on(ScanCommand).resolves({ Items: [] });

    await expect(handler({ digest: true }, context)).resolves.toEqual({
      digest: true,
      keys: 0,
      keysAtRisk: 0,
      emailed: false,
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });
});

describe('the inventory', () => {
  it("follows LastEvaluatedKey to the end, and gathers each key's items across pages", async () => {
    documents
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          {
            type: 'resource',
            keyArn: keyArn(1),
            resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:a',
            layer: 'server',
          },
          { type: 'lease', keyArn: keyArn(1), owner: 'disable-x', expires: 1_900_000_000 },
        ],
        LastEvaluatedKey: { pk: 'KEY#1', sk: 'LEASE' },
      })
      .resolvesOnce({
        Items: [
          { type: 'policy', keyArn: keyArn(1), action: 'alert-only', administrators: ['a@example.com'] },
          {
            type: 'state',
            keyArn: keyArn(1),
            'episode:alert-only': 'disable-y',
            updatedAt: '2026-11-01T00:00:00Z',
          },
          // A key with only a policy: nothing to sweep.
          { type: 'policy', keyArn: keyArn(2), administrators: [] },
        ],
      });

    const keys = await store.inventory();

    expect(documents.commandCalls(ScanCommand)).toHaveLength(2);
    expect(documents.commandCalls(ScanCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'KEY#1',
      sk: 'LEASE',
    });
    expect(keys).toEqual([
      {
        keyArn: keyArn(1),
        resources: [
          expect.objectContaining({
            resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:a',
            kind: 'rds-instance',
            layer: 'server',
          }),
        ],
        ledger: [],
        ledgerCount: 0,
        lease: { owner: 'disable-x', expires: 1_900_000_000 },
        lastOutcomeAt: '2026-11-01T00:00:00Z',
        alertOnlySent: true,
        accessDeniedOnRecord: false,
        policy: {
          administrators: ['a@example.com'],
          action: 'alert-only',
          onAccessDenied: 'shutdown',
          language: 'en',
        },
      },
    ]);
  });
});

describe('the sweep handler', () => {
  it('keeps at most SWEEP_CONCURRENCY DescribeKey calls in flight, and puts drift events 10 to a call', async () => {
    documents.on(ScanCommand).resolves({ Items: Array.from({ length: 23 }, (_, n) => keyItems(n)).flat() });
    let inFlight = 0;
    let mostInFlight = 0;
    kms.on(DescribeKeyCommand).callsFake(async () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { KeyMetadata: { KeyId: 'k', KeyState: 'Enabled' } };
    });

    const result = await handler({}, context);

    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(23);
    expect(mostInFlight).toBe(3);
    expect(result).toMatchObject({ keys: 23, drift: 23, failed: 0 });
    const batches = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(batches.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(batches[0]?.[0]).toMatchObject({
      EventBusName: 'key-lifecycle-reactor',
      Source: 'key-reactor.sweep',
      DetailType: 'Key Drift Detected',
      Resources: [keyArn(0)],
    });
    expect(JSON.parse(String(batches[0]?.[0]?.Detail))).toEqual({
      keyArn: keyArn(0),
      keyState: 'Enabled',
      workflow: 'enable',
      reason: 'the key is Enabled, and 1 resource the reactor stopped is still to be restarted',
      sweepId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
  });

  it('sweeps every other key when one cannot be read, then fails the run so the alarm fires', async () => {
    documents.on(ScanCommand).resolves({ Items: [...keyItems(1), ...keyItems(2), ...keyItems(3)] });
    kms
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Enabled' } })
      .on(DescribeKeyCommand, { KeyId: keyArn(2) })
      .rejects(Object.assign(new Error('KMS is having a bad day'), { name: 'KMSInternalException' }));

    await expect(handler({}, context)).rejects.toThrow(
      '1 key(s) could not be swept, 0 drift event(s) were refused and 0 key(s) missed a warning; see the log lines before this one',
    );
    // The two keys it could read still got their drift events.
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => entry.Resources)).toEqual([[keyArn(1)], [keyArn(3)]]);
  });

  it('takes a key the platform may not describe for revoked access: its drift event says so, the first denial is recorded', async () => {
    documents.on(ScanCommand).resolves({ Items: keyItems(1) });
    documents.on(UpdateCommand).resolves({ Attributes: { accessDeniedSince: '2026-11-22T10:00:00.000Z' } });
    kms
      .on(DescribeKeyCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    // The key's service runs: unusable, the key is drift for the disable workflow.
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceArn: 'arn:aws:ecs:us-east-1:111122223333:service/c/s1',
          serviceName: 's1',
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          tags: [
            { key: 'key-reactor:managed', value: 'true' },
            { key: 'key-reactor:key-arn', value: keyArn(1) },
          ],
        },
      ],
      failures: [],
    });

    const result = await handler({}, context);

    expect(result).toMatchObject({ keys: 1, unreadable: 0, drift: 1, failed: 0 });
    const update = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.UpdateExpression).toContain('accessDeniedSince = if_not_exists(accessDeniedSince, :now)');
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      workflow: 'disable',
      keyState: 'AccessDenied',
      accessRevoked: true,
    });
  });

  it('writes nothing for a healthy key: a granted probe clears only a denial on record, the cannot-stop list only a changed one', async () => {
    // Key 1 had its access denied, and a database the reactor cannot stop; key 2 never had either.
    const onlyResource = (n: number) => keyItems(n).filter((item) => item.type === 'resource');
    documents.on(ScanCommand).resolves({
      Items: [
        ...onlyResource(1),
        { type: 'state', keyArn: keyArn(1), accessDeniedSince: '2026-11-22T10:00:00.000Z' },
        {
          type: 'cannot-stop',
          keyArn: keyArn(1),
          fingerprint: '[["arn:aws:rds:us-east-1:111122223333:db:r"]]',
        },
        ...onlyResource(2),
        { type: 'state', keyArn: keyArn(2), updatedAt: '2026-11-01T00:00:00Z' },
      ],
    });
    documents.on(UpdateCommand).resolves({});
    documents.on(PutCommand).resolves({});
    kms.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => ({
      KeyMetadata: { KeyId, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' },
    }));
    kms.on(GenerateDataKeyWithoutPlaintextCommand).resolves({ CiphertextBlob: new Uint8Array([1]) });

    const result = await handler({}, context);

    expect(result).toMatchObject({ keys: 2, inSync: 2, failed: 0 });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(2);
    const updates = documents.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates).toEqual([
      expect.objectContaining({
        Key: { pk: `KEY#${keyArn(1)}`, sk: 'STATE' },
        UpdateExpression: 'REMOVE accessDeniedSince',
      }),
    ]);
    // Nothing encrypted is found now: key 1's list is emptied, key 2 never had one to write.
    const puts = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(puts).toEqual([expect.objectContaining({ keyArn: keyArn(1), sk: 'CANNOT_STOP', resources: [] })]);
  });

  it('counts a KMS outage as a key not swept, never as drift: nothing is put for it', async () => {
    documents.on(ScanCommand).resolves({ Items: keyItems(1) });
    kms.on(DescribeKeyCommand).rejects(
      Object.assign(new Error('internal'), {
        name: 'KMSInternalException',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    await expect(handler({}, context)).rejects.toThrow('1 key(s) could not be swept');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('fails the run when EventBridge refuses a drift event, so the next sweep and the alarm catch it', async () => {
    documents.on(ScanCommand).resolves({ Items: [...keyItems(1), ...keyItems(2)] });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Enabled' } });
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'event-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(handler({}, context)).rejects.toThrow(
      '0 key(s) could not be swept, 1 drift event(s) were refused',
    );
  });

  it("still puts a key's drift event when its early warning cannot be sent, and fails the run", async () => {
    const handler = sweepHandler({ operatorAddresses: ['ops@example.com'] });
    documents.on(ScanCommand).resolves({ Items: keyItems(1) });
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k',
        KeyState: 'Enabled',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(Date.now() + 5 * 24 * 60 * 60 * 1000),
      },
    });
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Daily quota exceeded'), { name: 'Throttling' }));

    await expect(handler({}, context)).rejects.toThrow('and 1 key(s) missed a warning');

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => entry.Resources)).toEqual([[keyArn(1)]]);
  });
});

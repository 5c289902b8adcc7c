import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createNotifyHandler } from '../../lambdas/notify/notify-handler';
import { LIMITS } from '../../lambdas/shared/contract';
import { Mailer } from '../../lambdas/shared/email/mailer';
import { KeyReader } from '../../lambdas/shared/key-reader';
import { Notifier } from '../../lambdas/shared/notifier';
import { EventPublisher } from '../../lambdas/shared/publisher';
import {
  digestEvent,
  REACTOR_DETAIL_TYPES,
  REACTOR_EVENT_SOURCE,
  type ReactorEvent,
  warningEvent,
  workflowResources,
} from '../../lambdas/shared/reactor-events';
import { createStore } from '../../lambdas/shared/store';
import { lambdaContext } from '../support/lambda-context';
import { untaggedResources } from '../support/untagged';
import { oneRegisteredService } from './mocked-store';
import { EXECUTION_ARN, event, KEY_ARN, PK } from './notify-fixtures';

// The reactor's events: the exact PutEvents entries the publisher sends, what the notify step publishes
// beside its email, and that a publish EventBridge refuses or fails never fails the step.

const BUS = 'key-lifecycle-reactor';
const NOW = new Date('2026-11-22T15:22:40Z');
const ADMIN = 'admin@customer.example';
const OPERATOR = 'ops@platform.example';
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api';
const CONSOLE_URL = `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`;

const eventBridge = mockClient(EventBridgeClient);
const documents = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const kms = mockClient(KMSClient);
mockClient(SNSClient);

const publisher = new EventPublisher(new EventBridgeClient({}), { eventBusName: BUS });
const store = createStore(new DynamoDBClient({}), {
  tableName: 'key-reactor-test',
  leaseSeconds: LIMITS.leaseSeconds,
  clock: () => NOW,
});
const notify = createNotifyHandler({
  store,
  resources: untaggedResources(store),
  keys: new KeyReader(new KMSClient({})),
  mailer: new Mailer(new SESClient({}), {
    senderAddress: 'reactor@platform.example',
    operatorAddresses: [OPERATOR],
  }),
  notifier: new Notifier(new SNSClient({}), {}),
  publisher,
  clock: () => NOW,
});
const context = lambdaContext('notify');

const shutdownInput = {
  keyArn: KEY_ARN,
  executionName: 'disable-a',
  executionArn: EXECUTION_ARN,
  template: 'shutdown-complete' as const,
  event,
  skipped: {
    services: [],
    servers: [
      {
        resourceArn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890',
        reason: 'not tagged key-reactor:managed=true',
      },
    ],
  },
};

const sentEntries = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  eventBridge.reset();
  documents.reset();
  ses.reset();
  kms.reset();
  oneRegisteredService(documents);
  documents.on(GetCommand, { Key: { pk: PK, sk: 'POLICY' } }).resolves({ Item: { administrators: [ADMIN] } });
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Disabled' } });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('the notify step', () => {
  it('puts one event beside its email: the kind, the key, the resources and what became of them, the execution', async () => {
    await expect(notify(shutdownInput, context)).resolves.toMatchObject({ sent: 2, published: 1 });

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [entry] = sentEntries();
    expect(entry).toEqual({
      EventBusName: BUS,
      Source: 'key-reactor',
      DetailType: 'Key Reactor Shutdown Completed',
      Resources: [KEY_ARN],
      Detail: expect.any(String),
      Time: NOW,
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      version: 1,
      kind: 'shutdown-complete',
      keyArn: KEY_ARN,
      keyAccount: '111122223333',
      keyRegion: 'us-east-1',
      trigger: 'DisableKey',
      keyChangedAt: '2026-11-22T15:22:33Z',
      resources: [
        { arn: SERVICE_ARN, kind: 'ecs-service', outcome: 'stopped' },
        {
          arn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890',
          kind: null,
          outcome: 'skipped',
          reason: 'not tagged key-reactor:managed=true',
        },
      ],
      resourceCount: 2,
      execution: { name: 'disable-a', arn: EXECUTION_ARN, consoleUrl: CONSOLE_URL },
      occurredAt: NOW.toISOString(),
    });
  });

  it('never puts an email address on the bus: anyone subscribed to it would read it', async () => {
    await notify(shutdownInput, context);

    const detail = sentEntries()[0]?.Detail ?? '';
    expect(detail).not.toContain(ADMIN);
    expect(detail).not.toContain(OPERATOR);
    expect(detail).not.toMatch(/@/);
  });

  it('gives a grace period its end and the key policy', async () => {
    await notify(
      {
        ...shutdownInput,
        template: 'grace-started',
        skipped: undefined,
        graceSeconds: 600,
        action: 'shutdown',
      },
      context,
    );

    const detail = JSON.parse(sentEntries()[0]?.Detail ?? '{}');
    expect(sentEntries()[0]?.DetailType).toBe('Key Reactor Grace Started');
    expect(detail).toMatchObject({
      kind: 'grace-started',
      graceEndsAt: '2026-11-22T15:32:40.000Z',
      action: 'shutdown',
      resources: [{ arn: SERVICE_ARN, kind: 'ecs-service', outcome: 'will-stop' }],
    });
  });

  it('does not fail when PutEvents fails: the email went, and the workflow goes on', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('connect ETIMEDOUT'));

    await expect(notify(shutdownInput, context)).resolves.toMatchObject({ sent: 2, published: 0 });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
  });

  it('does not fail when EventBridge refuses the entry', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(notify(shutdownInput, context)).resolves.toMatchObject({ sent: 2, published: 0 });
  });
});

describe('the publisher', () => {
  const warning = (n: number): ReactorEvent =>
    warningEvent({
      keyArn: KEY_ARN,
      warning: 'material-expiring',
      dueAt: new Date('2026-11-29T00:00:00Z'),
      thresholdDays: 7,
      resources: [{ arn: `${SERVICE_ARN}-${n}`, kind: 'ecs-service', outcome: 'at-risk' }],
      occurredAt: NOW,
    });

  it('puts at most 10 entries per call, and counts what EventBridge took', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 0,
        Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `e${i}` })),
      })
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e10' }, { ErrorCode: 'ThrottlingException' }],
      });

    const report = await publisher.publish(Array.from({ length: 12 }, (_, n) => warning(n)));

    expect(report).toEqual({ published: 11, failed: 1 });
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length),
    ).toEqual([10, 2]);
  });

  it('puts nothing without a bus, and says so without failing', async () => {
    const busless = new EventPublisher(new EventBridgeClient({}), {});

    await expect(busless.publish([warning(1)])).resolves.toEqual({ published: 0, failed: 0 });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });
});

describe('the schema', () => {
  it('has one detail-type per kind, all distinct, under the one source', () => {
    const types = Object.values(REACTOR_DETAIL_TYPES);
    expect(new Set(types).size).toBe(types.length);
    expect(REACTOR_EVENT_SOURCE).toBe('key-reactor');
    expect(REACTOR_DETAIL_TYPES).toMatchObject({
      'grace-started': 'Key Reactor Grace Started',
      'shutdown-complete': 'Key Reactor Shutdown Completed',
      'service-restored': 'Key Reactor Service Restored',
      'workflow-failed': 'Key Reactor Run Failed',
      'key-warning': 'Key Reactor Key Warning',
      digest: 'Key Reactor Digest',
    });
  });

  it('a grace period of an alert-only key leaves its resources running', () => {
    const resources = [{ resourceArn: SERVICE_ARN, kind: 'ecs-service', layer: 'service' } as const];
    expect(workflowResources('grace-started', resources, { action: 'alert-only' })).toEqual([
      { arn: SERVICE_ARN, kind: 'ecs-service', outcome: 'left-running' },
    ]);
    expect(workflowResources('service-restored', resources)).toEqual([
      { arn: SERVICE_ARN, kind: 'ecs-service', outcome: 'restored' },
    ]);
  });

  it('a digest carries its period and counts, and no execution', () => {
    const digest = digestEvent({
      keyArn: KEY_ARN,
      resources: [],
      occurredAt: NOW,
      periodStart: new Date('2026-11-15T00:00:00Z'),
      periodEnd: new Date('2026-11-22T00:00:00Z'),
      summary: { runs: 3, stopped: 2 },
    });

    expect(digest).toEqual({
      'detail-type': 'Key Reactor Digest',
      detail: {
        version: 1,
        kind: 'digest',
        keyArn: KEY_ARN,
        keyAccount: '111122223333',
        keyRegion: 'us-east-1',
        trigger: 'Digest',
        resources: [],
        resourceCount: 0,
        execution: null,
        occurredAt: NOW.toISOString(),
        digest: {
          periodStart: '2026-11-15T00:00:00.000Z',
          periodEnd: '2026-11-22T00:00:00.000Z',
          summary: { runs: 3, stopped: 2 },
        },
      },
    });
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { MessageRejected, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createNotifyHandler } from '../../lambdas/notify/notify-handler';
import { LIMITS } from '../../lambdas/shared/contract';
import { Mailer } from '../../lambdas/shared/email/mailer';
import type { EmailTemplate } from '../../lambdas/shared/email/types';
import { InvalidInputError } from '../../lambdas/shared/errors';
import { KeyReader } from '../../lambdas/shared/key-reader';
import { Notifier } from '../../lambdas/shared/notifier';
import { EventPublisher } from '../../lambdas/shared/publisher';
import { createStore } from '../../lambdas/shared/store';
import { lambdaContext } from '../support/lambda-context';
import { untaggedResources } from '../support/untagged';
import { oneRegisteredService } from './mocked-store';
import { EXECUTION_ARN, event, KEY_ARN, PK } from './notify-fixtures';

// The notify step with AWS mocked at the SDK: a failed email never fails the step, is marked sent only
// once SES took it, is kept for the sweep and paged to the operators when SES did not; administrators and
// operators get separate messages; addresses are checked when registered and when read.

const TABLE = 'key-reactor-test';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:key-reactor-operators';
const OPERATOR = 'ops@platform.example';
const ADMIN = 'admin@customer.example';
const NOW = new Date('2026-11-22T15:22:40Z');

const documents = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const sns = mockClient(SNSClient);
const kms = mockClient(KMSClient);

const store = createStore(new DynamoDBClient({}), {
  tableName: TABLE,
  leaseSeconds: LIMITS.leaseSeconds,
  clock: () => NOW,
});
const mailer = (operators: readonly string[] = [OPERATOR]) =>
  new Mailer(new SESClient({}), { senderAddress: 'reactor@platform.example', operatorAddresses: operators });
const parts = (operators?: readonly string[]) => ({
  store,
  resources: untaggedResources(store),
  keys: new KeyReader(new KMSClient({})),
  mailer: mailer(operators),
  notifier: new Notifier(new SNSClient({}), { topicArn: TOPIC }),
  // No bus: the events are publisher.test.ts's.
  publisher: new EventPublisher(new EventBridgeClient({}), {}),
  clock: () => NOW,
});
const handler = createNotifyHandler(parts());
const context = lambdaContext('notify');

function input(template: EmailTemplate, extra: Record<string, unknown> = {}) {
  return {
    keyArn: KEY_ARN,
    executionName: 'disable-a',
    executionArn: EXECUTION_ARN,
    template,
    event,
    ...extra,
  };
}

const rejected = () => new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });

/** The key's POLICY item holds `administrators`. */
function administrators(addresses: readonly string[]) {
  documents
    .on(GetCommand, { Key: { pk: PK, sk: 'POLICY' } })
    .resolves({ Item: { administrators: [...addresses] } });
}

const updates = () => documents.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const puts = () => documents.commandCalls(PutCommand).map((call) => call.args[0].input);
const destinations = () =>
  ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses);
const emailKey = (template: string) => ({ pk: PK, sk: `EMAIL#disable-a#${template}` });
const keptNews = () => puts().find((put) => String(put.Item?.sk).startsWith('NEWS#'));

beforeEach(() => {
  documents.reset();
  ses.reset();
  sns.reset();
  kms.reset();
  oneRegisteredService(documents);
  administrators([ADMIN]);
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Disabled' } });
  sns.on(PublishCommand).resolves({ MessageId: 'page-1' });
});

describe('an email SES refuses', () => {
  beforeEach(() => {
    ses.on(SendEmailCommand).rejects(rejected());
  });

  it('does not fail the step: the workflow goes on', async () => {
    await expect(
      handler(input('grace-started', { graceSeconds: 600, action: 'shutdown' }), context),
    ).resolves.toEqual({
      sent: 0,
      subject: 'Key 1234abcd disabled: 1 resource stops at 15:32 UTC',
      published: 0,
      undelivered: ['administrators', 'operators'],
      paged: true,
    });
  });

  it('is never marked sent, and gives its per-episode slot back so that a later attempt sends it', async () => {
    await handler(input('grace-started', { graceSeconds: 600 }), context);

    expect(updates().filter((update) => update.ExpressionAttributeValues?.[':sent'] === 'sent')).toEqual([]);
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: emailKey('grace-started'),
        ExpressionAttributeValues: expect.objectContaining({
          ':refused': 'refused',
          ':reason': expect.stringContaining('MessageRejected: Email address is not verified.'),
        }),
      }),
    );
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'STATE' },
        UpdateExpression: 'REMOVE #slot',
        ConditionExpression: '#slot = :execution',
        ExpressionAttributeNames: { '#slot': 'episode:grace-started' },
        ExpressionAttributeValues: { ':execution': 'disable-a' },
      }),
    );
  });

  it("is kept as the key's undelivered news, with what it is rendered from", async () => {
    const skipped = {
      services: [],
      servers: [{ resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', reason: 'not tagged' }],
    };
    await handler(input('shutdown-complete', { skipped }), context);

    expect(keptNews()?.Item).toEqual({
      pk: PK,
      sk: 'NEWS#story',
      type: 'news',
      keyArn: KEY_ARN,
      news: {
        keyArn: KEY_ARN,
        template: 'shutdown-complete',
        executionName: 'disable-a',
        executionArn: EXECUTION_ARN,
        event,
        skipped: skipped.servers,
        id: 'disable-a#shutdown-complete',
        attemptedAt: NOW.toISOString(),
        pending: ['administrators', 'operators'],
        attempts: 1,
        lastError: expect.stringMatching(
          /^administrators: MessageRejected: .*; operators: MessageRejected: /,
        ),
      },
    });
  });

  it('pages the operators through SNS, with the email it could not send, and records the page', async () => {
    await handler(input('shutdown-complete'), context);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const page = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(page?.TopicArn).toBe(TOPIC);
    expect(page?.Subject).toBe('Key reactor: email about key 1234abcd not delivered');
    expect(page?.Message).toContain(`about the customer key ${KEY_ARN}`);
    expect(page?.Message).toContain(
      "- the key's administrators: MessageRejected: Email address is not verified.",
    );
    expect(page?.Message).toContain('- the operators: MessageRejected');
    expect(page?.Message).toContain('tries again at every sweep');
    expect(page?.Message).toContain('Subject: Key 1234abcd disabled: 1 resource stopped');
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'NEWS#story' },
        UpdateExpression: 'SET #news.pagedAt = :at',
        ConditionExpression: '#news.id = :id',
      }),
    );
  });

  it('does not fail the step when SNS refuses the page too', async () => {
    sns.on(PublishCommand).rejects(new Error('topic gone'));

    await expect(handler(input('shutdown-complete'), context)).resolves.toEqual(
      expect.objectContaining({ sent: 0, paged: false }),
    );
    expect(keptNews()).toBeDefined();
    expect(updates().filter((update) => update.UpdateExpression?.includes('pagedAt'))).toEqual([]);
  });

  it('keeps what only one audience missed: the other got its copy', async () => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    ses.on(SendEmailCommand, { Destination: { ToAddresses: [ADMIN] } }).rejects(rejected());

    await expect(handler(input('shutdown-complete'), context)).resolves.toEqual(
      expect.objectContaining({ sent: 1, undelivered: ['administrators'], paged: true }),
    );
    expect(keptNews()?.Item?.news).toEqual(expect.objectContaining({ pending: ['administrators'] }));
  });

  it('still fails the step when the table fails, so that its Retry runs it again', async () => {
    documents.on(PutCommand, { Item: { sk: 'NEWS#story' } }).rejects(new Error('table unavailable'));

    await expect(handler(input('shutdown-complete'), context)).rejects.toThrow('table unavailable');
  });
});

describe('an email SES accepts', () => {
  beforeEach(() => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('goes to the administrators and the operators as separate messages, then is marked sent', async () => {
    await expect(handler(input('shutdown-complete'), context)).resolves.toEqual({
      sent: 2,
      subject: 'Key 1234abcd disabled: 1 resource stopped',
      published: 0,
    });

    expect(destinations()).toEqual([[ADMIN], [OPERATOR]]);
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: emailKey('shutdown-complete'),
        ExpressionAttributeValues: expect.objectContaining({ ':sent': 'sent' }),
      }),
    );
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('supersedes the undelivered news of its slot: what waited there is stale', async () => {
    await handler(input('shutdown-complete'), context);

    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'NEWS#story' },
        UpdateExpression: 'REMOVE #news SET #ttl = :ttl',
      }),
    );
    expect(keptNews()).toBeUndefined();
  });

  it('sends a failed run to the operators only, and keeps it apart from the key story', async () => {
    await handler(input('workflow-failed', { error: { Error: 'LeaseTakenError', Cause: 'held' } }), context);

    expect(destinations()).toEqual([[OPERATOR]]);
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'NEWS#failure' },
        UpdateExpression: 'REMOVE #news SET #ttl = :ttl',
      }),
    );
  });

  it('gives an operator who administers the key the administrators copy only', async () => {
    administrators([ADMIN, OPERATOR]);

    await handler(input('shutdown-complete'), context);

    expect(destinations()).toEqual([[ADMIN, OPERATOR]]);
  });

  it('leaves a stored address SES would refuse out of the email, and pages the operators about it', async () => {
    administrators([ADMIN, 'dba at customer', 'Eve <eve@customer.example>']);

    await handler(input('shutdown-complete'), context);

    expect(destinations()).toEqual([[ADMIN], [OPERATOR]]);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'Key reactor: invalid administrator address for key 1234abcd',
      Message: expect.stringContaining('- "dba at customer"\n- "Eve <eve@customer.example>"'),
    });
  });

  it('sends nothing again for a step retried after SES took it', async () => {
    documents.on(GetCommand, { Key: emailKey('shutdown-complete') }).resolves({ Item: { status: 'sent' } });

    await expect(handler(input('shutdown-complete'), context)).resolves.toEqual({
      sent: 0,
      suppressed: 'this execution sent it already (a retried step)',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('sends again a step retried after SES refused it, taking the episode slot back', async () => {
    documents
      .on(GetCommand, { Key: emailKey('shutdown-complete') })
      .resolves({ Item: { status: 'refused' } });

    await expect(handler(input('shutdown-complete'), context)).resolves.toEqual(
      expect.objectContaining({ sent: 2 }),
    );
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'STATE' },
        ConditionExpression: 'attribute_not_exists(#slot) OR #slot = :execution',
      }),
    );
  });
});

describe('a shutdown the reactor held back', () => {
  beforeEach(() => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it.each([
    [null, 'Key 1234abcd disabled: 1 resource left running (alert-only)', "The key's policy is alert-only"],
    [
      'paused',
      'Key 1234abcd disabled: 1 resource left running (reactor paused)',
      'The reactor is paused: nothing was stopped.',
    ],
    [
      'breaker',
      'Key 1234abcd disabled: 1 resource left running (shutdown held back)',
      "The reactor's circuit breaker held the shutdown back: nothing was stopped.",
    ],
  ])('says why nothing stopped (heldBack %s)', async (heldBack, subject, says) => {
    await handler(input('alert-only', { heldBack }), context);

    const sent = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message;
    expect(sent?.Subject?.Data).toBe(subject);
    expect(sent?.Body?.Text?.Data).toContain(says);
  });
});

describe('administrator addresses when registered', () => {
  it('refuses an address SES would refuse, naming it, and writes nothing', async () => {
    await expect(store.registry.setAdministrators(KEY_ARN, [ADMIN, 'dba@customer'])).rejects.toThrow(
      new InvalidInputError(
        'administrators: "dba@customer" is not an email address SES accepts (name@example.com, without a display name)',
      ),
    );
    await expect(
      store.registry.setPolicy(KEY_ARN, { administrators: ['"Eve" <eve@x.example>'] }),
    ).rejects.toThrow('administrators: ""Eve" <eve@x.example>" is not an email address');
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('keeps valid addresses', async () => {
    await store.registry.setAdministrators(KEY_ARN, [ADMIN, 'dba+keys@customer.example']);

    expect(updates()[0]?.ExpressionAttributeValues?.[':administrators']).toEqual([
      ADMIN,
      'dba+keys@customer.example',
    ]);
  });
});

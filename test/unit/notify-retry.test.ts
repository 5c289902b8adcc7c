import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { MessageRejected, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LIMITS } from '../../lambdas/shared/contract';
import { relevance } from '../../lambdas/shared/email/courier';
import { EmailNotAcceptedError, Mailer } from '../../lambdas/shared/email/mailer';
import type { EmailTemplate } from '../../lambdas/shared/email/types';
import { Notifier, snsSubject } from '../../lambdas/shared/notifier';
import { EventPublisher } from '../../lambdas/shared/publisher';
import { createStore } from '../../lambdas/shared/store';
import type { KeyInventory } from '../../lambdas/shared/store/inventory';
import type { UndeliveredNews } from '../../lambdas/shared/store/news';
import { SweepMail } from '../../lambdas/shared/sweep/emails';
import { untaggedResources } from '../support/untagged';
import { oneRegisteredService } from './mocked-store';
import { EXECUTION_ARN, event, KEY_ARN, PK } from './notify-fixtures';

// The sweep's side of email off the critical path, with AWS mocked at the SDK: it sends again what SES
// did not accept, rendered from the facts as they are now, drops what is no longer true, pages the
// operators once; its early warnings go the same way. And the operators' page itself (Notifier).

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:key-reactor-operators';
const OPERATOR = 'ops@platform.example';
const ADMIN = 'admin@customer.example';
const ATTEMPTED = new Date('2026-11-22T15:22:40Z');
const MINUTE_MS = 60 * 1000;

const BUS = 'key-lifecycle-reactor';

const documents = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const ses = mockClient(SESClient);
const sns = mockClient(SNSClient);

let now = ATTEMPTED;
const clock = () => now;
const store = createStore(new DynamoDBClient({}), {
  tableName: 'key-reactor-test',
  leaseSeconds: LIMITS.leaseSeconds,
  clock,
});
const mail = new SweepMail({
  store,
  resources: untaggedResources(store),
  mailer: new Mailer(new SESClient({}), {
    senderAddress: 'reactor@platform.example',
    operatorAddresses: [OPERATOR],
  }),
  notifier: new Notifier(new SNSClient({}), { topicArn: TOPIC }),
  publisher: new EventPublisher(new EventBridgeClient({}), { eventBusName: BUS }),
  warningDays: [30, 7, 1],
  clock,
});

function news(template: EmailTemplate, extra: Partial<UndeliveredNews> = {}): UndeliveredNews {
  return {
    keyArn: KEY_ARN,
    template,
    executionName: 'disable-a',
    executionArn: EXECUTION_ARN,
    event,
    id: `disable-a#${template}`,
    attemptedAt: ATTEMPTED.toISOString(),
    pending: ['administrators', 'operators'],
    attempts: 1,
    lastError: 'administrators: MessageRejected: Email address is not verified.',
    ...extra,
  };
}

function key(undelivered: readonly UndeliveredNews[] = []): KeyInventory {
  return {
    keyArn: KEY_ARN,
    resources: [
      {
        keyArn: KEY_ARN,
        resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
        kind: 'ecs-service',
        layer: 'service',
        registeredAt: '2026-11-01T00:00:00Z',
      },
    ],
    ledgerCount: 0,
    ledger: [],
    alertOnlySent: false,
    policy: { administrators: [ADMIN], action: 'shutdown', onAccessDenied: 'shutdown', language: 'en' },
    undelivered,
  };
}

/** The email log's record of the execution's email says `status`. */
function emailRecord(template: EmailTemplate, status: string) {
  documents
    .on(GetCommand, { Key: { pk: PK, sk: `EMAIL#disable-a#${template}` } })
    .resolves({ Item: { status } });
}

const updates = () => documents.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const sentEmails = () =>
  ses.commandCalls(SendEmailCommand).map(({ args: [{ input }] }) => ({
    to: input.Destination?.ToAddresses,
    subject: input.Message?.Subject?.Data,
    text: input.Message?.Body?.Text?.Data ?? '',
  }));
const cleared = (template: EmailTemplate) =>
  expect.objectContaining({
    Key: { pk: PK, sk: template === 'workflow-failed' ? 'NEWS#failure' : 'NEWS#story' },
    UpdateExpression: 'REMOVE #news SET #ttl = :ttl',
    ConditionExpression: '#news.id = :id',
    ExpressionAttributeValues: expect.objectContaining({ ':id': `disable-a#${template}` }),
  });

beforeEach(() => {
  now = new Date(ATTEMPTED.getTime() + 2 * MINUTE_MS);
  documents.reset();
  ses.reset();
  sns.reset();
  oneRegisteredService(documents);
  documents.on(GetCommand, { Key: { pk: PK, sk: 'POLICY' } }).resolves({ Item: { administrators: [ADMIN] } });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  sns.on(PublishCommand).resolves({ MessageId: 'page-1' });
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('the sweep sending undelivered news again', () => {
  it('sends a grace-period notice with the time left, to each audience apart, then marks it sent and clears it', async () => {
    emailRecord('grace-started', 'refused');

    await expect(
      mail.resendUndelivered(key([news('grace-started', { graceSeconds: 600 })]), false),
    ).resolves.toEqual({ resent: 1, left: 0 });

    const emails = sentEmails();
    expect(emails.map((email) => email.to)).toEqual([[ADMIN], [OPERATOR]]);
    // The stop time the run set, 10 minutes after it first tried: 8 minutes from now.
    expect(emails[0]?.subject).toBe('Key 1234abcd disabled: 1 resource stops at 15:32 UTC');
    expect(emails[0]?.text).toContain('by 2026-11-22 15:32 UTC (in 8 minutes)');
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'EMAIL#disable-a#grace-started' },
        ExpressionAttributeValues: expect.objectContaining({ ':sent': 'sent' }),
      }),
    );
    expect(updates()).toContainEqual(cleared('grace-started'));
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('takes the episode slot back for the execution it sends for', async () => {
    emailRecord('shutdown-complete', 'refused');

    await mail.resendUndelivered(key([news('shutdown-complete')]), false);

    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'STATE' },
        ExpressionAttributeNames: expect.objectContaining({ '#slot': 'episode:shutdown-complete' }),
        ExpressionAttributeValues: expect.objectContaining({ ':execution': 'disable-a' }),
      }),
    );
  });

  it('sends only to the audience that missed it', async () => {
    emailRecord('shutdown-complete', 'refused');

    await mail.resendUndelivered(key([news('shutdown-complete', { pending: ['administrators'] })]), false);

    expect(sentEmails().map((email) => email.to)).toEqual([[ADMIN]]);
  });

  it.each([
    ['grace-started', false, 11, 'the grace period is over'],
    ['shutdown-complete', true, 2, 'the key is usable again'],
    ['alert-only', true, 2, 'the key is usable again'],
    ['service-restored', false, 2, 'the key is unusable again'],
    ['key-usable-again', false, 2, 'the key is unusable again'],
  ] as const)(
    'drops %s once it is no longer true (key usable: %s)',
    async (template, usable, minutes, why) => {
      now = new Date(ATTEMPTED.getTime() + minutes * MINUTE_MS);
      const pending = news(template, { graceSeconds: 600 });

      await expect(mail.resendUndelivered(key([pending]), usable)).resolves.toEqual({ resent: 0, left: 0 });

      expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
      expect(updates()).toEqual([cleared(template)]);
      expect(relevance(pending, usable, now)).toEqual({
        verdict: 'stale',
        reason: expect.stringContaining(why),
      });
    },
  );

  it('waits with a grace-period notice while the key is usable again: its run will say so', async () => {
    await expect(
      mail.resendUndelivered(key([news('grace-started', { graceSeconds: 600 })]), true),
    ).resolves.toEqual({ resent: 0, left: 1 });

    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(updates()).toEqual([]);
  });

  it('sends a failed run to the operators even when the key cannot be read, and waits with the rest', async () => {
    emailRecord('workflow-failed', 'refused');
    const failed = news('workflow-failed', { pending: ['operators'], error: { Error: 'LeaseTakenError' } });

    await expect(
      mail.resendUndelivered(key([news('shutdown-complete'), failed]), undefined),
    ).resolves.toEqual({ resent: 1, left: 1 });

    expect(sentEmails().map((email) => [email.to, email.subject])).toEqual([
      [[OPERATOR], expect.stringMatching(/^Action needed: key reactor shutdown failed/)],
    ]);
  });

  it('drops what was sent already (the step was retried after all)', async () => {
    emailRecord('shutdown-complete', 'sent');

    await mail.resendUndelivered(key([news('shutdown-complete')]), false);

    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(updates()).toEqual([cleared('shutdown-complete')]);
  });

  it('keeps it when SES refuses again, paging the operators only if no page reached them yet', async () => {
    emailRecord('shutdown-complete', 'refused');
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));

    await expect(
      mail.resendUndelivered(key([news('shutdown-complete', { pagedAt: '2026-11-22T15:23:00Z' })]), false),
    ).resolves.toEqual({ resent: 0, left: 1 });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(updates()).toContainEqual(
      expect.objectContaining({
        Key: { pk: PK, sk: 'NEWS#story' },
        UpdateExpression:
          'SET #news.pending = :pending, #news.lastError = :error, #news.attempts = #news.attempts + :one',
        ConditionExpression: '#news.id = :id',
      }),
    );
    expect(updates().filter((update) => update.ExpressionAttributeValues?.[':sent'] === 'sent')).toEqual([]);

    await mail.resendUndelivered(key([news('shutdown-complete')]), false);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe("the sweep's early warnings", () => {
  const expiring = { keyState: 'Enabled', usable: true, materialExpiresAt: new Date('2026-11-27T15:00:00Z') };

  it('go to the administrators and the operators as separate messages', async () => {
    await expect(mail.sendDueWarnings(key(), expiring, ATTEMPTED)).resolves.toBe(1);

    expect(sentEmails().map((email) => email.to)).toEqual([[ADMIN], [OPERATOR]]);
  });

  it('are put on the bus once SES accepted them, with the key, what is coming and the resources at risk', async () => {
    await mail.sendDueWarnings(key(), expiring, ATTEMPTED);

    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: BUS,
      Source: 'key-reactor',
      DetailType: 'Key Reactor Key Warning',
    });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toEqual({
      version: 1,
      kind: 'key-warning',
      keyArn: KEY_ARN,
      keyAccount: '111122223333',
      keyRegion: 'us-east-1',
      trigger: 'Sweep',
      resources: [
        {
          arn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
          kind: 'ecs-service',
          outcome: 'at-risk',
        },
      ],
      resourceCount: 1,
      execution: null,
      occurredAt: ATTEMPTED.toISOString(),
      warning: { warning: 'material-expiring', dueAt: '2026-11-27T15:00:00.000Z', thresholdDays: 7 },
    });
  });

  it('still count as sent when the bus refuses their event', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));

    await expect(mail.sendDueWarnings(key(), expiring, ATTEMPTED)).resolves.toBe(1);
  });

  it('are left for the next sweep when SES refuses them, and paged to the operators once', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Daily quota exceeded'), { name: 'Throttling' }));

    await expect(mail.sendDueWarnings(key(), expiring, ATTEMPTED)).rejects.toThrow(EmailNotAcceptedError);
    // Not on the bus either: the next sweep that gets it through SES puts it there, once.
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(updates()).toContainEqual(
      expect.objectContaining({
        UpdateExpression: 'SET #status = :refused, refusal = :reason',
        ReturnValues: 'ALL_OLD',
      }),
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'Key reactor: email about key 1234abcd not delivered',
    });
    expect(updates()).toContainEqual(expect.objectContaining({ UpdateExpression: 'SET pagedAt = :at' }));

    // The next sweep: refused again, the operators were paged already.
    sns.resetHistory();
    documents
      .on(UpdateCommand, { UpdateExpression: 'SET #status = :refused, refusal = :reason' })
      .resolves({ Attributes: { pagedAt: '2026-11-22T15:22:41Z' } });
    await expect(mail.sendDueWarnings(key(), expiring, ATTEMPTED)).rejects.toThrow(EmailNotAcceptedError);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe("the operators' page", () => {
  it('publishes to the topic, with a subject SNS accepts', async () => {
    const notifier = new Notifier(new SNSClient({}), { topicArn: TOPIC });

    await expect(notifier.page(`Clé\r\n désactivée ${'x'.repeat(200)}`, 'message')).resolves.toBe(true);

    const subject = sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject ?? '';
    expect(subject).toMatch(/^Cle desactivee x+\.\.\.$/);
    expect(subject.length).toBeLessThan(100);
    expect(snsSubject(' \u0000 ')).toBe('Key reactor');
  });

  it('never throws: a page SNS refuses, or one with no topic, is logged and reported as not sent', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));

    await expect(new Notifier(new SNSClient({}), { topicArn: TOPIC }).page('s', 'm')).resolves.toBe(false);
    sns.resetHistory();
    await expect(new Notifier(new SNSClient({}), {}).page('s', 'm')).resolves.toBe(false);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

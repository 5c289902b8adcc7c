import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createNotifyHandler } from '../../lambdas/notify/notify-handler';
import {
  CANNOT_STOP_WHY,
  type CannotStopReason,
  cannotStopText,
  reasonOf,
  type UnstoppableResource,
} from '../../lambdas/shared/cannot-stop';
import { LIMITS } from '../../lambdas/shared/contract';
import { decide } from '../../lambdas/shared/decision';
import { en } from '../../lambdas/shared/email/i18n/en';
import { ja } from '../../lambdas/shared/email/i18n/ja';
import { Mailer } from '../../lambdas/shared/email/mailer';
import { renderEmail } from '../../lambdas/shared/email/render';
import type { EmailContext, EmailTemplate } from '../../lambdas/shared/email/types';
import { KeyReader } from '../../lambdas/shared/key-reader';
import { Notifier } from '../../lambdas/shared/notifier';
import { EventPublisher } from '../../lambdas/shared/publisher';
import { createStore } from '../../lambdas/shared/store';
import { lambdaContext } from '../support/lambda-context';
import { untaggedResources } from '../support/untagged';
import { EXECUTION_ARN, event, KEY_ARN, PK } from './notify-fixtures';

// What the reactor cannot stop (issue 14): the wording of each reason in both languages, the section of
// each email that concerns a shutdown, and the notify step reading the sweep's one item, or not.

const NOW = new Date('2026-11-22T15:22:40Z');
const ARN = {
  cache: 'arn:aws:elasticache:us-east-1:111122223333:replicationgroup:sessions',
  files: 'arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0',
  bucket: 'arn:aws:s3:::tenant-uploads',
  replica: 'arn:aws:rds:us-east-1:111122223333:db:orders-replica',
  api: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
  db: 'arn:aws:rds:us-east-1:111122223333:db:orders',
};
const NO_STOP_CALL: CannotStopReason = { kind: 'no-stop-call' };
const CANNOT_STOP: readonly UnstoppableResource[] = [
  { resourceArn: ARN.cache, kind: 'elasticache-replication-group', reason: NO_STOP_CALL },
  { resourceArn: ARN.files, kind: 'efs-file-system', reason: NO_STOP_CALL },
  { resourceArn: ARN.bucket, kind: 's3-bucket', reason: NO_STOP_CALL },
  { resourceArn: ARN.replica, kind: 'rds-instance', reason: { kind: 'read-replica', source: 'orders' } },
  {
    resourceArn: ARN.db,
    kind: 'rds-instance',
    reason: { kind: 'has-replicas', replicas: ['orders-replica'] },
  },
];
const REGISTERED: EmailContext['resources'] = [
  { resourceArn: ARN.api, kind: 'ecs-service', layer: 'service' },
  { resourceArn: ARN.replica, kind: 'rds-instance', layer: 'server' },
];

function render(template: EmailTemplate, language: 'en' | 'ja', extra: Partial<EmailContext> = {}) {
  return renderEmail({
    template,
    event,
    resources: REGISTERED,
    executionArn: EXECUTION_ARN,
    now: NOW,
    audience: 'administrators',
    language,
    cannotStop: CANNOT_STOP,
    ...(template === 'grace-started' ? { graceSeconds: 600 } : {}),
    ...extra,
  });
}

describe('the reasons, in words', () => {
  it('says the words of the issue for a kind AWS has no stop call for, in both languages', () => {
    expect(cannotStopText(NO_STOP_CALL)).toBe(
      'cannot be stopped; its data becomes unreadable while the key is unusable',
    );
    expect(en.cannotStop.why(NO_STOP_CALL)).toBe(CANNOT_STOP_WHY);
    expect(ja.cannotStop.why(NO_STOP_CALL)).toBe(
      '停止できません。キーが使用できない間、データは読み取れなくなります',
    );
  });

  it("names a replica's source and a source's replicas, and why RDS refuses them", () => {
    const replica: CannotStopReason = { kind: 'read-replica', source: 'orders' };
    const source: CannotStopReason = { kind: 'has-replicas', replicas: ['r1', 'r2'] };
    expect(cannotStopText(replica)).toBe(
      'cannot be stopped: an RDS read replica (of orders), which StopDBInstance refuses; its data becomes ' +
        'unreadable while the key is unusable',
    );
    expect(cannotStopText(source)).toContain('an RDS instance with read replicas (r1, r2)');
    expect(en.cannotStop.why(replica)).toBe(
      'cannot be stopped: an RDS read replica (of orders), which RDS refuses to stop; its data becomes ' +
        'unreadable while the key is unusable',
    );
    expect(ja.cannotStop.why(replica)).toBe(
      '停止できません。RDS のリードレプリカ (orders のレプリカ) は RDS が停止を受け付けません。' +
        'キーが使用できない間、データは読み取れなくなります',
    );
    expect(ja.cannotStop.why(source)).toContain('リードレプリカ (r1, r2) を持つ RDS インスタンス');
  });

  it('reads back from the table only the reasons it knows', () => {
    expect(reasonOf({ kind: 'read-replica', source: 'orders' })).toEqual({
      kind: 'read-replica',
      source: 'orders',
    });
    expect(reasonOf({ kind: 'has-replicas', replicas: ['a', 3] })).toEqual({
      kind: 'has-replicas',
      replicas: ['a'],
    });
    expect(reasonOf({ kind: 'read-replica' })).toBeUndefined();
    expect(reasonOf({ kind: 'something-else' })).toBeUndefined();
    expect(reasonOf('no-stop-call')).toBeUndefined();
  });
});

describe('the emails that concern a shutdown', () => {
  it.each(['en', 'ja'] as const)(
    'grace-started (%s) names each resource that cannot be stopped, and leaves them out of what will stop',
    (language) => {
      const w = language === 'en' ? en : ja;
      const email = render('grace-started', language);

      expect(email.text).toContain(w.cannotStop.heading);
      expect(email.text).toContain(w.cannotStop.intro('grace-started'));
      for (const resource of CANNOT_STOP) {
        expect(email.text).toContain(`${resource.resourceArn} | ${w.cannotStop.why(resource.reason)}`);
      }
      expect(email.html).toContain(w.cannotStop.caption);
      // The registered replica is not among what will stop: one resource stops, the service.
      const atRisk = email.text.slice(
        email.text.indexOf(w.tables.atRisk),
        email.text.indexOf(w.cannotStop.heading),
      );
      expect(atRisk).toContain(ARN.api);
      expect(atRisk).not.toContain(ARN.replica);
    },
  );

  it('grace-started counts in its subject only what will stop', () => {
    expect(render('grace-started', 'en').subject).toBe(
      'Key 1234abcd disabled: 1 resource stops at 15:32 UTC',
    );
    expect(render('grace-started', 'en', { cannotStop: [] }).subject).toBe(
      'Key 1234abcd disabled: 2 resources stop at 15:32 UTC',
    );
  });

  it.each(['en', 'ja'] as const)(
    'shutdown-complete (%s) names them once: a replica the run skipped stays under what needs attention',
    (language) => {
      const w = language === 'en' ? en : ja;
      const email = render('shutdown-complete', language, {
        skipped: [{ resourceArn: ARN.replica, reason: 'AWS cannot stop it: available (a read replica)' }],
      });

      expect(email.text).toContain(w.cannotStop.intro('shutdown-complete'));
      expect(email.text).toContain(`${ARN.bucket} | ${w.cannotStop.why(NO_STOP_CALL)}`);
      expect(email.text.split(ARN.replica)).toHaveLength(2);
    },
  );

  it.each(['en', 'ja'] as const)(
    'alert-only (%s) names them beside what was left running, each once',
    (language) => {
      const w = language === 'en' ? en : ja;
      const email = render('alert-only', language);
      expect(email.text).toContain(w.cannotStop.intro('alert-only'));
      expect(email.text).toContain(`${ARN.files} | ${w.cannotStop.why(NO_STOP_CALL)}`);
      // The registered replica is left running like the rest, and listed once, among them.
      expect(email.subject).toContain(w.resources(2));
      expect(email.text.split(ARN.replica)).toHaveLength(2);
    },
  );

  it.each(['en', 'ja'] as const)(
    'service-restored (%s) asks to check what kept running without its data',
    (language) => {
      const w = language === 'en' ? en : ja;
      const email = render('service-restored', language, { resources: [REGISTERED[0] as never] });
      expect(email.text).toContain(w.cannotStop.intro('service-restored'));
      expect(email.text).toContain(`${ARN.cache} | ${w.cannotStop.why(NO_STOP_CALL)}`);
    },
  );

  it('says nothing of it when the sweep recorded nothing', () => {
    for (const template of [
      'grace-started',
      'shutdown-complete',
      'alert-only',
      'service-restored',
    ] as const) {
      const email = render(template, 'en', { cannotStop: undefined });
      expect(email.text).not.toContain(en.cannotStop.heading);
    }
  });

  it('says where to see the list when it could not be read, except once service is restored', () => {
    const grace = render('grace-started', 'ja', { cannotStop: undefined, cannotStopUnread: true });
    expect(grace.text).toContain(ja.cannotStop.unread(KEY_ARN));
    expect(grace.text).toContain(`key-reactor plan ${KEY_ARN}`);
    const restored = render('service-restored', 'en', { cannotStop: undefined, cannotStopUnread: true });
    expect(restored.text).not.toContain(en.cannotStop.heading);
  });

  it('escapes what it names in the HTML', () => {
    const hostile: UnstoppableResource = {
      resourceArn: 'arn:aws:s3:::<script>',
      kind: 's3-bucket',
      reason: { kind: 'read-replica', source: '<b>x</b>' },
    };
    const email = render('grace-started', 'en', { cannotStop: [hostile] });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>x</b>');
    expect(email.html).toContain('&lt;script&gt;');
  });
});

describe('the decision on the way down', () => {
  it('skips a read replica busy with a backup instead of waiting for a state AWS would stop', () => {
    const [decision] = decide({
      target: 'stopped',
      members: [{ resourceArn: ARN.replica, kind: 'rds-instance', layer: 'server' }],
      seen: new Map([
        [
          ARN.replica,
          {
            resourceArn: ARN.replica,
            state: 'transitioning',
            detail: 'backing-up',
            cannotStop: 'a read replica of orders, which RDS cannot stop',
            keyTag: KEY_ARN,
          },
        ],
      ]),
      managedTag: { key: 'key-reactor:managed', value: 'true' },
      keyArn: KEY_ARN,
    });
    expect(decision).toMatchObject({
      verdict: 'skip',
      pending: false,
      why: 'AWS cannot stop it: backing-up (a read replica of orders, which RDS cannot stop)',
    });
  });
});

describe('the notify step and the sweep’s record', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const kms = mockClient(KMSClient);
  const store = createStore(new DynamoDBClient({}), {
    tableName: 'key-reactor-test',
    leaseSeconds: LIMITS.leaseSeconds,
    clock: () => NOW,
  });
  const handler = createNotifyHandler({
    store,
    resources: untaggedResources(store),
    keys: new KeyReader(new KMSClient({})),
    mailer: new Mailer(new SESClient({}), {
      senderAddress: 'reactor@platform.example',
      operatorAddresses: ['ops@platform.example'],
    }),
    notifier: new Notifier(new SNSClient({}), {}),
    publisher: new EventPublisher(new EventBridgeClient({}), {}),
    clock: () => NOW,
  });
  const input = {
    keyArn: KEY_ARN,
    executionName: 'disable-a',
    executionArn: EXECUTION_ARN,
    template: 'grace-started' as const,
    event,
    graceSeconds: 600,
  };
  const CANNOT_STOP_KEY = { pk: PK, sk: 'CANNOT_STOP' };
  const bodies = () =>
    ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Message?.Body?.Text?.Data ?? '');

  beforeEach(() => {
    documents.reset();
    ses.reset();
    kms.reset();
    documents.onAnyCommand().resolves({});
    documents
      .on(GetCommand, { Key: { pk: PK, sk: 'POLICY' } })
      .resolves({ Item: { administrators: ['admin@customer.example'], language: 'ja' } });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Disabled' } });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it("names what the sweep recorded, in each audience's language", async () => {
    documents.on(GetCommand, { Key: CANNOT_STOP_KEY }).resolves({
      Item: { ...CANNOT_STOP_KEY, resources: CANNOT_STOP.slice(0, 2), since: NOW.toISOString() },
    });

    await expect(handler(input, lambdaContext('notify'))).resolves.toMatchObject({ sent: 2 });

    const [administrators, operators] = bodies();
    expect(administrators).toContain(`${ARN.cache} | ${ja.cannotStop.why(NO_STOP_CALL)}`);
    expect(operators).toContain(`${ARN.files} | ${CANNOT_STOP_WHY}`);
  });

  it('sends the email all the same when the record cannot be read, saying where to see the list', async () => {
    documents
      .on(GetCommand, { Key: CANNOT_STOP_KEY })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(handler(input, lambdaContext('notify'))).resolves.toMatchObject({ sent: 2 });

    expect(bodies()[1]).toContain(en.cannotStop.unread(KEY_ARN));
  });

  it('the sweep writes the list only when it changed, and no empty list for a key that never had one', async () => {
    const written = await store.unstoppables.record(KEY_ARN, CANNOT_STOP.slice(0, 1));

    expect(written).toBe(true);
    const [put] = documents.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(put).toMatchObject({
      Item: { ...CANNOT_STOP_KEY, type: 'cannot-stop', keyArn: KEY_ARN, resources: CANNOT_STOP.slice(0, 1) },
      ConditionExpression:
        '(attribute_not_exists(sk) AND :fingerprint <> :none) OR fingerprint <> :fingerprint',
    });
    // The same resources in another order are the same list.
    await store.unstoppables.record(KEY_ARN, [...CANNOT_STOP].reverse());
    await store.unstoppables.record(KEY_ARN, CANNOT_STOP);
    const fingerprints = documents
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':fingerprint']);
    expect(fingerprints[1]).toBe(fingerprints[2]);
    expect(fingerprints[0]).not.toBe(fingerprints[1]);
    // An empty list is written only over a list that was not empty: its fingerprint is the one refused.
    await store.unstoppables.record(KEY_ARN, []);
    const empty = documents.commandCalls(PutCommand)[3]?.args[0].input.ExpressionAttributeValues;
    expect(empty?.[':fingerprint']).toBe(empty?.[':none']);
  });
});

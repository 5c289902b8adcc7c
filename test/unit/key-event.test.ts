import { executionName, MAX_ACTOR_FIELD_LENGTH, parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { RejectedEventError } from '../../lambdas/shared/errors';
import type { KeyEvent } from '../../lambdas/shared/model';
import { sample, sampleNames } from '../support/samples';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const ANY_ACCOUNT = { allowedAccounts: [] } as const;

function rejection(raw: unknown, options: { allowedAccounts: readonly string[] } = ANY_ACCOUNT): string {
  try {
    parseKeyEvent(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(RejectedEventError);
    return (error as Error).message;
  }
  throw new Error('expected the event to be rejected');
}

const EXPECTED: Readonly<Record<string, { event: KeyEvent; executionName: string }>> = {
  'disable-key-cli.json': {
    event: {
      keyArn: KEY_ARN,
      keyId: KEY_ID,
      account: '111122223333',
      region: 'us-east-1',
      trigger: 'DisableKey',
      workflow: 'disable',
      urgent: false,
      eventId: '3f1b8c9e-6d2a-4e0b-9a51-2c7d4e8f1a01',
      eventTime: '2026-11-22T15:22:33Z',
      actor: {
        arn: 'arn:aws:iam::111122223333:user/alice',
        sourceIp: '203.0.113.10',
        userAgent:
          'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 command/kms.disable-key',
      },
    },
    executionName: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
  },
  'enable-key-console.json': {
    event: {
      keyArn: KEY_ARN,
      keyId: KEY_ID,
      account: '111122223333',
      region: 'us-east-1',
      trigger: 'EnableKey',
      workflow: 'enable',
      urgent: false,
      eventId: '7c2e9d0f-1b3a-4c5d-8e6f-0a1b2c3d4e02',
      eventTime: '2026-11-22T15:29:05Z',
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/Admin/bob',
        sourceIp: 'AWS Internal',
        userAgent: 'AWS Internal',
      },
    },
    executionName: 'enable-1234abcd-20261122T152905Z-7c2e9d0f',
  },
  'schedule-key-deletion.json': {
    event: {
      keyArn: KEY_ARN,
      keyId: KEY_ID,
      account: '111122223333',
      region: 'us-east-1',
      trigger: 'ScheduleKeyDeletion',
      workflow: 'disable',
      urgent: false,
      eventId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d03',
      eventTime: '2026-11-22T16:02:41Z',
      actor: {
        arn: 'arn:aws:iam::111122223333:user/alice',
        sourceIp: '203.0.113.10',
        userAgent: 'aws-cli/2.15.30 command/kms.schedule-key-deletion',
      },
    },
    executionName: 'disable-1234abcd-20261122T160241Z-b1c2d3e4',
  },
  'kms-cmk-deletion.json': {
    event: {
      keyArn: KEY_ARN,
      keyId: KEY_ID,
      account: '111122223333',
      region: 'us-east-1',
      trigger: 'KMS CMK Deletion',
      workflow: 'disable',
      urgent: true,
      eventId: 'e9ce3425-7d22-412a-a699-e7a5fc3fbc9a',
      eventTime: '2026-11-29T16:02:41Z',
      actor: null,
    },
    executionName: 'disable-1234abcd-20261129T160241Z-e9ce3425',
  },
  'kms-imported-key-material-expiration.json': {
    event: {
      keyArn: 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
      keyId: '0987dcba-09fe-87dc-65ba-ab0987654321',
      account: '111122223333',
      region: 'us-east-1',
      trigger: 'KMS Imported Key Material Expiration',
      workflow: 'disable',
      urgent: false,
      eventId: '9da9af57-9253-4406-87cb-7cc400e43465',
      eventTime: '2027-11-21T00:00:00Z',
      actor: null,
    },
    executionName: 'disable-0987dcba-20271121T000000Z-9da9af57',
  },
};

describe('parseKeyEvent on the samples', () => {
  const files = sampleNames();

  it('has an expectation for every sample, so a new sample cannot go untested', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('parses %s to the expected KeyEvent', (file) => {
    expect(parseKeyEvent(sample(file), ANY_ACCOUNT)).toEqual(EXPECTED[file]?.event);
  });

  it.each(files)('names the execution for %s', (file) => {
    expect(executionName(parseKeyEvent(sample(file), ANY_ACCOUNT))).toBe(EXPECTED[file]?.executionName);
  });
});

describe('parseKeyEvent rejections', () => {
  it('rejects a denied call: it changed nothing', () => {
    const event = sample('disable-key-cli.json');
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage =
      'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:DisableKey';

    expect(rejection(event)).toBe('DisableKey was denied (AccessDenied): the key did not change');
  });

  it('rejects a call that failed for another reason', () => {
    const event = sample('schedule-key-deletion.json');
    event.detail.errorCode = 'KMSInvalidStateException';

    expect(rejection(event)).toBe(
      'ScheduleKeyDeletion failed (KMSInvalidStateException): the key did not change',
    );
  });

  it.each([
    ['null', null, 'Event is not a JSON object'],
    ['a string', 'DisableKey', 'Event is not a JSON object'],
    ['an array', [sample('disable-key-cli.json')], 'Event is not a JSON object'],
  ])('rejects %s', (_, raw, reason) => {
    expect(rejection(raw)).toBe(reason);
  });

  it('rejects an event without detail', () => {
    const event = sample('disable-key-cli.json');
    delete event.detail;

    expect(rejection(event)).toBe('Event has no detail object');
  });

  it('rejects another source', () => {
    const event = sample('disable-key-cli.json');
    event.source = 'my.app';

    expect(rejection(event)).toBe('Event source is "my.app", expected "aws.kms" or "key-reactor.sweep"');
  });

  it('rejects another detail-type', () => {
    const event = sample('disable-key-cli.json');
    event['detail-type'] = 'KMS Key Rotation';

    expect(rejection(event)).toMatch(/^Event detail-type "KMS Key Rotation" is not one the reactor handles/);
  });

  it('rejects a CloudTrail record from another service', () => {
    const event = sample('disable-key-cli.json');
    event.detail.eventSource = 'ec2.amazonaws.com';

    expect(rejection(event)).toBe(
      'CloudTrail eventSource is "ec2.amazonaws.com", expected "kms.amazonaws.com"',
    );
  });

  it('rejects an unknown eventName', () => {
    const event = sample('disable-key-cli.json');
    event.detail.eventName = 'Decrypt';

    expect(rejection(event)).toMatch(/^Unknown eventName "Decrypt": the reactor acts on DisableKey, /);
  });

  it('rejects a malformed envelope with the field that is wrong', () => {
    const event = sample('disable-key-cli.json');
    event.account = 'not-an-account';

    expect(rejection(event)).toBe('Event is malformed at account: must be a 12-digit AWS account ID');
  });

  // requestParameters.keyId names the key alone once the key resource is removed, and must agree with it
  // when both are there.
  it.each<[string, { keyId: string; beside: 'alone' | 'beside the resource' }, string | RegExp]>([
    [
      'an alias in requestParameters.keyId',
      { keyId: 'alias/prod-data', beside: 'alone' },
      'requestParameters.keyId "alias/prod-data" is an alias; KMS records the key ID or key ARN for this call',
    ],
    [
      'an alias ARN in requestParameters.keyId, even beside a key resource',
      { keyId: 'arn:aws:kms:us-east-1:111122223333:alias/prod-data', beside: 'beside the resource' },
      /is an alias/,
    ],
    [
      'a keyId that is neither a key ID nor a key ARN',
      { keyId: '1234abcd; rm -rf /', beside: 'alone' },
      'requestParameters.keyId "1234abcd; rm -rf /" is neither a key ID nor a key ARN',
    ],
    [
      'a keyId that names another key than the resource',
      { keyId: '0987dcba-09fe-87dc-65ba-ab0987654321', beside: 'beside the resource' },
      /name different keys$/,
    ],
  ])('rejects %s', (_case, { keyId, beside }, reason) => {
    const event = sample('disable-key-cli.json');
    if (beside === 'alone') event.detail.resources = [];
    event.detail.requestParameters.keyId = keyId;

    if (typeof reason === 'string') expect(rejection(event)).toBe(reason);
    else expect(rejection(event)).toMatch(reason);
  });

  it('rejects an event that names two keys', () => {
    const event = sample('disable-key-cli.json');
    event.detail.resources.push({
      type: 'AWS::KMS::Key',
      ARN: 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321',
    });

    expect(rejection(event)).toMatch(/^Event names 2 keys, expected one: /);
  });

  it('rejects an event that identifies no key', () => {
    const event = sample('disable-key-cli.json');
    event.detail.resources = [];
    event.detail.requestParameters = null;

    expect(rejection(event)).toBe(
      'No key identified: the event has no key resource and no requestParameters.keyId',
    );
  });

  it('rejects a key resource that is not a key ARN', () => {
    const event = sample('kms-cmk-deletion.json');
    event.resources = ['arn:aws:kms:us-east-1:111122223333:alias/prod-data'];

    expect(rejection(event)).toBe(
      'Event resource "arn:aws:kms:us-east-1:111122223333:alias/prod-data" is not a KMS key ARN',
    );
  });

  it('rejects a key in another account than the event', () => {
    const event = sample('disable-key-cli.json');
    const foreign = `arn:aws:kms:us-east-1:444455556666:key/${KEY_ID}`;
    event.detail.resources[0].ARN = foreign;
    event.detail.requestParameters.keyId = foreign;

    expect(rejection(event)).toBe(
      `Key "${foreign}" is not in the event's account and Region (111122223333, us-east-1)`,
    );
  });

  it('rejects a key in another Region than the event', () => {
    const event = sample('kms-cmk-deletion.json');
    event.resources = [`arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`];
    delete event.detail['key-id'];

    expect(rejection(event)).toMatch(/is not in the event's account and Region \(111122223333, us-east-1\)$/);
  });

  it('rejects an account that is not allowed', () => {
    expect(rejection(sample('disable-key-cli.json'), { allowedAccounts: ['444455556666'] })).toBe(
      'Account 111122223333 is not one the reactor serves (allowed: 444455556666)',
    );
  });

  it('throws nothing but RejectedEventError, whatever the input', () => {
    const event = sample('disable-key-cli.json');
    for (const broken of [
      { ...event, detail: { ...event.detail, resources: 'nope' } },
      { ...event, detail: { ...event.detail, userIdentity: 42 } },
      { ...event, detail: { ...event.detail, eventTime: 'yesterday' } },
      { ...event, resources: [42] },
      { ...event, time: null },
      { ...event, 'detail-type': ['AWS API Call via CloudTrail'] },
    ]) {
      expect(() => parseKeyEvent(broken, ANY_ACCOUNT)).toThrow(RejectedEventError);
    }
  });
});

describe('parseKeyEvent acceptance rules', () => {
  it('builds the key ARN from a key ID in requestParameters, with the event account and Region', () => {
    const event = sample('disable-key-cli.json');
    event.detail.resources = [];

    expect(parseKeyEvent(event, ANY_ACCOUNT)).toMatchObject({ keyArn: KEY_ARN, keyId: KEY_ID });
  });

  it('takes a key ARN in requestParameters as it is', () => {
    const event = sample('enable-key-console.json');
    event.detail.resources = [];

    expect(parseKeyEvent(event, ANY_ACCOUNT)).toMatchObject({ keyArn: KEY_ARN, keyId: KEY_ID });
  });

  it('builds the key ARN of a native event from detail.key-id when resources is empty', () => {
    const event = sample('kms-cmk-deletion.json');
    event.resources = [];

    expect(parseKeyEvent(event, ANY_ACCOUNT)).toMatchObject({ keyArn: KEY_ARN, urgent: true });
  });

  it('accepts a multi-Region key', () => {
    const event = sample('disable-key-cli.json');
    const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    event.detail.resources[0].ARN = `arn:aws:kms:us-east-1:111122223333:key/${mrk}`;
    event.detail.requestParameters.keyId = mrk;

    const parsed = parseKeyEvent(event, ANY_ACCOUNT);

    expect(parsed.keyId).toBe(mrk);
    expect(executionName(parsed)).toBe('disable-mrk-1234abcd-20261122T152233Z-3f1b8c9e');
  });

  it('accepts an allowed account', () => {
    expect(
      parseKeyEvent(sample('disable-key-cli.json'), { allowedAccounts: ['444455556666', '111122223333'] }),
    ).toMatchObject({
      account: '111122223333',
    });
  });

  it('accepts any account whose key it is when no account list is given', () => {
    const event = sample('disable-key-cli.json');
    const foreign = `arn:aws:kms:us-east-1:444455556666:key/${KEY_ID}`;
    event.account = '444455556666';
    event.detail.resources[0].ARN = foreign;

    expect(parseKeyEvent(event, ANY_ACCOUNT)).toMatchObject({ account: '444455556666', keyArn: foreign });
  });

  it('takes the event time when CloudTrail gives none', () => {
    const event = sample('disable-key-cli.json');
    delete event.detail.eventTime;
    event.time = '2026-11-22T15:22:35Z';

    expect(parseKeyEvent(event, ANY_ACCOUNT).eventTime).toBe('2026-11-22T15:22:35Z');
  });

  it('keeps a CloudTrail record without user identity, with a null actor ARN', () => {
    const event = sample('disable-key-cli.json');
    delete event.detail.userIdentity;

    expect(parseKeyEvent(event, ANY_ACCOUNT).actor).toEqual({
      arn: null,
      sourceIp: '203.0.113.10',
      userAgent: expect.stringMatching(/^aws-cli/),
    });
  });

  it('cuts a huge user agent to its first 512 characters', () => {
    const event = sample('disable-key-cli.json');
    event.detail.userAgent = `aws-cli/2.15.30 ${'x'.repeat(100_000)}`;

    const { actor } = parseKeyEvent(event, ANY_ACCOUNT);

    expect(actor?.userAgent).toHaveLength(MAX_ACTOR_FIELD_LENGTH);
    expect(actor?.userAgent).toBe(event.detail.userAgent.slice(0, MAX_ACTOR_FIELD_LENGTH));
  });

  it('never cuts a character in half', () => {
    const event = sample('disable-key-cli.json');
    event.detail.userAgent = `${'x'.repeat(MAX_ACTOR_FIELD_LENGTH - 1)}😀 more`;

    expect(parseKeyEvent(event, ANY_ACCOUNT).actor?.userAgent).toBe('x'.repeat(MAX_ACTOR_FIELD_LENGTH - 1));
  });

  it('keeps hostile strings exactly as they were: escaping is for whoever renders them', () => {
    const hostile = {
      arn: 'arn:aws:iam::111122223333:user/<script>alert(1)</script>',
      sourceIPAddress: '"><img src=x onerror=alert(1)>',
      userAgent: 'curl\r\nBcc: evil@example.com\u2028To: ops@example.com',
    };
    const event = sample('disable-key-cli.json');
    event.detail.userIdentity.arn = hostile.arn;
    event.detail.sourceIPAddress = hostile.sourceIPAddress;
    event.detail.userAgent = hostile.userAgent;

    expect(parseKeyEvent(event, ANY_ACCOUNT).actor).toEqual({
      arn: hostile.arn,
      sourceIp: hostile.sourceIPAddress,
      userAgent: hostile.userAgent,
    });
  });

  it('bounds a rejection reason that quotes a huge value', () => {
    const event = sample('disable-key-cli.json');
    event.detail.eventName = `Disable${'X'.repeat(10_000)}`;

    expect(rejection(event).length).toBeLessThan(400);
  });
});

describe('executionName', () => {
  const base = parseKeyEvent(sample('disable-key-cli.json'), ANY_ACCOUNT);

  it('is the same for every delivery of one EventBridge event', () => {
    const again = parseKeyEvent(sample('disable-key-cli.json'), ANY_ACCOUNT);

    expect(executionName(again)).toBe(executionName(base));
  });

  it('differs for another delivery of the same change', () => {
    expect(executionName({ ...base, eventId: '5e0f2d1c-0000-4000-8000-000000000000' })).toBe(
      'disable-1234abcd-20261122T152233Z-5e0f2d1c',
    );
  });

  it('keeps only characters Step Functions accepts everywhere, within 80 characters', () => {
    const name = executionName({
      ...base,
      eventId: '../<script>/$(x) ünï 💥',
      eventTime: '2026-11-22T15:22:33.123Z',
    });

    expect(name).toBe('disable-1234abcd-20261122T152233Z-scriptxn');
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('falls back to a digest when nothing of the event id survives', () => {
    const name = executionName({ ...base, eventId: '::::' });

    expect(name).toMatch(/^disable-1234abcd-20261122T152233Z-[0-9a-f]{8}$/);
  });
});

import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsCredentials } from '../../lambdas/shared/aws';
import { ENV, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import {
  KEY_SESSION_SECONDS,
  KeyActionRoleMissingError,
  KeySessionError,
  KeySessions,
  sessionNameOf,
} from '../../lambdas/shared/key-session';
import { buildKeyDrivers, fromEnvironment } from '../../lambdas/shared/parts';
import { settingsFromEnvironment } from '../../lambdas/shared/settings';

// Issue 14: the stop and start steps act through a role assumed per key, tagged with the key.

const ROLE = 'arn:aws:iam::111122223333:role/StopResourcesKeyRole';
const keyArn = (n: number) =>
  `arn:aws:kms:us-east-1:111122223333:key/${String(n).padStart(8, '0')}-12ab-34cd-56ef-1234567890ab`;
const KEY = keyArn(1);

const sts = mockClient(STSClient);
let now = Date.parse('2026-12-02T10:00:00Z');
let issued = 0;

/** STS's answer: a new access key each time, valid for the session's 900 s from `now`. */
function answerAssumeRole() {
  sts.on(AssumeRoleCommand).callsFake(async () => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(now + KEY_SESSION_SECONDS * 1000),
      },
    };
  });
}

/** Sessions whose value is the credentials they were built with, to see which session a caller got. */
function sessions(options: { roleArn?: string; required?: boolean; capacity?: number } = {}) {
  return new KeySessions<AwsCredentials | undefined>({
    roleArn: 'roleArn' in options ? options.roleArn : ROLE,
    required: options.required ?? true,
    roleArnVariable: ENV.stopKeyRoleArn,
    sts: new STSClient({ region: 'us-east-1' }),
    build: (credentials) => credentials,
    clock: () => new Date(now),
    capacity: options.capacity,
  });
}

beforeEach(() => {
  sts.reset();
  issued = 0;
  now = Date.parse('2026-12-02T10:00:00Z');
  answerAssumeRole();
});

describe('KeySessions', () => {
  it('assumes the role with the key tag, a name from the key ID and a 900 s session', async () => {
    // Act
    const credentials = await sessions().forKey(KEY);

    // Assess
    expect(credentials?.accessKeyId).toBe('ASIA1');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: ROLE,
        RoleSessionName: 'key-00000001-12ab-34cd-56ef-1234567890ab',
        DurationSeconds: 900,
        Tags: [{ Key: KEY_ARN_TAG, Value: KEY }],
      },
    ]);
  });

  it("reuses a key's session until five minutes before it expires, then assumes a new one", async () => {
    // Prepare
    const keySessions = sessions();
    await keySessions.forKey(KEY);

    // Act
    now += (KEY_SESSION_SECONDS - 5 * 60) * 1000 - 1;
    const reused = await keySessions.forKey(KEY);
    now += 1;
    const renewed = await keySessions.forKey(KEY);

    // Assess
    expect(reused?.accessKeyId).toBe('ASIA1');
    expect(renewed?.accessKeyId).toBe('ASIA2');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('gives concurrent callers of one key a single AssumeRole, and each key its own', async () => {
    // Act
    const keySessions = sessions();
    const got = await Promise.all([
      keySessions.forKey(KEY),
      keySessions.forKey(KEY),
      keySessions.forKey(keyArn(2)),
      keySessions.forKey(KEY),
    ]);

    // Assess
    expect(got.map((credentials) => credentials?.accessKeyId)).toEqual(['ASIA1', 'ASIA1', 'ASIA2', 'ASIA1']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps the keys used last and forgets the least recently used beyond its capacity', async () => {
    // Prepare: three keys in a cache of three, the first used again so that the second is the oldest.
    const keySessions = sessions({ capacity: 3 });
    for (const n of [1, 2, 3]) await keySessions.forKey(keyArn(n));
    await keySessions.forKey(keyArn(1));

    // Act
    await keySessions.forKey(keyArn(4));
    const first = await keySessions.forKey(keyArn(1));
    const second = await keySessions.forKey(keyArn(2));

    // Assess: 1, 2, 3, 4, then 2 again; 1 was kept.
    expect(first?.accessKeyId).toBe('ASIA1');
    expect(second?.accessKeyId).toBe('ASIA5');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.Tags?.[0]?.Value)).toEqual(
      [1, 2, 3, 4, 2].map(keyArn),
    );
  });

  it('keeps 64 keys by default', async () => {
    const keySessions = sessions();
    for (let n = 1; n <= 65; n++) await keySessions.forKey(keyArn(n));
    await keySessions.forKey(keyArn(65));
    await keySessions.forKey(keyArn(2));
    await keySessions.forKey(keyArn(1));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(66);
  });

  it('does not keep a failed AssumeRole: the next call asks again', async () => {
    // Prepare
    const keySessions = sessions();
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    // Act and assess
    await expect(keySessions.forKey(KEY)).rejects.toThrow('denied');
    answerAssumeRole();
    expect((await keySessions.forKey(KEY))?.accessKeyId).toBe('ASIA1');
  });

  it('fails with KeySessionError when STS returns no credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expect(sessions().forKey(KEY)).rejects.toBeInstanceOf(KeySessionError);
  });

  it('fails with KeyActionRoleMissingError, naming the variable, when the role is not set in Lambda', async () => {
    // Act
    const failure = sessions({ roleArn: undefined, required: true }).forKey(KEY);

    // Assess
    await expect(failure).rejects.toBeInstanceOf(KeyActionRoleMissingError);
    await expect(failure).rejects.toThrow(`${ENV.stopKeyRoleArn} is not set`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("uses the function's own credentials, built once, when no role is set outside Lambda", async () => {
    const keySessions = sessions({ roleArn: undefined, required: false });
    expect(await keySessions.forKey(KEY)).toBeUndefined();
    expect(await keySessions.forKey(keyArn(2))).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('sessionNameOf', () => {
  it('names the session after the key ID, multi-Region keys included', () => {
    expect(sessionNameOf('arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab')).toBe(
      'key-mrk-1234abcd12ab34cd56ef1234567890ab',
    );
  });
});

describe('the key roles from the environment', () => {
  it('reads both role ARNs, and requires them in Lambda only', () => {
    const inLambda = settingsFromEnvironment({
      AWS_LAMBDA_FUNCTION_NAME: 'StopResourcesFunction',
      [ENV.stopKeyRoleArn]: ROLE,
      [ENV.startKeyRoleArn]: ' ',
    });
    expect(inLambda.keyRoleArns).toEqual({ stop: ROLE, start: undefined });
    expect(inLambda.keyRolesRequired).toBe(true);
    expect(settingsFromEnvironment({}).keyRolesRequired).toBe(false);
  });

  it("makes the stop step's drivers assume the stop role for the key, and fail in Lambda without it", async () => {
    // Prepare
    const environment = { AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_REGION: 'us-east-1' };

    // Act
    const drivers = await buildKeyDrivers(
      fromEnvironment({ ...environment, [ENV.stopKeyRoleArn]: ROLE }),
      'stop',
    )(KEY);
    const missing = buildKeyDrivers(fromEnvironment(environment), 'start')(KEY);

    // Assess
    expect(Object.keys(drivers).sort()).toEqual([
      'autoscaling-group',
      'ec2-instance',
      'ecs-service',
      'rds-cluster',
      'rds-instance',
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([ROLE]);
    await expect(missing).rejects.toThrow(`${ENV.startKeyRoleArn} is not set`);
  });
});

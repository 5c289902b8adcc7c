import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { Seen } from '../../lambdas/shared/decision';
import { keyAdvisories } from '../../lambdas/shared/key-advisories';

// The warnings register and status print and never act on (lambdas/shared/key-advisories.ts), one by
// one. register and status printing them against moto: test/cli/register.test.ts, test/cli/inspect.test.ts.

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const HEALTHY: KeyMetadata = { KeyId: '1234abcd', Origin: 'AWS_KMS', KeyState: 'Enabled' };
const DB = 'arn:aws:rds:us-east-1:111122223333:db:replica-db';
const API = 'arn:aws:ecs:us-east-1:111122223333:service/c/api';

const kinds = (metadata: KeyMetadata, more: Partial<Parameters<typeof keyAdvisories>[0]> = {}) =>
  keyAdvisories({ keyArn: KEY_ARN, metadata, resourceArns: [], seen: new Map(), ...more }).map(
    (advisory) => advisory.kind,
  );

it('has nothing to say about a healthy key whose material rotates', () => {
  expect(kinds(HEALTHY, { rotationEnabled: true })).toEqual([]);
});

it('warns about automatic rotation off only for material AWS generates', () => {
  expect(kinds(HEALTHY, { rotationEnabled: false })).toEqual(['rotation-off']);
  expect(kinds({ ...HEALTHY, Origin: 'EXTERNAL' }, { rotationEnabled: false })).toEqual([]);
});

it('warns about imported material that expires, with its date', () => {
  const [advisory] = keyAdvisories({
    keyArn: KEY_ARN,
    metadata: {
      ...HEALTHY,
      Origin: 'EXTERNAL',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date('2027-01-15T00:00:00Z'),
    },
    resourceArns: [],
    seen: new Map(),
  });
  expect(advisory).toEqual({
    kind: 'material-expires',
    message: expect.stringContaining('expires at 2027-01-15T00:00:00.000Z'),
  });
});

it('warns about a multi-Region key with related keys in other Regions only', () => {
  const multi = (regions: string[]): KeyMetadata => ({
    ...HEALTHY,
    MultiRegion: true,
    MultiRegionConfiguration: {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: KEY_ARN, Region: 'us-east-1' },
      ReplicaKeys: regions.map((Region) => ({ Arn: KEY_ARN.replace('us-east-1', Region), Region })),
    },
  });
  expect(kinds(multi([]), { rotationEnabled: true })).toEqual([]);
  const [advisory] = keyAdvisories({
    keyArn: KEY_ARN,
    metadata: multi(['eu-west-1', 'ap-northeast-1']),
    rotationEnabled: true,
    resourceArns: [],
    seen: new Map(),
  });
  expect(advisory?.message).toContain('related keys in ap-northeast-1, eu-west-1');
});

it('warns about a key whose resources several accounts own', () => {
  const foreign = 'arn:aws:ecs:us-east-1:444455556666:service/c/api';
  expect(kinds(HEALTHY, { rotationEnabled: true, resourceArns: [API, DB] })).toEqual([]);
  expect(kinds(HEALTHY, { rotationEnabled: true, resourceArns: [API, foreign] })).toEqual([
    'shared-by-tenants',
  ]);
});

it('warns about each resource AWS cannot stop, and gives the resources advisories without the key', () => {
  const seen = new Map<string, Seen>([
    [DB, { resourceArn: DB, state: 'running', detail: 'available (a read replica, which RDS cannot stop)' }],
    [API, { resourceArn: API, state: 'running', detail: 'desired 2', restore: { desiredCount: 2 } }],
  ]);
  const advisories = keyAdvisories({ keyArn: KEY_ARN, resourceArns: [DB, API], seen });
  expect(advisories).toEqual([
    {
      kind: 'cannot-stop',
      message:
        `the reactor cannot stop ${DB} (available (a read replica, which RDS cannot stop)): its emails name ` +
        'it instead of stopping it, and its data becomes unreadable while the key is unusable',
    },
  ]);
});

it("names a read replica's source and a source's replicas whatever their state or tags, at registration", () => {
  const SOURCE = 'arn:aws:rds:us-east-1:111122223333:db:orders';
  const seen = new Map<string, Seen>([
    [
      DB,
      {
        resourceArn: DB,
        state: 'transitioning',
        detail: 'backing-up',
        cannotStop: 'a read replica of orders, which RDS cannot stop',
      },
    ],
    [
      SOURCE,
      {
        resourceArn: SOURCE,
        state: 'not-managed',
        detail: 'available',
        cannotStop: 'has read replicas (replica-db), so RDS cannot stop it',
      },
    ],
  ]);
  const messages = keyAdvisories({ keyArn: KEY_ARN, resourceArns: [DB, SOURCE], seen }).map(
    (advisory) => advisory.message,
  );
  expect(messages).toEqual([
    expect.stringContaining(`cannot stop ${DB} (a read replica of orders, which RDS cannot stop)`),
    expect.stringContaining(`cannot stop ${SOURCE} (has read replicas (replica-db), so RDS cannot stop it)`),
  ]);
});

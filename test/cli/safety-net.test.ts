import { Readable } from 'node:stream';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import { CreateDBInstanceCommand, ListTagsForResourceCommand } from '@aws-sdk/client-rds';
import { CreateBucketCommand, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { run } from '../../cli/main';
import { keyIdOf } from '../../lambdas/shared/arn';
import { DEFAULT_MANAGED_TAG, ENV, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { LocalReactor } from '../../sandbox/reactor';
import { SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { freshKeyWorldEachCase } from '../support/key-world';
import { type Cli, localCli } from './harness';

// The safety net by encryption against moto: what is encrypted with the key and not tagged for it is
// listed by plan as unprotected, whatever the table says.

let reactor: LocalReactor;
let keyArn: string;
let cli: Cli;

freshKeyWorldEachCase({ graceMs: 10, graceSeconds: 600 }, { registered: true }, async (world) => {
  ({ reactor, keyArn } = world);
  cli = localCli(reactor);
});

/** An RDS instance encrypted with `kmsKeyId`, with the given tags (none: the done-when case). */
async function encryptedDatabase(identifier: string, kmsKeyId: string, tags: Record<string, string> = {}) {
  const { DBInstance } = await reactor.clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'platform',
      MasterUserPassword: 'not-a-secret-1',
      StorageEncrypted: true,
      KmsKeyId: kmsKeyId,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return DBInstance?.DBInstanceArn ?? '';
}

interface PlanJson {
  unprotected: { resourceArn: string; kind: string; via?: string }[];
  cannotStop: { resourceArn: string; kind: string; cannotStop: string }[];
}

async function planJson(): Promise<PlanJson> {
  const result = await cli('plan', keyArn, '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PlanJson;
}

describe('plan and the safety net by encryption', () => {
  it("lists an RDS instance created with the key's KmsKeyId and no tag as unprotected", async () => {
    const arn = await encryptedDatabase('forgotten-db', keyArn);

    const plan = await cli('plan', keyArn);

    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Unprotected: encrypted with the key but not tagged for it/);
    expect(plan.stdout).toMatch(/rds-instance\s+forgotten-db/);
    expect((await planJson()).unprotected).toEqual([
      { keyArn, resourceArn: arn, kind: 'rds-instance', tagged: false },
    ]);
  });

  it('leaves out a database tagged for the key, one encrypted with another key, and one given by key ID', async () => {
    await encryptedDatabase('tagged-db', keyArn, {
      [KEY_ARN_TAG]: keyArn,
      [DEFAULT_MANAGED_TAG.key]: DEFAULT_MANAGED_TAG.value,
    });
    await encryptedDatabase(
      'other-key-db',
      keyArn.replace(keyIdOf(keyArn), '00000000-0000-4000-8000-000000000000'),
    );
    const byId = await encryptedDatabase('by-id-db', keyIdOf(keyArn));

    const { unprotected } = await planJson();

    // moto keeps the KmsKeyId as given: a key ID is matched as the key's ARN.
    expect(unprotected.map((dependent) => dependent.resourceArn)).toEqual([byId]);
  });

  it('names the EC2 instance whose volume is encrypted with the key, by its volume', async () => {
    const { Instances = [] } = await reactor.clients.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        BlockDeviceMappings: [
          { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: keyArn } },
        ],
      }),
    );
    const instanceId = Instances[0]?.InstanceId ?? '';

    const { unprotected } = await planJson();

    const instance = unprotected.find((dependent) => dependent.kind === 'ec2-instance');
    expect(instance?.resourceArn).toMatch(new RegExp(`:instance/${instanceId}$`));
    expect(instance?.via).toMatch(/^vol-/);
  });

  it('says which resources AWS cannot stop: an EFS file system and an S3 bucket encrypted with the key', async () => {
    const config = {
      endpoint: reactor.moto.endpoint,
      region: reactor.place.region,
      credentials: SANDBOX_CREDENTIALS,
    };
    const efs = new EFSClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const { FileSystemArn } = await efs.send(
      new CreateFileSystemCommand({ CreationToken: 'tenant-files', Encrypted: true, KmsKeyId: keyArn }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'tenant-uploads' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'tenant-uploads',
        ServerSideEncryptionConfiguration: {
          Rules: [
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
          ],
        },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));

    const plan = await cli('plan', keyArn);
    const { cannotStop } = await planJson();

    expect(cannotStop.map((dependent) => [dependent.kind, dependent.resourceArn]).sort()).toEqual([
      ['efs-file-system', FileSystemArn],
      ['s3-bucket', 'arn:aws:s3:::tenant-uploads'],
    ]);
    expect(plan.stdout).toMatch(
      /tenant-uploads\s+cannot be stopped; its data becomes unreadable while the key is unusable/,
    );
  });
});

describe('adopt', () => {
  it('refuses without a terminal and without --yes, and tags nothing', async () => {
    await encryptedDatabase('forgotten-db', keyArn);

    const refused = await cli('adopt', keyArn);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect((await planJson()).unprotected).toHaveLength(1);
  });

  it('with --yes tags the unprotected database with both tags, after which plan finds none', async () => {
    const arn = await encryptedDatabase('forgotten-db', keyArn);

    const adopted = await cli('adopt', keyArn, '--yes');

    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/Tagged 1 resource/);
    const { TagList = [] } = await reactor.clients.rds.send(
      new ListTagsForResourceCommand({ ResourceName: arn }),
    );
    expect(Object.fromEntries(TagList.map((tag) => [tag.Key, tag.Value]))).toEqual({
      [KEY_ARN_TAG]: keyArn,
      [DEFAULT_MANAGED_TAG.key]: DEFAULT_MANAGED_TAG.value,
    });
    expect((await planJson()).unprotected).toEqual([]);
  });

  it('asks on a terminal, and tags nothing when the answer is not yes', async () => {
    await encryptedDatabase('forgotten-db', keyArn);
    const answers = (answer: string) => Object.assign(Readable.from([`${answer}\n`]), { isTTY: true });
    let stderr = '';
    const io = (answer: string) => ({
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: answers(answer),
    });
    const env = {
      [ENV.tableName]: reactor.reactor.settings.tableName,
      AWS_REGION: reactor.place.region,
      AWS_ENDPOINT_URL: reactor.moto.endpoint,
    };

    expect(await run(['adopt', keyArn], io('n'), env)).toBe(0);
    expect(stderr).toMatch(/Tag these 1 resource\(s\) for .* \[y\/N\]/);
    expect((await planJson()).unprotected).toHaveLength(1);

    expect(await run(['adopt', keyArn], io('y'), env)).toBe(0);
    expect((await planJson()).unprotected).toEqual([]);
  });
});

import { EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
import { keyIdOf } from '../../lambdas/shared/arn';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { LocalReactor } from '../../sandbox/reactor';
import { freshKeyWorldEachCase } from '../support/key-world';
import { type Cli, localCli } from './harness';

// RDS read replicas and their sources against moto (CreateDBInstanceReadReplica): StopDBInstance refuses
// both, so register says which and why when they are registered, not only at shutdown, and plan says so.

let reactor: LocalReactor;
let keyArn: string;
let cli: Cli;

freshKeyWorldEachCase({ graceMs: 10 }, { registered: false }, async (world) => {
  ({ reactor, keyArn } = world);
  cli = localCli(reactor);
  // A well-kept key, so that the only warnings are the replicas'.
  await reactor.clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyIdOf(keyArn) }));
});

const tagsFor = (key: string) => [
  { Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value },
  { Key: KEY_ARN_TAG, Value: key },
];

/** A source database encrypted with the key, and its read replica, both tagged for the key. */
async function sourceAndReplica(): Promise<{ source: string; replica: string }> {
  const { DBInstance: source } = await reactor.clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'orders',
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'platform',
      MasterUserPassword: 'not-a-secret-1',
      StorageEncrypted: true,
      KmsKeyId: keyArn,
      Tags: tagsFor(keyArn),
    }),
  );
  const { DBInstance: replica } = await reactor.clients.rds.send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: 'orders-replica',
      SourceDBInstanceIdentifier: 'orders',
      DBInstanceClass: 'db.t3.micro',
      KmsKeyId: keyArn,
      Tags: tagsFor(keyArn),
    }),
  );
  return { source: source?.DBInstanceArn ?? '', replica: replica?.DBInstanceArn ?? '' };
}

describe('RDS read replicas and their sources', () => {
  it('register warns which cannot be stopped and why, and registers them all the same', async () => {
    const { source, replica } = await sourceAndReplica();

    const result = await cli('register', keyArn, source, replica);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Registered 2 resources to ${keyArn}:`);
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toEqual([
      `warning: the reactor cannot stop ${source} (has read replicas (orders-replica), so RDS cannot stop it): ` +
        'its emails name it instead of stopping it, and its data becomes unreadable while the key is unusable',
      `warning: the reactor cannot stop ${replica} (a read replica of orders, which RDS cannot stop): ` +
        'its emails name it instead of stopping it, and its data becomes unreadable while the key is unusable',
    ]);
  });

  it('register --strict warns the same and does not refuse, as it treats every warning but a missing resource', async () => {
    const { source, replica } = await sourceAndReplica();

    const result = await cli('register', keyArn, source, replica, '--strict', '--json');

    expect(result.code).toBe(0);
    const { registered, warnings } = JSON.parse(result.stdout) as {
      registered: { resourceArn: string; state: string }[];
      warnings: string[];
    };
    expect(registered.map((resource) => [resource.resourceArn, resource.state])).toEqual([
      [source, 'running'],
      [replica, 'running'],
    ]);
    expect(warnings).toEqual([
      expect.stringContaining('has read replicas (orders-replica), so RDS cannot stop it'),
      expect.stringContaining('a read replica of orders, which RDS cannot stop'),
    ]);
  });

  it('plan says it would skip both, and lists them among what cannot be stopped, with why', async () => {
    const { source, replica } = await sourceAndReplica();
    await cli('register', keyArn, source, replica);

    const text = await cli('plan', keyArn);
    const json = JSON.parse((await cli('plan', keyArn, '--json')).stdout) as {
      wouldStop: string[];
      servers: { resourceArn: string; verdict: string; why: string }[];
      cannotStop: { resourceArn: string; cannotStop: string; reason: unknown }[];
    };

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /rds-instance\s+orders-replica\s+.+skip: AWS cannot stop it: available \(a read replica of orders, which RDS cannot stop\)/,
    );
    expect(text.stdout).toMatch(/Encrypted with the key, and the reactor cannot stop them \(2\)/);
    expect(json.wouldStop).toEqual([]);
    expect(json.servers.map((server) => [server.resourceArn, server.verdict])).toEqual([
      [source, 'skip'],
      [replica, 'skip'],
    ]);
    expect(json.cannotStop.map((dependent) => [dependent.resourceArn, dependent.reason]).sort()).toEqual([
      [source, { kind: 'has-replicas', replicas: ['orders-replica'] }],
      [replica, { kind: 'read-replica', source: 'orders' }],
    ]);
  });
});

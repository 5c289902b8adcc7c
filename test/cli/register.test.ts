import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import { ENV } from '../../lambdas/shared/contract';
import type { Registry } from '../../lambdas/shared/store/registry';
import { type AwsCall, AwsCallLog } from '../../sandbox/aws-calls';
import type { LocalReactor } from '../../sandbox/reactor';
import { type FleetMember, SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { freshKeyWorldEachCase } from '../support/key-world';
import { type Cli, listed as listedBy, localCli } from './harness';

// The CLI in-process against the worker's moto server: register, list and unregister through the
// reactor's own store and drivers, and the one-line errors with their exit codes.

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];
/** The registry the CLI writes, read through the local reactor's own store. */
let registry: Registry;
/** The calls the CLI's own clients make (not the test's, nor the local reactor's). */
let calls: AwsCallLog;
let cli: Cli;

/**
 * Jest hooks: a fresh table, key and fleet before each case of the block, nothing registered. The key
 * rotates automatically, as a well-kept customer key does, so that register has nothing to warn about.
 */
const freshWorld = () =>
  freshKeyWorldEachCase({ graceMs: 10 }, { registered: false }, async (world) => {
    ({ reactor, keyArn, fleet } = world);
    registry = reactor.reactor.store.registry;
    calls = new AwsCallLog();
    cli = localCli(reactor, calls);
    await reactor.clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyIdOf(keyArn) }));
  });

// By key ID: moto fails DisableKey given the key's ARN.
const disableKey = () => reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
const arns = () => fleet.map((member) => member.resourceArn);
const service = () => fleet.find((member) => member.layer === 'service')?.resourceArn ?? '';

/** The key's resources as list shows them, without `legacy`. */
const listed = async (key: string) =>
  (await listedBy(reactor, key)).map(({ resourceArn, layer, registeredBy }) => ({
    resourceArn,
    layer,
    registeredBy,
  }));

/** A stack trace would show `    at <function> (<file>:<line>)` lines. */
const NO_STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** What the CLI wrote to the table: nothing, when a key is refused. */
const isTableWrite = (call: AwsCall) =>
  call.service === 'DynamoDB' && /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(call.operation);
const tableWrites = () => calls.calls.filter(isTableWrite);
/** A call that writes a resource's tags, in any of the four services. */
const isTagWrite = (call: AwsCall) =>
  /^(CreateTags|AddTagsToResource|TagResource|CreateOrUpdateTags)$/.test(call.operation);

describe('key-reactor register', () => {
  freshWorld();

  it('registers each resource by tagging it, in the layer its kind implies, with no table row, and says what it saw', async () => {
    // Act
    const result = await cli('register', keyArn, ...arns(), '--admin', 'dba@customer.example');

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Registered 4 resources to ${keyArn}:`);
    expect(result.stdout).toMatch(/service {2}ecs-service {3}api {18}running \(desired 2, running 2/);
    expect(result.stdout).toContain('administrators: dba@customer.example');
    expect(await listed(keyArn)).toEqual(
      expect.arrayContaining(
        fleet.map(({ resourceArn, layer }) => ({ resourceArn, layer, registeredBy: 'tag' })),
      ),
    );
    expect(await registry.list(keyArn)).toEqual([]);
    expect(await registry.policy(keyArn)).toEqual({
      administrators: ['dba@customer.example'],
      action: 'shutdown',
      onAccessDenied: 'shutdown',
      language: 'en',
    });
  });

  it("sets the key's policy: its own grace period in minutes, alert-only, alert-only on revoked access, several administrators", async () => {
    // Act
    const result = await cli(
      'register',
      keyArn,
      service(),
      '--grace',
      '30',
      '--action',
      'alert-only',
      '--on-access-denied',
      'alert-only',
      '--admin',
      'a@customer.example',
      '--admin',
      'b@customer.example',
    );

    // Assess
    expect(result.code).toBe(0);
    expect(await registry.policy(keyArn)).toEqual({
      administrators: ['a@customer.example', 'b@customer.example'],
      graceSeconds: 1800,
      action: 'alert-only',
      onAccessDenied: 'alert-only',
      language: 'en',
    });
    expect(result.stdout).toContain("grace period:   30 minutes (the key's own)");
    expect(result.stdout).toContain('action:         alert-only (nothing stops');
    expect(result.stdout).toContain('access denied:  alert-only (revoked access only emails)');
  });

  it('keeps the policy fields a later registration does not mention', async () => {
    await cli('register', keyArn, service(), '--grace', '5', '--admin', 'a@customer.example');

    await cli('register', keyArn, arns()[1] ?? '', '--action', 'alert-only');

    expect(await registry.policy(keyArn)).toEqual({
      administrators: ['a@customer.example'],
      graceSeconds: 300,
      action: 'alert-only',
      onAccessDenied: 'shutdown',
      language: 'en',
    });
  });

  it('puts every resource in the layer --layer names, by a row beside its tag only when it is not the default', async () => {
    await cli('register', keyArn, service(), '--layer', 'server');

    expect(await listed(keyArn)).toEqual([{ resourceArn: service(), layer: 'server', registeredBy: 'both' }]);

    // Registered again in its default layer: the row goes, the tag alone registers it.
    await cli('register', keyArn, service());

    expect(await listed(keyArn)).toEqual([{ resourceArn: service(), layer: 'service', registeredBy: 'tag' }]);
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('tags a resource without the managed tag, and registers one that does not exist by a row, with a warning', async () => {
    // Prepare: an instance nobody tagged for the reactor.
    const { Instances } = await reactor.clients.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    const untagged = `arn:aws:ec2:us-east-1:123456789012:instance/${Instances?.[0]?.InstanceId}`;
    const missing = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0';

    // Act
    const result = await cli('register', keyArn, untagged, missing);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain(untagged);
    expect(result.stdout).toMatch(new RegExp(`${Instances?.[0]?.InstanceId} +running`));
    expect(result.stderr).toContain(
      `warning: ${missing} was not found (check the ARN and the Region); registered by a table row until it exists`,
    );
    expect(result.stdout).toMatch(/i-0123456789abcdef0 +not-found/);
    expect(await listed(keyArn)).toEqual(
      expect.arrayContaining([
        { resourceArn: untagged, layer: 'server', registeredBy: 'tag' },
        { resourceArn: missing, layer: 'server', registeredBy: 'row' },
      ]),
    );
  });

  it('warns, without blocking, about automatic rotation off and a key shared by several accounts', async () => {
    // Prepare: rotation turned off, and a service of another account (a second tenant) on the same key.
    await reactor.clients.kms.send(new DisableKeyRotationCommand({ KeyId: keyIdOf(keyArn) }));
    const foreign = 'arn:aws:ecs:us-east-1:444455556666:service/tenant-b/api';

    // Act
    const result = await cli('register', keyArn, service(), foreign);

    // Assess: registered, exit code 0, and both warnings said.
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: automatic rotation is off for ${keyArn}, whose key material AWS generates`,
    );
    expect(result.stderr).toContain(
      `warning: ${keyArn} is shared by resources of 2 accounts (123456789012, 444455556666)`,
    );
    // The other account's service does not exist here: a row registers it.
    expect(await listed(keyArn)).toHaveLength(2);
    expect(calls.of('GetKeyRotationStatus').map((call) => call.input.KeyId)).toEqual([keyArn]);
  });

  it('refuses what is neither a key ARN, a key ID nor an alias, with exit code 2 and one line, before any AWS call', async () => {
    for (const bad of ['key', 'arn:aws:s3:::customer-bucket', 'alias/', '1234abcd']) {
      // Act
      const result = await cli('register', bad, service());

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: ".*" is not a KMS key: give its ARN .+\n$/);
      expect(result.stdout).toBe('');
    }
    expect(calls.calls).toEqual([]);
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('refuses a resource of a type it cannot stop, naming the type, with exit code 2', async () => {
    // Act
    const result = await cli('register', keyArn, service(), 'arn:aws:s3:::customer-bucket');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: unsupported resource type "s3:customer-bucket" in arn:aws:s3:::customer-bucket: /,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // Nothing is registered when any argument is bad.
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('refuses something that is not an ARN at all, and bad option values, with exit code 2', async () => {
    const cases = [
      ['register', keyArn, 'i-0123456789abcdef0'],
      ['register', keyArn, service(), '--grace', '1441'],
      ['register', keyArn, service(), '--grace', 'ten'],
      ['register', keyArn, service(), '--action', 'stop'],
      ['register', keyArn, service(), '--on-access-denied', 'ignore'],
      ['register', keyArn, service(), '--admin', 'not-an-address'],
      ['register', keyArn],
      ['frobnicate'],
    ];
    for (const argv of cases) {
      const result = await cli(...argv);

      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).not.toMatch(NO_STACK);
    }
  });

  it('says the table is missing, with exit code 3 and no stack trace', async () => {
    // Act
    const result = await cli('--table', 'no-such-table', 'register', keyArn, service());

    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'error: the table "no-such-table" does not exist in us-east-1: pass the reactor\'s table with --table ' +
        '(or TABLE_NAME; the stack output TableName) and its Region with --region\n',
    );
  });

  it('says how to name the table when none is given, with exit code 2', async () => {
    // Act
    const result = await localCli(reactor, calls, { [ENV.tableName]: undefined })('list');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no table given: pass --table <name> or set TABLE_NAME');
  });
});

describe('key-reactor register checks the key first', () => {
  freshWorld();

  it('checks the key once, with DescribeKey and GenerateDataKey, before registering several resources', async () => {
    // Act
    const result = await cli('register', keyArn, ...arns());

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(calls.of('DescribeKey').map((call) => call.input.KeyId)).toEqual([keyArn]);
    expect(calls.of('GenerateDataKey').map((call) => call.input.KeyId)).toEqual([keyArn]);
    const checked = calls.calls.findIndex((call) => call.operation === 'GenerateDataKey');
    expect(checked).toBeLessThan(calls.calls.findIndex(isTagWrite));
    expect(await listed(keyArn)).toHaveLength(4);
  });

  it('refuses a disabled key with exit code 2, saying to enable it, and writes nothing', async () => {
    // Prepare
    await disableKey();

    // Act
    const result = await cli('register', keyArn, ...arns(), '--admin', 'dba@customer.example');

    // Assess
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${keyArn} is Disabled: enable it (aws kms enable-key --key-id ${keyArn}) first\n`,
    });
    expect(tableWrites()).toEqual([]);
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('refuses a key that does not exist, with exit code 2', async () => {
    const missing = `${keyArn.slice(0, keyArn.lastIndexOf('/'))}/0a1b2c3d-0000-4000-8000-000000000000`;

    const result = await cli('register', missing, service());

    expect(result).toMatchObject({ code: 2, stderr: `error: ${missing} does not exist (or was deleted)\n` });
    expect(tableWrites()).toEqual([]);
  });

  it('refuses an alias or a key ID that names no key, with exit code 2, and writes nothing', async () => {
    for (const bad of [
      'alias/no-such-alias',
      '0a1b2c3d-0000-4000-8000-000000000000',
      keyArn.replace(/key\/.+$/, 'alias/no-such-alias'),
    ]) {
      // Act
      const result = await cli('register', bad, service());

      // Assess
      expect({ bad, code: result.code }).toEqual({ bad, code: 2 });
      expect(result.stderr).toMatch(
        /^error: no KMS key ".+" in us-east-1: check the (alias|key ID) and the Region/,
      );
      expect(result.stderr.split('\n')).toHaveLength(2);
    }
    // One DescribeKey each, which KMS answers NotFoundException; no key check follows.
    expect(calls.calls.map((call) => [call.operation, call.error])).toEqual(
      Array(3).fill(['DescribeKey', 'NotFoundException']),
    );
    expect(tableWrites()).toEqual([]);
  });

  it("refuses a key in another Region than the CLI's, with exit code 2", async () => {
    // Prepare: a key in us-west-2, while the CLI works in us-east-1 (AWS_REGION).
    const west = new KMSClient({
      endpoint: reactor.moto.endpoint,
      region: 'us-west-2',
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });
    const { KeyMetadata } = await west.send(new CreateKeyCommand({ Description: 'Key in another Region' }));
    const westKey = KeyMetadata?.Arn ?? '';

    // Act
    const result = await cli('register', westKey, service());
    // --region is the CLI's Region too: the us-east-1 key is the one elsewhere now.
    const flagged = await cli('--region', 'us-west-2', 'register', keyArn, service());

    // Assess
    expect(result).toMatchObject({
      code: 2,
      stderr: `error: ${westKey} is in us-west-2, the platform runs in us-east-1: create the key in us-east-1\n`,
    });
    expect(flagged).toMatchObject({
      code: 2,
      stderr: `error: ${keyArn} is in us-east-1, the platform runs in us-west-2: create the key in us-west-2\n`,
    });
    expect(tableWrites()).toEqual([]);
  });

  it('registers to a disabled key with --skip-key-checks, warning that the checks were skipped', async () => {
    // Prepare: restoring a registry while the key is disabled.
    await disableKey();

    // Act
    const result = await cli('register', keyArn, ...arns(), '--skip-key-checks');

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: key checks skipped (--skip-key-checks): ${keyArn} may be disabled, pending deletion, ` +
        'in another Region or unusable by the reactor\n',
    );
    expect(result.stdout).toContain(`Registered 4 resources to ${keyArn}:`);
    expect(calls.of('DescribeKey')).toEqual([]);
    expect(await listed(keyArn)).toHaveLength(4);
  });
});

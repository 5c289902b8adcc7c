import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { ListTagsForResourceCommand as ListServiceTagsCommand } from '@aws-sdk/client-ecs';
import { EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { ListTagsForResourceCommand } from '@aws-sdk/client-rds';
import { keyIdOf, resourceIdOf } from '../../lambdas/shared/arn';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { Registry } from '../../lambdas/shared/store/registry';
import { type AwsCall, AwsCallLog } from '../../sandbox/aws-calls';
import type { LocalReactor } from '../../sandbox/reactor';
import { createCustomerKey, type FleetMember } from '../../sandbox/world';
import { freshKeyWorldEachCase } from '../support/key-world';
import { type Cli, type Listed, listed as listedBy, localCli } from './harness';

// The tag is the registration (issue 14), through the CLI against moto: register tags and refuses
// another key's resource, unregister untags, list says how each resource is registered, and migrate
// moves the table's rows onto the tags.

let reactor: LocalReactor;
let keyArn: string;
let otherKey: string;
let fleet: FleetMember[];
let registry: Registry;
let calls: AwsCallLog;
let cli: Cli;

freshKeyWorldEachCase({ graceMs: 10 }, { registered: false }, async (world) => {
  ({ reactor, keyArn, fleet } = world);
  registry = reactor.reactor.store.registry;
  calls = new AwsCallLog();
  cli = localCli(reactor, calls);
  otherKey = await createCustomerKey(reactor.clients, 'Another customer key');
  for (const key of [keyArn, otherKey])
    await reactor.clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyIdOf(key) }));
});

const byKind = (pattern: RegExp) =>
  fleet.find((member) => pattern.test(member.resourceArn))?.resourceArn ?? '';
const service = () => byKind(/:ecs:/);
const instance = () => byKind(/:ec2:/);
const database = () => byKind(/:rds:/);
const arns = () => fleet.map((member) => member.resourceArn);

/** A resource's tags as its own service holds them, read with the test's clients. */
async function tagsOf(resourceArn: string): Promise<Record<string, string>> {
  const { ec2, ecs, rds } = reactor.clients;
  let pairs: { Key?: string; Value?: string }[] = [];
  if (resourceArn.includes(':ecs:')) {
    const { tags } = await ecs.send(new ListServiceTagsCommand({ resourceArn }));
    pairs = (tags ?? []).map(({ key, value }) => ({ Key: key, Value: value }));
  } else if (resourceArn.includes(':ec2:')) {
    const { Tags } = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [resourceIdOf(resourceArn)] }] }),
    );
    pairs = Tags ?? [];
  } else {
    pairs = (await rds.send(new ListTagsForResourceCommand({ ResourceName: resourceArn }))).TagList ?? [];
  }
  return Object.fromEntries(pairs.map(({ Key, Value }) => [Key ?? '', Value ?? '']));
}

const listed = (key: string) => listedBy(reactor, key);

const isWrite = (call: AwsCall) =>
  /^(CreateTags|AddTagsToResource|TagResource|CreateOrUpdateTags|Put|Update|Delete|BatchWrite)/.test(
    call.operation,
  );

describe('register and unregister tag and untag', () => {
  it('register writes the key tag and the managed tag on an ECS service, an EC2 instance and an RDS instance', async () => {
    const result = await cli('register', keyArn, service(), instance(), database());

    expect(result.code).toBe(0);
    for (const arn of [service(), instance(), database()]) {
      expect(await tagsOf(arn)).toMatchObject({
        [KEY_ARN_TAG]: keyArn,
        [DEFAULT_MANAGED_TAG.key]: DEFAULT_MANAGED_TAG.value,
      });
    }
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('refuses a resource tagged for another key with exit code 2 and tagged-for-another-key, and writes nothing', async () => {
    expect((await cli('register', otherKey, database())).code).toBe(0);
    calls.clear();

    const result = await cli('--json', 'register', keyArn, service(), database(), '--grace', '10');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'tagged-for-another-key',
        exitCode: 2,
        message: expect.stringContaining(`${database()} is tagged for ${otherKey}`),
      },
    });
    expect(calls.calls.filter(isWrite)).toEqual([]);
    expect((await tagsOf(database()))[KEY_ARN_TAG]).toBe(otherKey);
    expect(await tagsOf(service())).not.toHaveProperty(KEY_ARN_TAG);
    expect(await registry.policy(keyArn)).not.toHaveProperty('graceSeconds');
  });

  it('refuses it with --no-check too: the key tag is read all the same', async () => {
    await cli('register', otherKey, instance());

    const result = await cli('register', keyArn, instance(), '--no-check');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: ${instance()} is tagged for ${otherKey}: a resource belongs to one key; unregister it from that key first. Nothing written\n`,
    );
  });

  it('unregister removes both tags and the row, and leaves another key’s tag alone', async () => {
    await cli('register', keyArn, service(), '--layer', 'server');
    await cli('register', otherKey, database());

    const result = await cli('unregister', keyArn, service(), database());

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Unregistered from ${keyArn}: api\n`);
    expect(result.stderr).toContain(
      `warning: ${database()} is tagged for ${otherKey}, not ${keyArn}: its tags were left as they are`,
    );
    const serviceTags = await tagsOf(service());
    expect(serviceTags).not.toHaveProperty(KEY_ARN_TAG);
    expect(serviceTags).not.toHaveProperty(DEFAULT_MANAGED_TAG.key);
    expect(await registry.list(keyArn)).toEqual([]);
    expect((await tagsOf(database()))[KEY_ARN_TAG]).toBe(otherKey);
    expect(await listed(keyArn)).toEqual([]);
  });
});

describe('list', () => {
  it('says how each resource is registered: tag, row, tag + row, and which rows are legacy', async () => {
    // Prepare: a tag alone, a tag with a layer row, a legacy row alone, a legacy row beside a tag.
    await cli('register', keyArn, instance());
    await cli('register', keyArn, service(), '--layer', 'server');
    await registry.register({ keyArn, resourceArn: database(), layer: 'server' });
    const second = fleet.filter((member) => member.resourceArn.includes(':ec2:'))[1]?.resourceArn ?? '';
    await cli('register', keyArn, second);
    await registry.register({ keyArn, resourceArn: second, layer: 'server' });

    const text = await cli('list', '--key', keyArn);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/REGISTERED BY/);
    expect(text.stdout).toMatch(/ecs-service +api +tag \+ row +arn:/);
    expect(text.stdout).toMatch(/rds-instance +customer-db +row \(legacy\) +arn:/);
    expect(text.stdout).toContain('Legacy rows: key-reactor migrate tags their resources');
    const byArn = (entries: Listed[]) =>
      [...entries].sort((a, b) => a.resourceArn.localeCompare(b.resourceArn));
    expect(byArn(await listed(keyArn))).toEqual(
      byArn([
        { resourceArn: service(), layer: 'server', registeredBy: 'both', legacy: false },
        { resourceArn: instance(), layer: 'server', registeredBy: 'tag', legacy: false },
        { resourceArn: second, layer: 'server', registeredBy: 'both', legacy: true },
        { resourceArn: database(), layer: 'server', registeredBy: 'row', legacy: true },
      ]),
    );
  });

  it('lists every key from the account’s tags, and warns of a row whose resource is tagged for another key', async () => {
    await cli('register', keyArn, service());
    await cli('register', otherKey, database());
    await registry.register({ keyArn, resourceArn: database(), layer: 'server' });

    const result = await cli('--json', 'list');

    const { keys } = JSON.parse(result.stdout) as { keys: { keyArn: string; resources: Listed[] }[] };
    expect(keys.map((key) => [key.keyArn, key.resources.map((resource) => resource.resourceArn)])).toEqual(
      expect.arrayContaining([
        [keyArn, [service()]],
        [otherKey, [database()]],
      ]),
    );
    expect(result.stderr).toContain(
      `warning: ${database()} has a row under ${keyArn} but is tagged for ${otherKey}: the tag wins`,
    );
  });
});

describe('status and the key tag', () => {
  it('says which registered resource lacks the key tag, which the workflows then skip', async () => {
    // Prepare: one resource tagged through register, one registered by a legacy row alone.
    await cli('register', keyArn, instance());
    await registry.register({ keyArn, resourceArn: database(), layer: 'server' });

    const text = await cli('status', keyArn);
    const json = await cli('status', keyArn, '--json');

    expect(text.code).toBe(0);
    const lineOf = (name: string) => text.stdout.split('\n').find((line) => line.includes(name)) ?? '';
    expect(lineOf('customer-db')).toContain(
      'not tagged for this key, so the reactor skips it: key-reactor migrate',
    );
    expect(lineOf(resourceIdOf(instance()))).not.toContain('not tagged');
    const resources = (
      JSON.parse(json.stdout) as { resources: { resourceArn: string; taggedForKey: boolean }[] }
    ).resources;
    expect(Object.fromEntries(resources.map((r) => [r.resourceArn, r.taggedForKey]))).toEqual({
      [instance()]: true,
      [database()]: false,
    });
  });
});

describe('migrate', () => {
  /** Rows as a registration made before the tag was the registration: the service in a non-default layer. */
  async function legacyRows(): Promise<void> {
    await registry.register({ keyArn, resourceArn: service(), layer: 'server' });
    await registry.register({ keyArn, resourceArn: instance(), layer: 'server' });
    await registry.register({ keyArn, resourceArn: database(), layer: 'server' });
  }

  it('prints the plan and changes nothing without --yes', async () => {
    await legacyRows();
    calls.clear();

    const result = await cli('migrate');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Would migrate 3 row(s) to tags (a dry run: nothing changed; --yes does it):',
    );
    expect(result.stdout).toMatch(/ecs-service +api +tag, keep row/);
    expect(result.stdout).toMatch(/rds-instance +customer-db +tag, drop row/);
    expect(calls.calls.filter(isWrite)).toEqual([]);
    expect(await registry.list(keyArn)).toHaveLength(3);
    expect(await tagsOf(database())).not.toHaveProperty(KEY_ARN_TAG);
  });

  it('with --yes tags every row’s resource, drops the default-layer rows and keeps the others', async () => {
    await legacyRows();

    const result = await cli('migrate', '--yes');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migrated 3 row(s) to tags:');
    for (const arn of [service(), instance(), database()])
      expect(await tagsOf(arn)).toMatchObject({ [KEY_ARN_TAG]: keyArn, [DEFAULT_MANAGED_TAG.key]: 'true' });
    expect((await registry.list(keyArn)).map((row) => [row.resourceArn, row.layer])).toEqual([
      [service(), 'server'],
    ]);
    expect(await listed(keyArn)).toEqual(
      expect.arrayContaining([
        { resourceArn: service(), layer: 'server', registeredBy: 'both', legacy: false },
        { resourceArn: database(), layer: 'server', registeredBy: 'tag', legacy: false },
      ]),
    );
    // Run again: nothing left to tag, the kept row stays.
    const again = await cli('migrate', '--yes');
    expect(again.stdout).toMatch(/ecs-service +api +already tagged, keep row/);
  });

  it('refuses and reports a row whose resource is tagged for another key, with exit code 2, leaving it as it is', async () => {
    await cli('register', otherKey, database());
    await registry.register({ keyArn, resourceArn: database(), layer: 'server' });
    await registry.register({ keyArn, resourceArn: instance(), layer: 'server' });

    const result = await cli('migrate', '--yes');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `warning: ${database()} has a row under ${keyArn} but is tagged for ${otherKey}: not migrated`,
    );
    expect(result.stdout).toMatch(/customer-db +refused: tagged for/);
    expect((await tagsOf(database()))[KEY_ARN_TAG]).toBe(otherKey);
    expect((await tagsOf(instance()))[KEY_ARN_TAG]).toBe(keyArn);
    expect((await registry.list(keyArn)).map((row) => row.resourceArn)).toEqual([database()]);
  });
});

describe('list and unregister, round trip', () => {
  it('round-trips: register, list one key and every key, unregister, list again', async () => {
    // Prepare
    const elsewhere = 'arn:aws:rds:us-east-1:123456789012:db:not-created-yet';
    expect((await cli('register', keyArn, ...arns(), '--grace', '15')).code).toBe(0);
    expect((await cli('register', otherKey, elsewhere, '--action', 'alert-only')).code).toBe(0);

    // Act and assess: one key, as text, services first.
    const one = await cli('list', '--key', keyArn);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`Key ${keyArn}`);
    expect(one.stdout).toContain("grace period:   15 minutes (the key's own)");
    expect(one.stdout).not.toContain(otherKey);
    const rows = one.stdout.split('\n').filter((line) => /^ {2}(service|server) /.test(line));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^ {2}service +ecs-service +api /);

    // Every key, as JSON.
    const all = await cli('--json', 'list');
    const { keys } = JSON.parse(all.stdout) as {
      keys: { keyArn: string; policy: { action: string }; resources: { resourceArn: string }[] }[];
    };
    expect(keys.map((key) => [key.keyArn, key.resources.length, key.policy.action]).sort()).toEqual(
      [
        [keyArn, 4, 'shutdown'],
        [otherKey, 1, 'alert-only'],
      ].sort(),
    );

    // Unregister one resource: gone from the list, the others stay.
    const removed = await cli('unregister', keyArn, service());
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe(`Unregistered from ${keyArn}: api\n`);
    const after = await cli('list', '--json', '--key', keyArn);
    const [key] = (JSON.parse(after.stdout) as { keys: { resources: { resourceArn: string }[] }[] }).keys;
    expect(key?.resources.map((resource) => resource.resourceArn).sort()).toEqual(
      arns()
        .filter((arn) => arn !== service())
        .sort(),
    );

    // Unregistering it again finds nothing: exit code 3.
    const again = await cli('unregister', keyArn, service());
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`warning: ${service()} was not registered to ${keyArn}`);
  });

  it('says when no key has anything registered', async () => {
    const result = await cli('list');

    expect(result).toEqual({ code: 0, stdout: 'No resources are registered to any key.\n', stderr: '' });
  });
});

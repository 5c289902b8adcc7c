import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, DisableKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionName } from '../../lambdas/dispatcher/key-event';
import { keyIdOf, shortKeyId } from '../../lambdas/shared/arn';
import { ENV } from '../../lambdas/shared/contract';
import type { Registry } from '../../lambdas/shared/store/registry';
import { type AwsCall, AwsCallLog } from '../../sandbox/aws-calls';
import { loadDefinition } from '../../sandbox/local-workflows';
import type { LocalReactor } from '../../sandbox/reactor';
import { createCustomerKey, type FleetMember, SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { freshKeyWorldEachCase, keyEventFor } from '../support/key-world';
import { type Cli, listed, localCli } from './harness';

// The commands for a bad day, in-process against the worker's moto server: keys named by ID or alias,
// policy set, register --strict and --from, runs, init, and errors from AWS as JSON.

let reactor: LocalReactor;
let keyArn: string;
let fleet: FleetMember[];
let registry: Registry;
let calls: AwsCallLog;
let cli: Cli;

// The key rotates automatically, as a well-kept customer key does, so that register's advisories
// (lambdas/shared/key-advisories.ts) have nothing to say about it.
freshKeyWorldEachCase({ graceMs: 10 }, { registered: false }, async (world) => {
  ({ reactor, keyArn, fleet } = world);
  registry = reactor.reactor.store.registry;
  calls = new AwsCallLog();
  cli = localCli(reactor, calls);
  await reactor.clients.kms.send(new EnableKeyRotationCommand({ KeyId: keyIdOf(keyArn) }));
});

const ALIAS = 'alias/customer-data';
const aliasArn = () => keyArn.replace(/key\/.+$/, ALIAS);
const createAlias = () =>
  reactor.clients.kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyIdOf(keyArn) }));
const arns = () => fleet.map((member) => member.resourceArn);
const service = () => fleet.find((member) => member.layer === 'service')?.resourceArn ?? '';
const servers = () => fleet.filter((member) => member.layer === 'server').map((member) => member.resourceArn);
const isTableWrite = (call: AwsCall) =>
  call.service === 'DynamoDB' && /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(call.operation);

/** A file in a fresh temporary folder. */
function tempFile(name: string, lines: readonly string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'key-reactor-')), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('a key named by its key ID, an alias or an alias ARN', () => {
  it("is resolved to the key's ARN once per command, by every command that takes a key", async () => {
    // Prepare
    await createAlias();

    // Act
    const registered = await cli('--json', 'register', ALIAS, service());
    const resolveCalls = calls.of('DescribeKey').filter((call) => call.input.KeyId === ALIAS);
    const listed = await cli('--json', 'list', '--key', aliasArn());
    const status = await cli('--json', 'status', keyIdOf(keyArn));
    const removed = await cli('--json', 'unregister', aliasArn(), service());

    // Assess
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ keyArn });
    expect(resolveCalls).toHaveLength(1);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      keys: [{ keyArn, resources: [{ resourceArn: service() }] }],
    });
    expect(JSON.parse(status.stdout)).toMatchObject({ keyArn, key: { keyState: 'Enabled' } });
    expect(JSON.parse(removed.stdout)).toMatchObject({ keyArn, unregistered: [service()] });
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('is refused in one line, exit code 2, when no key answers to it', async () => {
    const result = await cli('--json', 'status', 'alias/nobody');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'not-found',
        message:
          'no KMS key "alias/nobody" in us-east-1: check the alias and the Region (--region), or give the key\'s ARN',
        exitCode: 2,
      },
    });
  });
});

describe('key-reactor policy set', () => {
  it("sets the key's grace period, action, administrators and language without naming a resource", async () => {
    // Prepare
    await createAlias();

    // Act: --admin repeated and comma-separated.
    const result = await cli(
      'policy',
      'set',
      ALIAS,
      '--grace',
      '10',
      '--action',
      'alert-only',
      '--on-access-denied',
      'alert-only',
      '--admin',
      'a@customer.example,b@customer.example',
      '--admin',
      'c@customer.example',
      '--language',
      'ja',
    );

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Set the policy of ${keyArn}.`);
    expect(result.stdout).toContain("grace period:   10 minutes (the key's own)");
    expect(result.stdout).toContain('language:       ja (Japanese)');
    expect(result.stdout).toContain('access denied:  alert-only (revoked access only emails)');
    expect(await registry.policy(keyArn)).toEqual({
      administrators: ['a@customer.example', 'b@customer.example', 'c@customer.example'],
      graceSeconds: 600,
      action: 'alert-only',
      onAccessDenied: 'alert-only',
      language: 'ja',
    });
    expect(await registry.list(keyArn)).toEqual([]);
  });

  it('keeps the fields it is not given, and works on a disabled key', async () => {
    // Prepare
    await cli('policy', 'set', keyArn, '--grace', '5', '--admin', 'a@customer.example', '--language', 'ja');
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));

    // Act
    const result = await cli('--json', 'policy', 'set', keyArn, '--action', 'alert-only');

    // Assess
    expect(result.code).toBe(0);
    const expected = {
      administrators: ['a@customer.example'],
      graceSeconds: 300,
      action: 'alert-only',
      onAccessDenied: 'shutdown',
      language: 'ja',
    };
    expect(JSON.parse(result.stdout)).toEqual({ keyArn, policy: expected });
    expect(await registry.policy(keyArn)).toEqual(expected);
  });

  it('is what register does with policy options and no resource', async () => {
    const result = await cli('register', keyArn, '--grace', '10');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Registered 0 resources to ${keyArn}:`);
    expect(await registry.policy(keyArn)).toMatchObject({ graceSeconds: 600, language: 'en' });
    expect(await registry.list(keyArn)).toEqual([]);
  });
});

describe('key-reactor register --strict', () => {
  const typo = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0';

  it('refuses a resource that does not exist, exit code 2, and registers nothing', async () => {
    // Act
    const result = await cli(
      'register',
      keyArn,
      ...arns(),
      typo,
      '--strict',
      '--admin',
      'a@customer.example',
    );
    const json = await cli('--json', 'register', keyArn, service(), typo, '--strict');

    // Assess
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --strict: ${typo} does not exist (check the ARN and the Region); nothing registered\n`,
    });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'not-found', exitCode: 2 } });
    expect(calls.calls.filter(isTableWrite)).toEqual([]);
    expect(await registry.list(keyArn)).toEqual([]);
    expect(await registry.policy(keyArn)).toMatchObject({ administrators: [] });
  });

  it('registers resources that all exist', async () => {
    const result = await cli('register', keyArn, ...arns(), '--strict');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await listed(reactor, keyArn)).toHaveLength(fleet.length);
  });

  it('without --strict, registers a missing resource with a warning, as before', async () => {
    const result = await cli('register', keyArn, typo);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`warning: ${typo} was not found`);
  });
});

describe('key-reactor register --from', () => {
  it('registers every resource of the file, each in the layer its line names, with those on the command line', async () => {
    // Prepare: the service on the command line; the servers in the file, the first one in the service layer.
    const [first = '', ...rest] = servers();
    const file = tempFile('fleet.txt', ['# customer-data', `${first}   service`, '', ...rest]);

    // Act
    const result = await cli('register', keyArn, service(), '--from', file);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Registered ${fleet.length} resources to ${keyArn}:`);
    const layers = Object.fromEntries((await listed(reactor, keyArn)).map((r) => [r.resourceArn, r.layer]));
    expect(layers).toEqual({
      [service()]: 'service',
      [first]: 'service',
      ...Object.fromEntries(rest.map((arn) => [arn, 'server'])),
    });
  });

  it('registers nothing, and calls nothing, when a line is bad', async () => {
    const file = tempFile('fleet.txt', [...servers(), 'not-an-arn']);

    const result = await cli('register', keyArn, '--from', file);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: ${file}: 1 bad line, nothing registered: line ${servers().length + 1}: "not-an-arn" is not an ARN ` +
        '(expected arn:aws:<service>:<region>:<account>:<resource>)\n',
    );
    expect(calls.calls).toEqual([]);
  });

  it('with --strict, refuses the whole file for one resource that does not exist', async () => {
    const missing = 'arn:aws:rds:us-east-1:123456789012:db:no-such-db';
    const file = tempFile('fleet.txt', [...servers(), missing]);

    const result = await cli('register', keyArn, '--from', file, '--strict');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${missing} does not exist`);
    expect(await registry.list(keyArn)).toEqual([]);
  });
});

describe('key-reactor runs', () => {
  let sfn: SFNClient;

  /** The two workflows on moto's Step Functions, where the CLI looks for executions. */
  async function deployWorkflows(): Promise<{ disable: string; enable: string }> {
    sfn = new SFNClient({
      endpoint: reactor.moto.endpoint,
      region: reactor.place.region,
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });
    const create = async (workflow: 'disable' | 'enable') => {
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({
          name: `key-reactor-${workflow}-${Date.now()}`,
          definition: JSON.stringify(loadDefinition(reactor.place, workflow, 600)),
          roleArn: 'arn:aws:iam::123456789012:role/key-reactor-workflow',
        }),
      );
      return stateMachineArn ?? '';
    };
    return { disable: await create('disable'), enable: await create('enable') };
  }

  /** Starts an execution named as the dispatcher names it, for `forKey`, its input naming `inputKey`. */
  async function start(
    stateMachineArn: string,
    workflow: 'disable' | 'enable',
    at: string,
    inputKey = keyArn,
  ) {
    const trigger = workflow === 'disable' ? 'DisableKey' : 'EnableKey';
    const event = { ...keyEventFor(keyArn, { workflow, trigger, actor: null }), eventTime: at };
    const name = executionName(event);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify({ ...event, keyArn: inputKey }),
      }),
    );
    return { name, executionArn: executionArn ?? '' };
  }

  it("lists the key's executions of both workflows, newest first, with outcome, times and console link", async () => {
    // Prepare: a disable run that was aborted (moto keeps no error on it: test/unit/cli-executions.test.ts
    // shows the error of a failed run), an enable run, a run of another key whose
    // name starts with the same short key ID, and a run of another key.
    const machines = await deployWorkflows();
    const otherKey = await createCustomerKey(reactor.clients, 'Another customer key');
    const disabled = await start(machines.disable, 'disable', '2026-11-22T15:22:33Z');
    await sfn.send(
      new StopExecutionCommand({
        executionArn: disabled.executionArn,
        error: 'KeyLeaseHeld',
        cause: 'another run holds the key',
      }),
    );
    const enabled = await start(machines.enable, 'enable', '2026-11-22T15:40:00Z');
    // Named for this key (the same short key ID), but its input names another key.
    const spoofed = await start(machines.disable, 'disable', '2026-11-22T16:00:00Z', otherKey);
    const other = `disable-${shortKeyId(keyIdOf(otherKey))}-20261122T170000Z-other`;
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machines.disable,
        name: other,
        input: JSON.stringify({ keyArn: otherKey }),
      }),
    );
    const withMachines = localCli(reactor, calls, {
      [ENV.disableStateMachineArn]: machines.disable,
      [ENV.enableStateMachineArn]: machines.enable,
    });

    // Act
    const text = await withMachines('runs', keyArn);
    const json = await withMachines('--json', 'runs', keyIdOf(keyArn));

    // Assess
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const { runs } = JSON.parse(json.stdout) as {
      runs: { name: string; workflow: string; status: string }[];
    };
    expect(runs.map((run) => [run.workflow, run.name])).toEqual(
      expect.arrayContaining([
        ['disable', disabled.name],
        ['enable', enabled.name],
      ]),
    );
    expect(runs).toHaveLength(2);
    expect(JSON.parse(json.stdout).runs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: disabled.name,
          status: 'ABORTED',
          executionArn: disabled.executionArn,
          console: `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${disabled.executionArn}`,
        }),
      ]),
    );
    expect(text.stdout).toContain(`Executions of ${keyArn} (2), newest first:`);
    expect(text.stdout).toMatch(
      new RegExp(`ABORTED +disable +started \\S+Z +stopped \\S+Z +${disabled.name}`),
    );
    expect(text.stdout).toContain(`redrive: key-reactor redrive ${disabled.executionArn}`);
    expect(text.stdout).not.toContain(spoofed.name);
    expect(text.stdout).not.toContain(other);
  });

  it('says where to find the state machines when none is known, exit code 2', async () => {
    const result = await cli('runs', keyArn);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: runs needs the state machines: pass --disable-state-machine/);
  });
});

describe('key-reactor init', () => {
  it('creates the table with the deployed schema at the endpoint, and says so when it exists', async () => {
    // Act
    const created = await cli('--table', 'fresh-reactor-table', 'init');
    const again = await cli('--json', '--table', 'fresh-reactor-table', 'init');
    const listed = await cli('--table', 'fresh-reactor-table', 'list');

    // Assess
    const endpoint = reactor.moto.endpoint;
    expect(created).toEqual({
      code: 0,
      stdout: `Created the table fresh-reactor-table at ${endpoint} (keys pk, sk; TTL on ttl).\n`,
      stderr: '',
    });
    expect(JSON.parse(again.stdout)).toEqual({ table: 'fresh-reactor-table', endpoint, created: false });
    expect(listed).toMatchObject({ code: 0, stdout: 'No resources are registered to any key.\n' });
    const { Table } = await reactor.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: 'fresh-reactor-table' }),
    );
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const { TimeToLiveDescription } = await reactor.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: 'fresh-reactor-table' }),
    );
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('refuses a table of that name with other keys, exit code 2', async () => {
    // Prepare
    await reactor.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: 'someone-elses',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    // Act
    const result = await cli('--table', 'someone-elses', 'init');

    // Assess
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: the table someone-elses exists but its keys are id HASH, not pk HASH, sk RANGE: choose another --table name\n',
    });
  });
});

describe('errors from AWS with --json', () => {
  it('says the table is missing as JSON, exit code 3', async () => {
    const result = await cli('--json', '--table', 'no-such-table', 'list');

    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'table-not-found',
        message: expect.stringMatching(/^the table "no-such-table" does not exist in us-east-1/),
        exitCode: 3,
      },
    });
  });

  it('says in one line that moto does not implement RedriveExecution, exit code 1', async () => {
    const execution =
      'arn:aws:states:us-east-1:123456789012:execution:key-reactor-disable:disable-1234abcd-x';

    const result = await cli('redrive', execution);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: ${reactor.moto.endpoint} did not answer as AWS would \\(.+\\): it may not implement this call\n$`,
      ),
    );
  });
});

import { randomUUID } from 'node:crypto';
import { DisableKeyCommand, DisableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName } from '../../lambdas/dispatcher/key-event';
import { keyIdOf } from '../../lambdas/shared/arn';
import { ENV, GRACE_SECONDS_TAG } from '../../lambdas/shared/contract';
import type { KeyEvent } from '../../lambdas/shared/model';
import { AwsCallLog } from '../../sandbox/aws-calls';
import { loadDefinition } from '../../sandbox/local-workflows';
import type { LocalReactor } from '../../sandbox/reactor';
import { type FleetMember, SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { freshKeyWorldEachCase, keyEventFor } from '../support/key-world';
import { type Cli, localCli } from './harness';

// status and plan in-process against the worker's moto server. plan must change nothing: every AWS call
// the CLI's clients make is recorded, and none may write.

let reactor: LocalReactor;
let sfn: SFNClient;
let calls: AwsCallLog;
let cli: Cli;
let keyArn: string;
let fleet: FleetMember[];

// The fleet registered with the CLI, as an operator would: no administrators.
freshKeyWorldEachCase({ graceMs: 10, graceSeconds: 600 }, { registered: false }, async (world) => {
  ({ reactor, keyArn, fleet } = world);
  // moto's own Step Functions, where the CLI looks for executions (the reactor's client is answered by
  // the local workflows instead).
  sfn = new SFNClient({
    endpoint: reactor.moto.endpoint,
    region: reactor.place.region,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  });
  calls = new AwsCallLog();
  cli = localCli(reactor, calls);
  const registered = await cli('register', keyArn, ...fleet.map((member) => member.resourceArn));
  expect(registered.code).toBe(0);
  calls.clear();
});

function keyEvent(workflow: 'disable' | 'enable'): KeyEvent {
  const trigger = workflow === 'disable' ? 'DisableKey' : 'EnableKey';
  return keyEventFor(keyArn, { workflow, trigger, actor: null });
}

/** The two workflows on moto's Step Functions, with the definitions the CDK deploys (grace: 10 minutes). */
async function deployWorkflows(): Promise<{ disable: string; enable: string }> {
  const create = async (workflow: 'disable' | 'enable') => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: `key-reactor-${workflow}-${randomUUID().slice(0, 8)}`,
        definition: JSON.stringify(loadDefinition(reactor.place, workflow, 600)),
        roleArn: 'arn:aws:iam::123456789012:role/key-reactor-workflow',
        // The construct tags the key-disabled workflow with its grace period, which the CLI reads.
        ...(workflow === 'disable' ? { tags: [{ key: GRACE_SECONDS_TAG, value: '600' }] } : {}),
      }),
    );
    return stateMachineArn ?? '';
  };
  return { disable: await create('disable'), enable: await create('enable') };
}

const WRITES = /^(Stop|Start|Update|Put|Delete|BatchWrite|Create|Modify|Send|Register|Tag|Enable|Disable)/;

describe('key-reactor plan', () => {
  it('lists what would stop, services then servers, with each state and the grace period, and touches nothing', async () => {
    // Prepare: the deployed grace period is read from the key-disabled state machine.
    const { disable } = await deployWorkflows();
    calls.clear();

    // Act
    const result = await cli('plan', keyArn, '--disable-state-machine', disable);

    // Assess: nothing but reads.
    expect(result.code).toBe(0);
    const writes = calls.calls.filter((call) => WRITES.test(call.operation));
    expect(writes).toEqual([]);
    expect(calls.calls.map((call) => call.operation)).toEqual(
      expect.arrayContaining(['DescribeKey', 'DescribeServices', 'DescribeInstances', 'DescribeDBInstances']),
    );
    // What it says: the grace period, then the services, then the servers, each with its state.
    const { stdout } = result;
    expect(stdout).toContain('nothing is changed by this command');
    expect(stdout).toContain('grace period: 10 minutes (the deployed default)');
    expect(stdout).toContain('on denial:    shutdown (revoked access, once confirmed, stops the resources)');
    expect(stdout).toContain('2. Wait 10 minutes, then read the key');
    const services = stdout.indexOf('3. Stop the services (1)');
    const servers = stdout.indexOf('4. Stop the servers (3)');
    expect(services).toBeGreaterThan(0);
    expect(servers).toBeGreaterThan(services);
    expect(stdout.slice(services, servers)).toMatch(
      /ecs-service +api +running \(desired 2, running 2, pending 0\) +stop/,
    );
    expect(stdout.slice(servers)).toMatch(/ec2-instance +i-[0-9a-f]+ +running +stop/);
    expect(stdout.slice(servers)).toMatch(/rds-instance +customer-db +running \(available\) +stop/);
    // ... and the fleet still runs.
    const status = await cli('--json', 'status', keyArn);
    const resources = (JSON.parse(status.stdout) as { resources: { state: { state: string } }[] }).resources;
    expect(resources.map((resource) => resource.state.state)).toEqual([
      'running',
      'running',
      'running',
      'running',
    ]);
  });

  it("uses the key's own grace period, and stops nothing for an alert-only key", async () => {
    // Prepare
    expect(
      (await cli('register', keyArn, fleet[0]?.resourceArn ?? '', '--grace', '90', '--action', 'alert-only'))
        .code,
    ).toBe(0);
    calls.clear();

    // Act
    const result = await cli('--json', 'plan', keyArn);

    // Assess
    expect(JSON.parse(result.stdout)).toMatchObject({
      action: 'alert-only',
      graceSeconds: 5400,
      graceFrom: 'key',
      wouldStop: [],
    });
    expect(calls.calls.filter((call) => WRITES.test(call.operation))).toEqual([]);
    const text = await cli('plan', keyArn);
    expect(text.stdout).toContain('2. Wait 1 hour 30 minutes');
    expect(text.stdout).toContain('3. Stop nothing (the policy is alert-only)');
  });
});

describe('key-reactor status', () => {
  it("shows the key's state, each resource, the ledger, the last outcome and the latest executions with links", async () => {
    // Prepare: the key is disabled and the reactor shut the fleet down; moto's Step Functions holds an
    // execution for the key, named as the dispatcher names them.
    const arns = await deployWorkflows();
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const event = keyEvent('disable');
    const name = executionName(event);
    const local = await reactor.stepFunctions.start('disable', name, event).done;
    expect(local.status).toBe('SUCCEEDED');
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arns.disable, name, input: JSON.stringify(event) }),
    );

    // Act: the state machines from the environment, as the stack outputs would set them.
    const result = await localCli(reactor, calls, {
      [ENV.disableStateMachineArn]: arns.disable,
      [ENV.enableStateMachineArn]: arns.enable,
    })('status', keyArn);

    // Assess
    expect(result.code).toBe(0);
    const { stdout } = result;
    expect(stdout).toContain('state:          Disabled (not usable)');
    expect(stdout).toContain('grace period:   10 minutes (the deployed default)');
    expect(stdout).toContain(
      'access denied:  shutdown (revoked access, once confirmed, stops the resources)',
    );
    expect(stdout).toContain(`last outcome:   shut-down at `);
    expect(stdout).toContain(`by ${name}`);
    expect(stdout).toContain('lease:          free');
    expect(stdout).toMatch(/ecs-service +api +stopped \(desired 0, running 0, pending 0\)/);
    expect(stdout).toContain('Stopped by the reactor, to be started when the key is usable (4):');
    expect(stdout).toMatch(/ecs-service +api +\S+ +disable-\S+ +desiredCount=2/);
    expect(stdout).toContain('Latest executions (1):');
    expect(stdout).toContain(name);
    expect(stdout).toContain(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`,
    );
  });

  it('says where the executions would come from when no state machine is known, and never writes', async () => {
    const result = await cli('status', keyArn);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Executions: not shown. Pass --disable-state-machine and --enable-state-machine',
    );
    expect(result.stdout).toContain('state:          Enabled (usable)');
    expect(calls.calls.filter((call) => WRITES.test(call.operation))).toEqual([]);
  });

  it('gives the same facts as JSON', async () => {
    const result = await cli('status', keyArn, '--json');

    const status = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      keyArn,
      key: { keyState: 'Enabled', usable: true },
      policy: {
        action: 'shutdown',
        onAccessDenied: 'shutdown',
        administrators: [],
        deployedGraceSeconds: null,
      },
      ledger: [],
      lease: null,
      executions: [],
    });
    expect(status.resources).toHaveLength(4);
    // The sandbox's key is well kept (automatic rotation on): nothing to warn about.
    expect(status.warnings).toEqual([]);
  });

  it('prints the warnings that never block under their own heading, exit code unchanged', async () => {
    await reactor.clients.kms.send(new DisableKeyRotationCommand({ KeyId: keyIdOf(keyArn) }));

    const result = await cli('status', keyArn);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Warnings (1):');
    expect(result.stdout).toContain(
      `  automatic rotation is off for ${keyArn}, whose key material AWS generates`,
    );
  });

  it('reads an unknown key as not found without failing', async () => {
    const unknown = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';

    const result = await cli('status', unknown);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('state:          NotFound (not usable): deleted, or never existed');
    expect(result.stdout).toContain('Registered resources (0):');
  });
});

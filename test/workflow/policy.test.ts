import { randomUUID } from 'node:crypto';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { KeyEvent, Trigger } from '../../lambdas/shared/model';
import * as observability from '../../lambdas/shared/observability';
import { sentEmails } from '../../sandbox/aws-calls';
import type { ExecutionRecord } from '../../sandbox/local-workflows';
import type { LocalReactor } from '../../sandbox/reactor';
import { DEMO, type FleetMember } from '../../sandbox/world';
import { type Cli, localCli } from '../cli/harness';
import {
  ALICE,
  freshKeyWorldEachCase,
  type KeyWorldOptions,
  keyEventFor,
  type LocalWorld,
  localWorld,
  statesEntered,
  subjects,
} from '../support/key-world';

// The per-key policy, set with the CLI as an operator would, honoured by the real key-disabled ASL run
// locally against moto. Locally every grace Wait is shortened to a few milliseconds whatever its
// length, so the grace period a key gets is checked where the workflow reads it: the Wait's SecondsPath
// value, and the time the grace-started email announces.

const DEPLOYED_GRACE_SECONDS = 600;

let reactor: LocalReactor;
let cli: Cli;
let keyArn: string;
let fleet: FleetMember[];

/** A key and a fleet, registered by each case with the CLI. */
const UNREGISTERED: KeyWorldOptions = { registered: false, database: false };

function use(world: LocalWorld): void {
  ({ reactor, keyArn, fleet } = world);
  cli = localCli(reactor);
}

freshKeyWorldEachCase({ graceMs: 20, graceSeconds: DEPLOYED_GRACE_SECONDS }, UNREGISTERED, use);

async function register(...options: string[]): Promise<void> {
  const result = await cli(
    'register',
    keyArn,
    ...fleet.map((member) => member.resourceArn),
    '--admin',
    DEMO.administrators[0],
    ...options,
  );
  expect(result).toMatchObject({ code: 0, stderr: '' });
  reactor.calls.clear();
}

function keyEvent(trigger: Trigger, urgent = false): KeyEvent {
  const workflow = trigger === 'EnableKey' ? 'enable' : 'disable';
  return keyEventFor(keyArn, { trigger, workflow, urgent, actor: urgent ? null : ALICE });
}

/** What the state held when it entered `state`. */
function inputOf(execution: ExecutionRecord, state: string): Record<string, unknown> | undefined {
  const entered = execution.events.find(
    (event) => event.type === 'StateEntered' && event.state.name === state,
  );
  return entered && 'state' in entered ? (entered.state.input as Record<string, unknown>) : undefined;
}

async function runDisable(trigger: Trigger = 'DisableKey', urgent = false): Promise<ExecutionRecord> {
  if (!urgent) await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
  return reactor.stepFunctions.start(
    'disable',
    `disable-${randomUUID().slice(0, 8)}`,
    keyEvent(trigger, urgent),
  ).done;
}

async function instanceStates(): Promise<string[]> {
  const { Reservations } = await reactor.clients.ec2.send(new DescribeInstancesCommand({}));
  return (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name ?? '');
}

const STOPS = ['StopInstances', 'StopDBInstance', 'StopDBCluster', 'UpdateService'];

describe("the key's grace period", () => {
  it("waits the key's own grace period, and announces it in the grace-started email", async () => {
    // Prepare
    await register('--grace', '2');

    // Act
    const execution = await runDisable();

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const registration = inputOf(execution, 'Wait for the grace period')?.registration as
      | { stopAt?: string }
      | undefined;
    expect(registration).toEqual({
      services: 1,
      servers: 2,
      total: 3,
      action: 'shutdown',
      graceSeconds: 120,
      graceFrom: 'key',
      stopAt: expect.any(String),
    });
    // The Wait runs until stopAt: the key's 2 minutes, counted from the start of the run.
    const secondsLeft = (Date.parse(registration?.stopAt ?? '') - Date.now()) / 1000;
    expect(secondsLeft).toBeGreaterThan(100);
    expect(secondsLeft).toBeLessThanOrEqual(120);
    const [graceEmail] = sentEmails(reactor.calls);
    expect(graceEmail?.text).toContain('(in 2 minutes)');
    expect(statesEntered(execution)).toContain('Shutdown complete');
    expect(await instanceStates()).toEqual(['stopped', 'stopped']);
  });

  it('falls back to the deployed grace period when the key has none of its own', async () => {
    await register();

    const execution = await runDisable();

    expect(execution.status).toBe('SUCCEEDED');
    expect(inputOf(execution, 'Wait for the grace period')?.registration).toMatchObject({
      graceSeconds: DEPLOYED_GRACE_SECONDS,
      graceFrom: 'deployment',
    });
    expect(sentEmails(reactor.calls)[0]?.text).toContain('(in 10 minutes)');
  });

  it('records how long the shutdown took from the key change, as a metric', async () => {
    // Prepare
    await register('--grace', '0');
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');

    // Act
    const execution = await runDisable();

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const recorded = addMetric.mock.calls.filter(([name]) => name === 'SecondsToShutdown');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.[1]).toBe('Seconds');
    expect(recorded[0]?.[2]).toBeGreaterThanOrEqual(0);
    expect(recorded[0]?.[2]).toBeLessThan(60);
    addMetric.mockRestore();
  });
});

describe('an alert-only key', () => {
  it('emails at the start and the end of the grace period, and stops nothing', async () => {
    // Prepare
    await register('--action', 'alert-only', '--grace', '5');

    // Act
    const execution = await runDisable();

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const entered = statesEntered(execution);
    expect(entered).toEqual(
      expect.arrayContaining([
        'Email that the grace period started',
        'Wait for the grace period',
        'Take the lease and check the key',
        "Does the key's policy allow stopping?",
        'Release the lease, alert only',
        'Email that nothing was stopped',
        'Alert only, nothing stopped',
      ]),
    );
    expect(entered).not.toContain('Stop the services');
    for (const operation of STOPS) expect(reactor.calls.of(operation)).toEqual([]);
    expect(await instanceStates()).toEqual(['running', 'running']);
    const key = keyIdOf(keyArn).slice(0, 8);
    expect(subjects(reactor)).toEqual([
      `Key ${key} disabled: 3 resources affected, none will stop (alert-only)`,
      `Key ${key} disabled: 3 resources left running (alert-only)`,
    ]);
    // Nothing in the ledger, so the key-enabled workflow will have nothing to start.
    const status = JSON.parse((await cli('--json', 'status', keyArn)).stdout) as {
      ledger: unknown[];
      lease: unknown;
    };
    expect(status).toMatchObject({ ledger: [], lease: null });
  });

  it('says the key is usable again when it is enabled inside the grace period', async () => {
    // Prepare: a grace period long enough to enable the key inside it.
    use(await localWorld({ graceMs: 1000, graceSeconds: DEPLOYED_GRACE_SECONDS }, UNREGISTERED));
    await register('--action', 'alert-only');
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const disable = reactor.stepFunctions.start('disable', 'disable-alert-flap', keyEvent('DisableKey'));
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Act
    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    await reactor.settle();

    // Assess
    expect(disable.status).toBe('SUCCEEDED');
    expect(statesEntered(disable)).toContain('Key usable again, nothing stopped');
    expect(statesEntered(disable)).not.toContain('Email that nothing was stopped');
    expect(subjects(reactor)[1]).toMatch(/is usable again: nothing was stopped$/);
  });

  it('stops nothing for a deleted key either, and emails once, without a grace period', async () => {
    // Prepare: KMS CMK Deletion is urgent: no grace period; DescribeKey finds the key gone (moto cannot
    // delete a key at once: the seam answers as KMS would).
    await register('--action', 'alert-only');
    reactor.keySeam.set(keyIdOf(keyArn), 'NotFound');

    // Act
    const execution = await runDisable('KMS CMK Deletion', true);
    reactor.keySeam.clear(keyIdOf(keyArn));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).not.toContain('Wait for the grace period');
    expect(statesEntered(execution)).toContain('Alert only, nothing stopped');
    for (const operation of STOPS) expect(reactor.calls.of(operation)).toEqual([]);
    const emails = sentEmails(reactor.calls).filter((email) =>
      email.to.includes(DEMO.administrators[0] ?? ''),
    );
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toMatch(/deleted: 3 resources left running \(alert-only\)$/);
    expect(emails[0]?.text).toContain('This cannot be undone');
  });

  it('goes back to shutting down once the policy says shutdown again', async () => {
    await register('--action', 'alert-only');
    await register('--action', 'shutdown');

    const execution = await runDisable();

    expect(statesEntered(execution)).toContain('Shutdown complete');
    expect(await instanceStates()).toEqual(['stopped', 'stopped']);
  });
});

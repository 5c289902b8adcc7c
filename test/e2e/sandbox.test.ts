import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
// What `simulate --json` prints; a type-only import, so the script does not run.
import type { SimulationOutcome as Outcome } from '../../sandbox/simulate';
import { SAMPLES_DIR, sample as sampleEvent, sampleNames } from '../support/samples';

// The sandbox commands as a user runs them, as child processes: each starts its own moto server. The
// runs are independent, so they start together before the tests (a few at a time: each is a Node
// process and a moto server), and each test waits for its own; jest's single worker on a 2-core
// machine leaves the other core to them.

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
/** Runs in flight at once. */
const CONCURRENT_RUNS = 3;
// A test waits for its run, which may have queued behind others: more than the default 60 s if need be.
jest.setTimeout(180_000);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnRun(script: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [path.join(ROOT, 'sandbox', script), ...args],
      { cwd: ROOT, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `tsx sandbox/<script> <args>`, once fewer than CONCURRENT_RUNS others are running. */
async function run(script: string, args: readonly string[]): Promise<Run> {
  if (running >= CONCURRENT_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await spawnRun(script, args);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** Each file's `simulate --json --grace 1` run, started in beforeAll. */
const simulations = new Map<string, Promise<Run>>();

async function simulate(file: string): Promise<Outcome> {
  const result = await simulations.get(file);
  if (!result) throw new Error(`no simulation of ${file} was started`);
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
    code: 0,
    stderr: '',
  });
  // Exactly one JSON object on stdout and nothing else.
  return JSON.parse(result.stdout) as Outcome;
}

const sample = (name: string) => path.join(SAMPLES_DIR, name);
const ADMIN = 'admin@customer.example';
const OPERATOR = 'ops@platform.example';
/**
 * Each email goes out as two messages, one to the key's administrators and one to the operators, with
 * no shared To: the tests read the administrators' copies, and check the operators got the same.
 */
function emailsTo(outcome: Outcome, address: string): Outcome['emails'] {
  const copies = outcome.emails.filter((email) => email.to.includes(address));
  expect(copies.every((email) => email.to.length === 1)).toBe(true);
  return copies;
}
function adminEmails(outcome: Outcome): Outcome['emails'] {
  const copies = emailsTo(outcome, ADMIN);
  expect(emailsTo(outcome, OPERATOR).map((email) => email.subject)).toEqual(
    copies.map((email) => email.subject),
  );
  expect(outcome.emails).toHaveLength(copies.length * 2);
  return copies;
}
const isService = (arn: string) => arn.includes(':ecs:');
const ALL_EXPECTED_SAMPLES = [
  'disable-key-cli.json',
  'enable-key-console.json',
  'kms-cmk-deletion.json',
  'kms-imported-key-material-expiration.json',
  'schedule-key-deletion.json',
];

/** Shutdown as designed: the whole demo fleet (1 service, 3 servers), every service before any server. */
function expectShutdown(outcome: Outcome): void {
  expect(outcome).toMatchObject({ matched: true, accepted: true, reason: null, started: [] });
  expect(outcome.executions).toEqual([expect.objectContaining({ workflow: 'disable', status: 'SUCCEEDED' })]);
  expect(outcome.stopped).toHaveLength(4);
  expect(outcome.stopped.slice(0, 1).every(isService)).toBe(true);
  expect(outcome.stopped.slice(1).some(isService)).toBe(false);
}

/** A file of its own holding `text`. */
function eventFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'simulate-')), name);
  writeFileSync(file, text);
  return file;
}

/** A DisableKey that KMS refused: CloudTrail records it with an errorCode. */
function deniedDisableKey(): string {
  const denied = sampleEvent('disable-key-cli.json');
  denied.detail.errorCode = 'AccessDenied';
  denied.detail.errorMessage = 'User is not authorized to perform kms:DisableKey';
  return eventFile('denied.json', JSON.stringify(denied));
}

const DENIED = deniedDisableKey();
/** Not JSON, and not there at all. */
const UNREADABLE = [eventFile('broken.json', '{ not json'), path.join(tmpdir(), 'no-such-event.json')];
let unreadableRuns: Promise<Run[]>;
let startRun: Promise<Run>;

beforeAll(() => {
  // npm start is the longest run: first in line.
  startRun = run('start.ts', ['--grace', '1']);
  for (const file of [...ALL_EXPECTED_SAMPLES.map(sample), DENIED]) {
    simulations.set(file, run('simulate.ts', [file, '--json', '--grace', '1']));
  }
  unreadableRuns = Promise.all(UNREADABLE.map((file) => run('simulate.ts', [file, '--json'])));
});

describe('npm run simulate', () => {
  it('has a test for every sample event', () => {
    expect(sampleNames().sort()).toEqual(ALL_EXPECTED_SAMPLES);
  });

  it('DisableKey: stops the fleet after the grace period, services first, and emails twice (administrators and operators apart)', async () => {
    const outcome = await simulate(sample('disable-key-cli.json'));
    expectShutdown(outcome);
    expect(outcome.executions[0]?.name).toMatch(/^disable-1234abcd-20261122T152233Z-[0-9a-f]{8}$/);
    expect(adminEmails(outcome).map((email) => email.subject)).toEqual([
      expect.stringMatching(/^Key 1234abcd disabled: 4 resources stop at /),
      'Key 1234abcd disabled: 4 resources stopped',
    ]);
    expect(adminEmails(outcome)[0]?.text).toContain('arn:aws:iam::111122223333:user/alice');
  });

  it('EnableKey after a disable: starts the fleet, servers first, and emails once (administrators and operators apart)', async () => {
    const outcome = await simulate(sample('enable-key-console.json'));
    expect(outcome).toMatchObject({ matched: true, accepted: true, stopped: [] });
    expect(outcome.executions).toEqual([
      expect.objectContaining({ workflow: 'enable', status: 'SUCCEEDED' }),
    ]);
    expect(outcome.started).toHaveLength(4);
    expect(outcome.started.slice(0, 3).some(isService)).toBe(false);
    expect(isService(outcome.started[3] ?? '')).toBe(true);
    expect(adminEmails(outcome)).toHaveLength(1);
  });

  it('ScheduleKeyDeletion: stops the fleet (the key is PendingDeletion)', async () => {
    const outcome = await simulate(sample('schedule-key-deletion.json'));
    expectShutdown(outcome);
    expect(adminEmails(outcome)[1]?.subject).toBe('Key 1234abcd scheduled for deletion: 4 resources stopped');
  });

  it('KMS CMK Deletion: stops the fleet at once, without a grace period', async () => {
    // moto cannot delete a key: simulate makes DescribeKey answer NotFoundException (a declared seam).
    const outcome = await simulate(sample('kms-cmk-deletion.json'));
    expectShutdown(outcome);
    expect(adminEmails(outcome).map((email) => email.subject)).toEqual([
      'Key 1234abcd deleted: 4 resources stopped',
    ]);
  });

  it('KMS Imported Key Material Expiration: stops the fleet', async () => {
    // moto does not model imported key material: simulate makes DescribeKey answer PendingImport (a
    // declared seam); without it the key would look Enabled and the reactor would rightly stop nothing.
    const outcome = await simulate(sample('kms-imported-key-material-expiration.json'));
    expectShutdown(outcome);
  });

  it('a denied DisableKey matches no rule and changes nothing', async () => {
    const outcome = await simulate(DENIED);

    expect(outcome).toMatchObject({
      matched: false,
      accepted: false,
      executions: [],
      stopped: [],
      emails: [],
    });
    expect(outcome.reason).toMatch(/no EventBridge rule/);
  });

  it('exits 2 with one line and no stack trace when the file is not JSON or missing', async () => {
    for (const result of await unreadableRuns) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(
        result.stderr
          .trim()
          .split('\n')
          .filter(
            (line) =>
              !/Warning|node >=22|^$|upgrade|a\.co|versions published|security updates|trace-warnings/.test(
                line,
              ),
          ),
      ).toEqual([expect.stringMatching(/^simulate: /)]);
    }
  });
});

describe('npm start', () => {
  it('plays the Heroku scenario: services stop before servers, servers start before services, emails sent', async () => {
    const result = await startRun;
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const lines = result.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(at(/ECS UpdateService api: desired count -> 0/)).toBeLessThan(at(/EC2 StopInstances/));
    expect(at(/EC2 StopInstances/)).toBeGreaterThan(0);
    expect(at(/RDS StopDBInstance/)).toBeGreaterThan(at(/ECS UpdateService api: desired count -> 0/));
    expect(at(/EC2 StartInstances/)).toBeLessThan(at(/ECS UpdateService api: desired count -> 2/));
    expect(at(/RDS StartDBInstance/)).toBeLessThan(at(/ECS UpdateService api: desired count -> 2/));
    // Three per round: grace period, stopped, restarted; each to the administrators and, apart, the operators.
    expect(lines.filter((line) => /email to /.test(line))).toHaveLength(12);
    expect(lines.filter((line) => line.includes(`email to ${ADMIN}:`))).toHaveLength(6);
    expect(lines.filter((line) => line.includes(`email to ${OPERATOR}:`))).toHaveLength(6);
    expect(result.stdout).toMatch(/SUCCEEDED disable/);
    expect(result.stdout).toMatch(/SUCCEEDED enable/);
    // The same again with the events lost: the sweep finds both changes.
    expect(result.stdout.match(/Drift rule matched; dispatcher started (disable|enable)-/g)).toHaveLength(2);
    expect(result.stdout.match(/SUCCEEDED/g)).toHaveLength(4);
  });
});

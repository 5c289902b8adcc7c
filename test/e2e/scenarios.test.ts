import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { cloudTrailEvent } from '../../sandbox/cloudtrail';
import { LocalReactor } from '../../sandbox/reactor';
import type { MemberState } from '../../sandbox/scenario/fleet';
import { parseScenario, ScenarioError } from '../../sandbox/scenario/format';
import { runScenario, type ScenarioReport } from '../../sandbox/scenario/runner';
import { createCustomerKey, createFleet, registerFleet } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The game-day scenarios under scenarios/ (issue 13), each run in-process on this worker's moto server
// and held to the outcome the issue calls right. A test named [problem N] checks the fix of problem N;
// until that fix is on main, its test fails the way the issue describes.

const ROOT = path.resolve(__dirname, '../..');
const SCENARIOS = path.join(ROOT, 'scenarios');
const SAMPLES = path.resolve(ROOT, '../shared/samples/events');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const ADMIN = 'admin@customer.example';
const OPERATOR = 'ops@platform.example';
const LONG = 240_000;

async function play(file: string): Promise<ScenarioReport> {
  const scenario = parseScenario(JSON.parse(readFileSync(path.join(SCENARIOS, file), 'utf8')), file);
  const timeline: string[] = [];
  try {
    return await runScenario(scenario, { moto: await workerMoto(), log: (line) => timeline.push(line) });
  } finally {
    if (process.env.SCENARIO_TIMELINE) process.stderr.write(`${file}\n${timeline.join('\n')}\n`);
  }
}

const states = (fleet: Record<string, MemberState>) =>
  Object.fromEntries(Object.entries(fleet).map(([name, member]) => [name, member.state]));
const all = (state: MemberState['state'], names = ['api', 'web-1', 'web-2', 'db']) =>
  Object.fromEntries(names.map((name) => [name, state]));
const ledgerNames = (ledger: readonly { name: string }[]) => ledger.map((entry) => entry.name).sort();
const toAdministrators = (report: ScenarioReport) =>
  report.emails.filter((email) => email.to.includes(ADMIN));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function simulate(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [path.join(ROOT, 'sandbox', 'simulate.ts'), ...args],
      { cwd: ROOT, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const TESTED = new Set<string>();
function scenario(file: string, title: string, check: (report: ScenarioReport) => void): void {
  TESTED.add(file);
  it(`${file}: ${title}`, async () => check(await play(file)), LONG);
}

describe('game-day scenarios', () => {
  it('every file under scenarios/ is a usable scenario with a test', () => {
    const files = readdirSync(SCENARIOS).filter((file) => file.endsWith('.json'));
    for (const file of files) parseScenario(JSON.parse(readFileSync(path.join(SCENARIOS, file), 'utf8')));
    expect(files.sort()).toEqual([...TESTED].sort());
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('an unusable file is refused with one line naming the step', () => {
    const refusal = (steps: unknown[]) => {
      try {
        parseScenario({ steps });
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal([{ sweep: true }, { kms: 'DisableKey' }, { kmss: 'DisableKey' }])).toBe(
      'step 3: unknown key "kmss" (a step has one of kms, revokeAccess, restoreAccess, event, fault, clearFaults, operator, cli, abort, sweep, advance, rds)',
    );
    expect(refusal([{ kms: 'DisableKey', delivery: 'thrice' }])).toMatch(/^step 1: delivery: /);
    expect(refusal([{ operator: 'stop', resource: 'nobody' }])).toMatch(
      /^step 1: resource "nobody" is no member/,
    );
    expect(refusal([{ advance: 'P1M' }])).toMatch(/^step 1: advance: an ISO 8601 duration/);
    expect(refusal([{ sweep: true, abort: 'running' }])).toBe(
      'step 1: one action per step, got abort and sweep',
    );
  });

  scenario(
    '00-disable-enable.json',
    'the fleet stops once for an event delivered twice, and comes back',
    (report) => {
      const [disabled] = report.steps;
      expect(states(disabled?.fleet ?? {})).toEqual(all('stopped'));
      expect(ledgerNames(disabled?.ledger ?? [])).toEqual(['api', 'db', 'web-1', 'web-2']);
      expect(disabled?.executions).toHaveLength(1);
      expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(states(report.fleet)).toEqual(all('running'));
      expect(report.fleet.api?.desiredCount).toBe(2);
      expect(report).toMatchObject({ ledger: [], lease: null, paused: false });
    },
  );

  scenario(
    '08-japanese-emails.json',
    "a key whose policy says ja: its administrators' emails are in Japanese",
    (report) => {
      const subjects = toAdministrators(report).map((email) => email.subject);
      expect(subjects).toContainEqual(
        expect.stringMatching(/^キー [0-9a-f]{8} が無効化されました: .*停止します$/),
      );
      expect(subjects).toContainEqual(expect.stringMatching(/^キー [0-9a-f]{8} は再び使用可能です: /));
      // The operators read English: their copies of the same emails are not translated.
      const toOperators = report.emails.filter(
        (email) => email.to.includes(OPERATOR) && !email.to.includes(ADMIN),
      );
      expect(toOperators.map((email) => email.subject)).toContainEqual(
        expect.stringMatching(/^Key [0-9a-f]{8} disabled: /),
      );
    },
  );

  scenario('01-ses-refuses.json', '[problem 1] email never gates the shutdown', (report) => {
    expect(states(report.steps[1]?.fleet ?? {})).toEqual(all('stopped'));
    expect(report.notifications.length).toBeGreaterThan(0);
    expect(report.notifications[0]?.topic).toMatch(/^arn:aws:sns:/);
    // Operators and administrators get separate messages.
    for (const email of report.emails)
      expect(email.to.includes(ADMIN) && email.to.includes(OPERATOR)).toBe(false);
    // Once SES accepts again the administrators hear that the fleet is down, not a stale grace notice.
    expect(toAdministrators(report).map((email) => email.subject)).toContainEqual(
      expect.stringMatching(/stopped/),
    );
    expect(report.emails.map((email) => email.subject)).not.toContainEqual(
      expect.stringMatching(/ stop at /),
    );
    expect(states(report.fleet)).toEqual(all('stopped'));
  });

  scenario('02-untagged-during-outage.json', '[problem 2] the ledger never forgets', (report) => {
    const restored = report.steps[3];
    expect(states(restored?.fleet ?? {})).toEqual({
      api: 'stopped',
      'web-1': 'stopped',
      'web-2': 'running',
      db: 'running',
    });
    expect(ledgerNames(restored?.ledger ?? [])).toEqual(['api', 'web-1']);
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report.fleet.api?.desiredCount).toBe(2);
    expect(report.ledger).toEqual([]);
  });

  scenario(
    '03-restore-email-fails.json',
    '[problem 3] a failed restore email undoes no operator work',
    (report) => {
      expect(states(report.steps[2]?.fleet ?? {})).toEqual(all('running'));
      expect(report.steps[2]?.ledger).toEqual([]);
      expect(states(report.fleet)).toEqual({
        api: 'running',
        'web-1': 'stopped',
        'web-2': 'running',
        db: 'running',
      });
      expect(report.ledger).toEqual([]);
      expect(toAdministrators(report).map((email) => email.subject)).toContainEqual(
        expect.stringMatching(/usable again/),
      );
    },
  );

  scenario('04-aborted-holder.json', '[problem 4] an aborted run leaves no locked key', (report) => {
    expect(report.executions[0]?.status).toBe('ABORTED');
    expect(report.steps[1]?.executions).toEqual([]);
    expect(states(report.fleet)).toEqual(all('stopped'));
    expect(report.executions.at(-1)?.status).toBe('SUCCEEDED');
    expect(report.lease).toBeNull();
  });

  scenario('04-release-fails.json', '[problem 4] a lease left by an ended run is taken over', (report) => {
    expect(states(report.steps[1]?.fleet ?? {})).toEqual(all('stopped'));
    const enable = report.executions.find((execution) => execution.workflow === 'enable');
    expect(enable?.status).toBe('SUCCEEDED');
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report).toMatchObject({ ledger: [], lease: null });
  });

  scenario('04-lease-release.json', '[problem 4] key-reactor lease release frees the key', (report) => {
    expect(states(report.fleet)).toEqual(all('stopped'));
    expect(report.lease).toBeNull();
  });

  scenario('05-paused.json', '[problem 5] paused: alert only, then the sweep acts after resume', (report) => {
    expect(states(report.steps[1]?.fleet ?? {})).toEqual(all('running'));
    expect(toAdministrators(report).some((email) => /paused/i.test(email.text))).toBe(true);
    expect(states(report.fleet)).toEqual(all('stopped'));
    expect(report.paused).toBe(false);
  });

  scenario(
    '05-paused-enable.json',
    '[problem 5] paused: nothing starts either, and the email says why',
    (report) => {
      expect(states(report.steps[2]?.fleet ?? {})).toEqual(all('stopped'));
      expect(
        toAdministrators(report).some((email) => /not restarted \(reactor paused\)$/.test(email.subject)),
      ).toBe(true);
      expect(states(report.fleet)).toEqual(all('running'));
      expect(report.ledger).toEqual([]);
    },
  );

  scenario('05-breaker.json', '[problem 5] the circuit breaker holds new shutdowns back', (report) => {
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report.paused).toBe(true);
    expect(report.notifications.length).toBeGreaterThan(0);
  });

  scenario('05-forged-deletion.json', '[problem 5] a deletion event never skips the key check', (report) => {
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report.ledger).toEqual([]);
  });

  scenario('05-not-found.json', '[problem 5] NotFound without evidence is not a deletion', (report) => {
    expect(states(report.steps[1]?.fleet ?? {})).toEqual(all('running'));
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report.ledger).toEqual([]);
  });

  scenario('05-toggle-storm.json', '[problem 5] a toggled key: nothing stops, every run ends', (report) => {
    for (const step of report.steps) expect(states(step.fleet)).toEqual(all('running'));
    expect(report.executions).toHaveLength(4);
    expect(report.executions.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    expect(states(report.fleet)).toEqual(all('running'));
    expect(report).toMatchObject({ ledger: [], lease: null });
  });

  scenario(
    '13-tagged-not-registered.json',
    '[issue 14] what its tag names is stopped and started; what is tagged for another key is never touched',
    (report) => {
      const [disabled, swept] = report.steps;
      const mine = ['api', 'web', 'workers'];
      expect(states(disabled?.fleet ?? {})).toEqual({ ...all('stopped', mine), neighbour: 'running' });
      expect(ledgerNames(disabled?.ledger ?? [])).toEqual(['api', 'web', 'workers']);
      // The sweep of both keys finds both in line with their resources: nothing more starts.
      expect(swept?.executions).toEqual([]);
      expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(states(report.fleet)).toEqual(all('running', [...mine, 'neighbour']));
      expect(report.fleet.api?.desiredCount).toBe(2);
      expect(report).toMatchObject({ ledger: [], lease: null });
      // Neither workflow's emails name the other key's resource.
      const named = report.emails.map((email) => email.text).join('\n');
      expect(named).toContain(report.fleet.web?.arn ?? 'web');
      expect(named).not.toContain(report.fleet.neighbour?.arn ?? 'neighbour');
    },
  );

  scenario('06-ecs-autoscaling.json', '[problem 6] auto scaling is suspended for the stop', (report) => {
    const names = ['api', 'web-1', 'db'];
    const [disabled] = report.steps;
    expect(disabled?.fleet.api).toMatchObject({ state: 'stopped', desiredCount: 0, scalingSuspended: true });
    expect(states(disabled?.fleet ?? {})).toEqual(all('stopped', names));
    expect(ledgerNames(disabled?.ledger ?? [])).toEqual(['api', 'db', 'web-1']);
    expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(report.fleet.api).toMatchObject({ state: 'running', desiredCount: 2, scalingSuspended: false });
    expect(states(report.fleet)).toEqual(all('running', names));
    expect(report.ledger).toEqual([]);
  });

  scenario(
    '10-rds-countdown.json',
    '[issue 15] daily warnings on days 4 to 7 with the exact date',
    (report) => {
      const countdown = toAdministrators(report).filter((email) =>
        email.subject.startsWith('Database db on key'),
      );
      // One a day on days 4, 5, 6 and 7, none for the second sweep of day 4 nor once past saving.
      expect(countdown.map((email) => /Day\s*\|?\s*:?\s*(\d) of 7/.exec(email.text)?.[1])).toEqual([
        '4',
        '5',
        '6',
        '7',
      ]);
      expect(new Set(countdown.map((email) => email.subject)).size).toBe(1);
      // The date: 7 days after the sweep first saw the database recoverable, right after the disable.
      const date = /unrecoverable on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC unless the key is restored$/.exec(
        countdown[0]?.subject ?? '',
      )?.[1];
      const disabled = /-(\d{8}T\d{6}Z)-/.exec(report.executions[0]?.name ?? '')?.[1] ?? '';
      const disabledAt = Date.parse(
        `${disabled.slice(0, 4)}-${disabled.slice(4, 6)}-${disabled.slice(6, 8)}T${disabled.slice(9, 11)}:${disabled.slice(11, 13)}:${disabled.slice(13, 15)}Z`,
      );
      const warnedDate = Date.parse(`${date?.replace(' ', 'T')}:00Z`);
      expect(Math.abs(warnedDate - (disabledAt + 7 * 24 * 60 * 60 * 1000))).toBeLessThan(2 * 60 * 1000);
      // The operators get their own copy of each.
      expect(
        report.emails.filter(
          (email) => email.to.includes(OPERATOR) && email.subject === countdown[0]?.subject,
        ),
      ).toHaveLength(4);
      expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(states(report.fleet)).toEqual(all('running', ['api', 'db']));
    },
  );

  scenario(
    '07-forged-account-event.json',
    '[problem 7] an envelope naming another account is refused',
    (report) => {
      expect(report.steps[1]?.executions).toEqual([]);
      expect(report.executions).toEqual([]);
      expect(states(report.fleet)).toEqual(all('running'));
    },
  );

  scenario(
    '08-bus-refuses-events.json',
    "publishing the reactor's events never gates a stop or a start",
    (report) => {
      expect(states(report.steps[1]?.fleet ?? {})).toEqual(all('stopped'));
      expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(states(report.fleet)).toEqual(all('running'));
      expect(toAdministrators(report).map((email) => email.subject)).toEqual([
        expect.stringMatching(/ stop at /),
        expect.stringMatching(/stopped/),
        expect.stringMatching(/usable again/),
      ]);
      expect(report.published).toEqual([]);
    },
  );

  scenario(
    '11-access-revoked.json',
    '[issue 15] revoked access stops the fleet after the grace period, and brings it back when restored',
    (report) => {
      const [revoked, restored] = report.steps;
      // The key stays Enabled: only the probe is refused, and the grace period is waited out first.
      expect(states(revoked?.fleet ?? {})).toEqual(all('stopped'));
      expect(ledgerNames(revoked?.ledger ?? [])).toEqual(['api', 'db', 'web-1', 'web-2']);
      const subjects = toAdministrators(report).map((email) => email.subject);
      expect(subjects).toContainEqual(expect.stringMatching(/access revoked: 4 resources stop at /));
      expect(subjects).toContainEqual(expect.stringMatching(/access revoked: 4 resources stopped$/));
      expect(toAdministrators(report).some((email) => /access was revoked/.test(email.text))).toBe(true);
      // Access back: the dispatcher's probe after the PutKeyPolicy starts the enable run.
      expect(restored?.executions).toEqual([expect.stringMatching(/^enable-/)]);
      expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(states(report.fleet)).toEqual(all('running'));
      expect(report).toMatchObject({ ledger: [], lease: null, paused: false });
      // The platform's bus hears the same story: the run's trigger is the revocation, then the restoration.
      expect(report.published.map((event) => [event['detail-type'], event.detail.trigger])).toEqual([
        ['Key Reactor Grace Started', 'KeyAccessRevoked'],
        ['Key Reactor Shutdown Completed', 'KeyAccessRevoked'],
        ['Key Reactor Service Restored', 'KeyAccessRestored'],
      ]);
    },
  );

  scenario(
    '12-kms-outage.json',
    '[issue 15] an hour of KMS errors and throttling stops nothing, and the operators are paged',
    (report) => {
      for (const step of report.steps) expect(states(step.fleet)).toEqual(all('running'));
      expect(report.executions).toEqual([]);
      expect(report.notifications.map((page) => page.subject)).toContainEqual(
        expect.stringMatching(/KMS outage while checking a key, nothing stopped/),
      );
      expect(report.notifications.length).toBeGreaterThanOrEqual(2);
      expect(report.emails).toEqual([]);
      expect(report.published).toEqual([]);
      expect(report).toMatchObject({ ledger: [], lease: null, paused: false });
    },
  );
});

describe('npm run simulate on a scenario file', () => {
  it(
    'prints one JSON object of the documented shape',
    async () => {
      const result = await simulate([path.join(SCENARIOS, '00-disable-enable.json'), '--json']);
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      const report = JSON.parse(result.stdout) as ScenarioReport;
      expect(Object.keys(report)).toEqual([
        'name',
        'steps',
        'executions',
        'emails',
        'notifications',
        'published',
        'fleet',
        'ledger',
        'lease',
        'paused',
      ]);
      expect(Object.keys(report.steps[0] ?? {})).toEqual(['index', 'fleet', 'ledger', 'executions']);
      expect(report.steps.map((step) => step.index)).toEqual([1, 2]);
      expect(Object.keys(report.executions[0] ?? {})).toEqual(['name', 'workflow', 'status']);
      expect(report.fleet.api).toEqual({
        arn: expect.stringMatching(/^arn:aws:ecs:/),
        state: 'running',
        desiredCount: 2,
      });
      expect(report.fleet.db).toEqual({ arn: expect.stringMatching(/^arn:aws:rds:/), state: 'running' });
      expect(report.emails[0]).toEqual({
        to: expect.any(Array),
        subject: expect.any(String),
        text: expect.any(String),
        html: expect.any(String),
      });
      expect(report.published.map((event) => event['detail-type'])).toEqual([
        'Key Reactor Grace Started',
        'Key Reactor Shutdown Completed',
        'Key Reactor Service Restored',
      ]);
      expect(Object.keys(report.published[0] ?? {})).toEqual(['detail-type', 'detail']);
      expect(report.published[0]?.detail).toMatchObject({
        kind: 'grace-started',
        keyArn: expect.stringMatching(/^arn:aws:kms:/),
        execution: { name: report.executions[0]?.name },
      });
    },
    LONG,
  );

  it('exits 2 with one line naming the step for an unusable file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'scenario-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ steps: [{ sweep: true }, { sweep: true }, { kmss: 'DisableKey' }] }),
    );
    const result = await simulate([file, '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^simulate: step 3: unknown key "kmss"/);
  });
});

describe('npm run simulate on an event', () => {
  it(
    "[problem 7] delivers the envelope as recorded: another account's event is refused, as the dispatcher refuses it",
    async () => {
      const event = JSON.parse(readFileSync(path.join(SAMPLES, 'disable-key-cli.json'), 'utf8'));
      const forged = { ...event, account: '444455556666' };
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'forged-')), 'forged-account.json');
      writeFileSync(file, JSON.stringify(forged));
      // The deployed dispatcher's verdict, in the account the key belongs to (the rehearsal runs there).
      let verdict = 'accepted';
      try {
        parseKeyEvent(forged, { allowedAccounts: [event.account], ownAccount: event.account });
      } catch (error) {
        verdict = (error as Error).message;
      }
      expect(verdict).not.toBe('accepted');

      const result = await simulate([file, '--json', '--grace', '1']);
      expect(result.stdout).not.toBe('');
      const outcome = JSON.parse(result.stdout) as {
        matched: boolean;
        accepted: boolean;
        reason: string | null;
        executions: unknown[];
        stopped: string[];
      };
      expect(outcome).toMatchObject({ matched: true, accepted: false, executions: [], stopped: [] });
      expect(outcome.reason).toBe(verdict);
    },
    LONG,
  );
});

describe('the sandbox pieces scenarios rely on', () => {
  it(
    "answers the reactor's DescribeExecution and StopExecution locally, and fails its named calls on request",
    async () => {
      const reactor = await LocalReactor.start({ graceMs: 3000, moto: await workerMoto() });
      try {
        const keyArn = await createCustomerKey(reactor.clients);
        await registerFleet(
          reactor,
          keyArn,
          await createFleet(reactor.clients, { instances: 1, database: false }),
        );
        const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
        const { account, region } = reactor.place;
        await reactor.publish(
          cloudTrailEvent({ eventName: 'DisableKey', keyId, keyArn, account, region, userName: 'x' }),
        );
        const [execution] = reactor.executions;
        const sfn = reactor.reactor.stepFunctions;
        const describe = () =>
          sfn.send(new DescribeExecutionCommand({ executionArn: execution?.executionArn }));
        expect((await describe()).status).toBe('RUNNING');
        await sfn.send(new StopExecutionCommand({ executionArn: execution?.executionArn }));
        await reactor.idle();
        expect(await describe()).toMatchObject({ status: 'ABORTED', stopDate: expect.any(Date) });
        await expect(
          sfn.send(new DescribeExecutionCommand({ executionArn: `${execution?.executionArn}-none` })),
        ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });

        // A client error fails the call at once (the SDK does not retry it); a 5xx is retried, as from AWS.
        const script = (error: string, count?: number) =>
          reactor.faults.script({ service: 'SFN', operation: 'DescribeExecution', error, count });
        script('AccessDenied', 1);
        await expect(describe()).rejects.toMatchObject({ name: 'AccessDenied', $fault: 'client' });
        await expect(describe()).resolves.toMatchObject({ status: 'ABORTED' });
        script('ServiceUnavailable', 1);
        await expect(describe()).resolves.toMatchObject({ status: 'ABORTED' });
        script('InternalFailure');
        await expect(describe()).rejects.toMatchObject({
          name: 'InternalFailure',
          $metadata: { httpStatusCode: 500 },
        });
        reactor.faults.clearScripted();
        await expect(describe()).resolves.toMatchObject({ status: 'ABORTED' });
        // The world's own clients are never faulted.
        reactor.faults.script({ service: 'KMS', operation: '*', error: 'AccessDeniedException' });
        await expect(
          reactor.clients.kms.send(new DescribeKeyCommand({ KeyId: keyId })),
        ).resolves.toBeDefined();
        reactor.faults.clearScripted();
      } finally {
        await reactor.stop();
      }
    },
    LONG,
  );
});

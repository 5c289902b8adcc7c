import './environment';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resourceIdOf } from '../lambdas/shared/arn';
import type { EventBridgeEvent } from './cloudtrail';
import { ArgumentError, graceSeconds, parseCommandLine } from './command-line';
import { EventShapeError, eventBridgeEvent } from './event-envelope';
import { checkRecreatable, rehearseEvent, UnrecreatableKeyError } from './event-rehearsal';
import { MotoNotInstalledError } from './moto';
import { ensureMoto } from './moto-locator';
import { isScenario, parseScenario, type Scenario, ScenarioError } from './scenario/format';
import { runScenario, summarize } from './scenario/runner';

export type { SimulationOutcome } from './event-rehearsal';

const USAGE = `Usage: npm run simulate -- <file.json> [--json] [--grace <seconds>] [--verbose]

<file.json> holds either a game-day scenario (a JSON object with a "steps" array; see docs/sandbox.md,
"Game days") or one EventBridge event (CloudTrail or native KMS, as EventBridge delivers it: with id,
detail-type, source, account, time, region, resources and detail, the CloudTrail record being detail).
Exit code 2 for an unusable file or option, with one line saying why.

A scenario runs on a fresh sandbox: a customer key with the scenario's fleet registered to it, then
its steps (key changes, events, faults, operator actions, CLI calls, aborts, sweeps, clock moves),
waiting after each until the reactor is idle. Exit code 0 whatever the reactor did; 2 for an
unusable file, with one line naming the step.

An event is rehearsed on a fresh sandbox: the key it names is recreated (same key ID, account and
Region) with a demo fleet registered to it, what the event records is applied to the key (only if
the recorded call succeeded), then the event, its envelope as recorded, goes through the deployed
rules, the dispatcher and the workflows, grace period scaled down. For an event that makes a key
usable again, the sandbox first takes the key away and lets the reactor shut the fleet down, so
there is something to bring back.

  --json             print one JSON object with the outcome on stdout (the timeline goes to stderr)
  --grace <seconds>  for an event: the grace period (default 2); a scenario says its own
  --verbose          add the handlers' own log lines, and the stack of a failure of the sandbox`;

/** Exit code 2: the input file itself is unusable. */
class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

async function simulateScenario(
  scenario: Scenario,
  json: boolean,
  log: (line: string) => void,
): Promise<number> {
  const report = await runScenario(scenario, { log, pollMs: 100, retryMs: 300 });
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else for (const line of summarize(report)) log(line);
  return 0;
}

async function simulateEvent(
  event: EventBridgeEvent,
  grace: number,
  json: boolean,
  log: (line: string) => void,
): Promise<number> {
  const outcome = await rehearseEvent(event, grace, log);
  if (json) {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } else {
    log(
      `\nmatched: ${outcome.matched}, accepted: ${outcome.accepted}${outcome.reason ? ` (${outcome.reason})` : ''}`,
    );
    for (const execution of outcome.executions) log(`${execution.status.padEnd(9)} ${execution.name}`);
    log(`stopped: ${outcome.stopped.map(resourceIdOf).join(', ') || 'nothing'}`);
    log(`started: ${outcome.started.map(resourceIdOf).join(', ') || 'nothing'}`);
    for (const email of outcome.emails) log(`email to ${email.to.join(', ')}: ${email.subject}`);
  }
  return outcome.executions.every((execution) => execution.status === 'SUCCEEDED') ? 0 : 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      json: { type: 'boolean', default: false },
      grace: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
    'npm run simulate --',
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new ArgumentError('give exactly one file (see --help)');
  const grace = graceSeconds(values.grace, 2);
  const value = readJson(file);
  const log = values.json
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${line}\n`);
  // Checked before the sandbox starts, so that a bad file costs no moto server. moto is found (or
  // installed) here, so that a first run's progress line goes where the timeline goes, never into
  // --json's stdout; the sandbox then finds the same moto.
  if (isScenario(value)) {
    const scenario = parseScenario(value, path.basename(file, '.json'));
    ensureMoto(log);
    return simulateScenario(scenario, values.json ?? false, log);
  }
  const event = eventBridgeEvent(value, file);
  checkRecreatable(event);
  ensureMoto(log);
  return simulateEvent(event, grace, values.json ?? false, log);
}

/** An error's first line; the error's name too when it is not one of ours (NotFoundException: ...). */
function oneLine(error: unknown, ours: boolean): string {
  if (!(error instanceof Error)) return String(error);
  const first = (error.message.split('\n', 1)[0] ?? '').trim();
  return ours ? first : `${error.name}: ${first} (add --verbose for the stack)`;
}

/** Errors that are the input's fault: one line, exit code 2. */
const BAD_INPUT = [ArgumentError, InputError, ScenarioError, EventShapeError, UnrecreatableKeyError];

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const badInput = BAD_INPUT.some((type) => error instanceof type);
    const known = badInput || error instanceof MotoNotInstalledError;
    process.stderr.write(`simulate: ${oneLine(error, known)}\n`);
    // The stack helps only with a failure of the sandbox itself, and only on request.
    if (!known && process.argv.includes('--verbose') && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    process.exit(badInput ? 2 : 1);
  },
);

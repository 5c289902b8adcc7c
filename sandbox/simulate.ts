import './environment';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { resourceIdOf } from '../lambdas/shared/arn';
import type { EventBridgeEvent } from './cloudtrail';
import { rehearseEvent } from './event-rehearsal';
import { MotoNotInstalledError } from './moto';
import { isScenario, parseScenario, ScenarioError } from './scenario/format';
import { runScenario, summarize } from './scenario/runner';

export type { SimulationOutcome } from './event-rehearsal';

const USAGE = `Usage: npm run simulate -- <file.json> [--json] [--grace <seconds>] [--verbose]

<file.json> holds either a game-day scenario (a JSON object with a "steps" array; see docs/sandbox.md,
"Game days") or one EventBridge event (CloudTrail or native KMS, as EventBridge delivers it).

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
  --grace <seconds>  for an event: the grace period (default 2); a scenario says its own`;

/** Exit code 2: the input itself is unusable. */
class InputError extends Error {}

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
  value: unknown,
  file: string,
  json: boolean,
  log: (line: string) => void,
): Promise<number> {
  const scenario = parseScenario(value, path.basename(file, '.json'));
  const report = await runScenario(scenario, { log, pollMs: 100, retryMs: 300 });
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else for (const line of summarize(report)) log(line);
  return 0;
}

async function simulateEvent(
  value: unknown,
  file: string,
  grace: number,
  json: boolean,
  log: (line: string) => void,
): Promise<number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${file} holds neither a scenario nor an EventBridge event (a JSON object)`);
  }
  const outcome = await rehearseEvent(value as EventBridgeEvent, grace, log);
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
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      grace: { type: 'string', default: '2' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new InputError('give exactly one file (see --help)');
  const grace = Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0 || grace > 600)
    throw new InputError('--grace takes seconds from 0 to 600');
  const value = readJson(file);
  const log = values.json
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${line}\n`);
  return isScenario(value)
    ? simulateScenario(value, file, values.json, log)
    : simulateEvent(value, file, grace, values.json, log);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof InputError ||
      error instanceof ScenarioError ||
      error instanceof MotoNotInstalledError
    ) {
      process.stderr.write(`simulate: ${error.message}\n`);
      process.exit(error instanceof MotoNotInstalledError ? 1 : 2);
    }
    console.error(error);
    process.exit(1);
  },
);

import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { CliSession } from '../context';
import { EXIT, type ExitCode, UsageError } from '../errors';
import { consoleLink, utcTime } from '../format';
import {
  type KeyExecution,
  latestExecutions,
  type StateMachineOptions,
  stateMachineArns,
} from '../workflows';

export interface RunsOptions extends StateMachineOptions {
  /** How many executions to show, newest first, both workflows together. */
  readonly limit: number;
}

/** An execution of the key's, with how it ended as DescribeExecution tells it. */
export interface Run extends KeyExecution {
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount?: number;
  readonly redriveStatus?: string;
  readonly console: string;
}

/** `--limit <n>`: 1 to 100. */
export function limitOption(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 100) {
    throw new UsageError(`--limit takes a whole number from 1 to 100, got "${value}"`);
  }
  return limit;
}

/** The key the execution's input names (the dispatcher's KeyEvent), undefined when it cannot be read. */
function keyArnOfInput(input: string | undefined): string | undefined {
  try {
    const keyArn = (JSON.parse(input ?? '') as { keyArn?: unknown }).keyArn;
    return typeof keyArn === 'string' ? keyArn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The execution's outcome, and whether it is the key's: its name carries only the first 8 characters of
 * the key ID, which another key may share, so the key ARN in its input decides.
 */
async function describe(sfn: SFNClient, keyArn: string, execution: KeyExecution): Promise<Run | undefined> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
  const inputKey = keyArnOfInput(described.input);
  if (inputKey !== undefined && inputKey !== keyArn) return undefined;
  return {
    ...execution,
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause.split('\n', 1)[0] } : {}),
    ...(described.redriveCount !== undefined ? { redriveCount: described.redriveCount } : {}),
    ...(described.redriveStatus ? { redriveStatus: described.redriveStatus } : {}),
    console: consoleLink(execution.executionArn),
  };
}

/** What a run's outcome says after its status: the error it failed with, and how to redrive it. */
function outcomeLine(run: Run): string | undefined {
  const parts = [
    ...(run.error ? [`error: ${run.error}${run.cause ? ` (${run.cause.slice(0, 160)})` : ''}`] : []),
    ...(run.redriveCount ? [`redriven ${run.redriveCount} time${run.redriveCount === 1 ? '' : 's'}`] : []),
    ...(['FAILED', 'ABORTED', 'TIMED_OUT'].includes(run.status) && run.redriveStatus !== 'NOT_REDRIVABLE'
      ? [`redrive: key-reactor redrive ${run.executionArn}`]
      : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The key's recent executions of both workflows, newest first: how each ended, when it started and
 * stopped, its console link. Found by name (the dispatcher names them `<workflow>-<short key id>-...`),
 * confirmed by the key ARN in their input. Reads only, and needs no table.
 */
export async function runs(session: CliSession, keyValue: string, options: RunsOptions): Promise<ExitCode> {
  const arns = stateMachineArns(session, options);
  if (!arns.disable && !arns.enable) {
    throw new UsageError(
      'runs needs the state machines: pass --disable-state-machine and --enable-state-machine, or set ' +
        'DISABLE_STATE_MACHINE_ARN and ENABLE_STATE_MACHINE_ARN (stack outputs DisableStateMachineArn and EnableStateMachineArn)',
    );
  }
  const keyArn = await session.keyArn(keyValue);
  const sfn = session.stepFunctions();
  const { executions, problems } = await latestExecutions(
    { stepFunctions: sfn },
    keyArn,
    arns,
    options.limit,
  );
  const described = await Promise.all(executions.map((execution) => describe(sfn, keyArn, execution)));
  const found = described.filter((run): run is Run => run !== undefined).slice(0, options.limit);
  const { out } = session;
  for (const problem of problems) out.warn(problem);
  if (out.json) {
    out.data({ keyArn, runs: found, problems });
    return EXIT.ok;
  }
  out.line(`Executions of ${keyArn} (${found.length}), newest first:`);
  if (found.length === 0) out.line('  none');
  for (const run of found) {
    out.line(
      `  ${run.status.padEnd(9)}  ${run.workflow.padEnd(7)}  started ${utcTime(run.startDate)}  ` +
        `stopped ${utcTime(run.stopDate)}  ${run.name}`,
    );
    const outcome = outcomeLine(run);
    if (outcome) out.line(`             ${outcome}`);
    out.line(`             ${run.console}`);
  }
  return EXIT.ok;
}

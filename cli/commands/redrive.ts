import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import type { CliSession } from '../context';
import { CliError, EXIT, type ExitCode, UsageError } from '../errors';
import { consoleLink, utcTime } from '../format';

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]+:[^:\s]+$/;

/** The execution's name, the last part of its ARN. */
const nameOf = (executionArn: string) => executionArn.slice(executionArn.lastIndexOf(':') + 1);

/**
 * Restarts a failed, aborted or timed-out execution from the step where it stopped (Step Functions'
 * RedriveExecution), keeping what it had done: for a workflow that failed halfway through stopping a
 * key's resources, once the cause is fixed. Step Functions refuses what cannot be redriven (a run that
 * succeeded or still runs, older than 14 days, out of redrives); the CLI says so in one line, exit code 2.
 */
export async function redrive(session: CliSession, executionArn: string): Promise<ExitCode> {
  if (!EXECUTION_ARN.test(executionArn)) {
    throw new UsageError(
      `"${executionArn}" is not an execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>; ` +
        'key-reactor runs <key> lists them)',
    );
  }
  const sfn = session.stepFunctions();
  const name = nameOf(executionArn);
  let redriveDate: Date | undefined;
  try {
    ({ redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn })));
  } catch (error) {
    throw refusal(error, name);
  }
  const { status, redriveCount } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const { out } = session;
  if (out.json) {
    out.data({
      executionArn,
      redriveDate: redriveDate?.toISOString() ?? null,
      status: status ?? null,
      redriveCount: redriveCount ?? null,
      console: consoleLink(executionArn),
    });
    return EXIT.ok;
  }
  out.line(
    `Redrove ${name} at ${utcTime(redriveDate)}: ${status ?? 'RUNNING'} again from the step that stopped it` +
      `${redriveCount ? ` (redrive ${redriveCount})` : ''}.`,
  );
  out.line(`  ${consoleLink(executionArn)}`);
  return EXIT.ok;
}

/** Step Functions' refusal, as one line that says what can be done instead. */
function refusal(error: unknown, name: string): unknown {
  const { name: kind, message = '' } = error as Error;
  const reason = message.split('\n', 1)[0] ?? '';
  if (kind === 'ExecutionNotRedrivable') {
    return new CliError(
      `${name} cannot be redriven: ${reason} (only a FAILED, ABORTED or TIMED_OUT execution of the last ` +
        '14 days can be; a new key change or the sweep starts a new one)',
      EXIT.usage,
      'not-redrivable',
    );
  }
  if (kind === 'ExecutionDoesNotExist') {
    return new CliError(`no execution ${name}: check the ARN and the Region`, EXIT.notFound, 'not-found');
  }
  return error;
}

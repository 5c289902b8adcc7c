import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { CliSession } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';

export interface LeaseReleaseOptions {
  /** Release a lease whose execution still runs (the operator has stopped trusting it). */
  readonly force?: boolean;
}

/**
 * Frees a key that a lease keeps locked. A lease held by an execution that has ended (aborted, failed,
 * timed out, or unknown to Step Functions) or that has expired is released; one whose execution still
 * runs is refused without --force, since that run may be stopping or starting the key's resources now.
 */
export async function leaseRelease(
  session: CliSession,
  keyArnValue: string,
  options: LeaseReleaseOptions,
): Promise<ExitCode> {
  const { keyArn, r } = await session.forKey(keyArnValue);
  const lease = await r.store.leases.read(keyArn);
  if (!lease) {
    report(
      session,
      { keyArn, released: false, holder: null, holderStatus: null },
      `No lease on ${keyArn}: nothing to release`,
    );
    return EXIT.ok;
  }
  const expired = lease.expires * 1000 <= r.clock().getTime();
  const holderStatus = lease.executionArn ? await executionStatus(session, lease.executionArn) : 'UNKNOWN';
  if (holderStatus === 'RUNNING' && !expired && !options.force) {
    throw new CliError(
      `the lease on ${keyArn} is held by ${lease.owner}, which is still running: stop that execution first, or pass --force`,
      EXIT.usage,
    );
  }
  const released = await r.store.leases.forceRelease(keyArn);
  report(
    session,
    { keyArn, released, holder: lease.owner, holderStatus },
    `Released the lease on ${keyArn}, held by ${lease.owner} (${expired ? 'expired' : holderStatus})`,
  );
  return EXIT.ok;
}

/** Step Functions' word for an execution, or NOT_FOUND. */
async function executionStatus(session: CliSession, executionArn: string): Promise<string> {
  try {
    const { status } = await session
      .reactor()
      .stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
    return status ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return 'NOT_FOUND';
    throw error;
  }
}

function report(session: CliSession, data: Record<string, unknown>, text: string): void {
  if (session.out.json) session.out.data(data);
  else session.out.line(text);
}

import type { CliSession } from '../context';
import {
  checkBootstrap,
  checkCloudTrail,
  checkCredentials,
  checkSesIdentity,
  checkSesSandbox,
} from '../doctor/aws-checks';
import type { CheckResult } from '../doctor/check';
import { checkMoto, checkNode } from '../doctor/local-checks';
import { EXIT, type ExitCode } from '../errors';

export interface DoctorOptions {
  /** The sender address to find verified in SES (the -c senderAddress of the deploy). */
  readonly sender?: string;
}

const AWS_CHECKS = ['CDK bootstrap', 'SES sender', 'SES production access', 'CloudTrail'];

/** Every AWS check but the credentials', run once the credentials work; skipped, each with why, if not. */
async function awsChecks(session: CliSession, options: DoctorOptions): Promise<CheckResult[]> {
  const credentials = await checkCredentials(session.aws);
  const { place } = credentials;
  if (!place) {
    const skipped = AWS_CHECKS.map(
      (check): CheckResult => ({ check, status: 'skip', detail: 'needs working AWS credentials' }),
    );
    return [credentials.result, ...skipped];
  }
  return [
    credentials.result,
    ...(await Promise.all([
      checkBootstrap(session.aws, place),
      checkSesIdentity(session.aws, place, options.sender),
      checkSesSandbox(session.aws, place),
      checkCloudTrail(session.aws, place),
    ])),
  ];
}

function printText(session: CliSession, results: readonly CheckResult[]): void {
  const width = Math.max(...results.map((result) => result.check.length));
  for (const result of results) {
    session.out.line(`${result.status.padEnd(4)}  ${result.check.padEnd(width)}  ${result.detail}`);
    if (result.fix) session.out.line(`${' '.repeat(width + 8)}fix: ${result.fix}`);
  }
  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  session.out.line(
    failed === 0
      ? `\nReady${warned > 0 ? `, with ${warned} warning${warned > 1 ? 's' : ''}` : ''}.`
      : `\n${failed} problem${failed > 1 ? 's' : ''} to fix, each with its fix above.`,
  );
}

/**
 * Checks what running the sandbox and deploying the reactor need: Node, moto, AWS credentials, the CDK
 * bootstrap, SES (the sender verified, production access) and a CloudTrail trail logging management
 * events in the Region. Exit code 1 when any check fails; warnings and skipped checks do not count.
 */
export async function doctor(session: CliSession, options: DoctorOptions): Promise<ExitCode> {
  const results = [checkNode(), checkMoto(session.env), ...(await awsChecks(session, options))];
  const healthy = results.every((result) => result.status !== 'fail');
  if (session.out.json) session.out.data({ ok: healthy, checks: results });
  else printText(session, results);
  return healthy ? EXIT.ok : EXIT.failure;
}

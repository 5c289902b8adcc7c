/**
 * One check of `key-reactor doctor`: what it looked at, what it found and, for a problem, the fix as a
 * command or a step to take. A warning is worth knowing and blocks nothing; a failure blocks a deploy
 * or a local run, and makes doctor exit non-zero.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** What was checked, such as "AWS credentials". */
  readonly check: string;
  readonly status: CheckStatus;
  /** What doctor found, in one line. */
  readonly detail: string;
  /** What to do about it; absent when there is nothing to do. */
  readonly fix?: string;
}

export const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });

export const problem = (
  check: string,
  status: 'warn' | 'fail' | 'skip',
  detail: string,
  fix: string,
): CheckResult => ({ check, status, detail, fix });

import { userInfo } from 'node:os';
import type { GuardStatus } from '../../lambdas/shared/guard';
import type { CliSession } from '../context';
import { EXIT, type ExitCode, UsageError } from '../errors';

export interface PauseOptions {
  /** Why the reactor is paused, for the record and for whoever resumes it. */
  readonly reason?: string;
  /** Who pauses or resumes it. @default the local user name */
  readonly by?: string;
}

const NO_REASON = 'no reason given';
/** A reason or a name is a sentence for the record, not a document. */
const MAX_TEXT = 500;

/**
 * Pauses the whole reactor: from now on every workflow acts as alert-only (its emails say the reactor is
 * paused) until `key-reactor resume`. The sweep keeps reporting drift, so after resume it acts on
 * whatever drifted meanwhile. Records who paused it, when and why.
 */
export async function pause(session: CliSession, options: PauseOptions): Promise<ExitCode> {
  const by = operatorOf(session, options.by);
  const why = textOption('--reason', options.reason) ?? NO_REASON;
  const status = await session.reactor().guard.pause(by, why);
  if (session.out.json) {
    session.out.data(status);
  } else {
    session.out.lines([
      `Paused the reactor at ${status.since} (by ${by}): ${why}`,
      'Every workflow now acts as alert-only: nothing is stopped or started until `key-reactor resume`.',
      'The sweep keeps reporting drift; after resume it acts on whatever drifted meanwhile.',
    ]);
  }
  return EXIT.ok;
}

/**
 * Lifts a pause, an operator's or the circuit breaker's. Keys that turned unusable before it no longer
 * count towards the breaker, so the shutdowns it held back go ahead at the next sweep.
 */
export async function resume(session: CliSession, options: Pick<PauseOptions, 'by'>): Promise<ExitCode> {
  const by = operatorOf(session, options.by);
  const lifted = await session.reactor().guard.resume(by);
  const status = await session.reactor().guard.status();
  if (session.out.json) {
    session.out.data({ ...status, lifted: lifted.paused ? pauseOf(lifted) : null });
    return EXIT.ok;
  }
  session.out.line(
    lifted.paused
      ? `Resumed the reactor (by ${by}); it was paused ${lifted.reason === 'breaker' ? 'by the circuit breaker' : `by ${lifted.by ?? 'someone'}`} since ${lifted.since ?? '-'}: ${lifted.why ?? NO_REASON}`
      : `The reactor was not paused (by ${by}); the circuit breaker counts keys afresh from now.`,
  );
  if (lifted.paused) {
    session.out.line('The next sweep acts on whatever drifted while it was paused.');
  }
  return EXIT.ok;
}

function pauseOf(status: GuardStatus) {
  return {
    reason: status.reason ?? null,
    since: status.since ?? null,
    by: status.by ?? null,
    why: status.why ?? null,
  };
}

/** Who runs the command: --by, else the local user, as the environment or the system names them. */
function operatorOf(session: CliSession, by: string | undefined): string {
  const given = textOption('--by', by);
  if (given) return given;
  const fromEnvironment = [session.env.USER, session.env.LOGNAME, session.env.USERNAME].find((name) =>
    name?.trim(),
  );
  if (fromEnvironment) return fromEnvironment.trim();
  try {
    return userInfo().username || 'unknown operator';
  } catch {
    // A container user without a passwd entry has no name to give.
    return 'unknown operator';
  }
}

function textOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0) throw new UsageError(`${name} is empty: leave it out or say something`);
  if (text.length > MAX_TEXT) throw new UsageError(`${name} is longer than ${MAX_TEXT} characters`);
  return text;
}

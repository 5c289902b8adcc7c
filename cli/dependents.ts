import {
  type EncryptedDependent,
  type EncryptedDependents,
  unprotected,
  unstoppable,
} from '../lambdas/shared/encrypted-dependents';
import type { Reactor } from '../lambdas/shared/reactor';
import type { Output } from './context';
import { nameOf, table } from './format';

/** What `plan`, `status` and `adopt` say of the resources encrypted with a key (the safety net). */
export interface DependentReport {
  /** Encrypted with the key, of a kind the reactor stops, and neither tagged nor registered for it. */
  readonly unprotected: readonly EncryptedDependent[];
  /** Encrypted with the key, and AWS cannot stop them: named in the emails, never stopped. */
  readonly cannotStop: readonly EncryptedDependent[];
  readonly buckets: EncryptedDependents['buckets'];
}

/**
 * The key's encrypted dependents, less those registered in the table: a resource registered by hand
 * before the key tag existed is the reactor's all the same.
 */
export async function readDependents(
  r: Reactor,
  keyArn: string,
  registered: readonly string[],
): Promise<DependentReport> {
  const found = await r.dependents.find(keyArn);
  const known = new Set(registered);
  return {
    unprotected: unprotected(found).filter((dependent) => !known.has(dependent.resourceArn)),
    cannotStop: unstoppable(found),
    buckets: found.buckets,
  };
}

/** The two lists as text, each with a heading; nothing when both are empty. */
export function printDependents(out: Output, report: DependentReport): void {
  if (report.unprotected.length > 0) {
    out.line();
    out.line(
      `Unprotected: encrypted with the key but not tagged for it, so never stopped (${report.unprotected.length}); ` +
        'key-reactor adopt <key> tags them:',
    );
    out.lines(
      table(
        ['KIND', 'NAME', 'VIA'],
        report.unprotected.map((dependent) => [
          dependent.kind,
          nameOf(dependent.resourceArn),
          dependent.via ? nameOf(dependent.via) : '',
        ]),
        '  ',
      ),
    );
  }
  if (report.cannotStop.length > 0) {
    out.line();
    out.line(`Encrypted with the key, and the reactor cannot stop them (${report.cannotStop.length}):`);
    out.lines(
      table(
        ['KIND', 'NAME', 'WHY'],
        report.cannotStop.map((dependent) => [
          dependent.kind,
          nameOf(dependent.resourceArn),
          dependent.cannotStop ?? '',
        ]),
        '  ',
      ),
    );
  }
  if (report.buckets.truncated) {
    out.line(
      `  S3: only ${report.buckets.checked} of ${report.buckets.total} buckets were read for their default encryption`,
    );
  }
}

/** The lists as JSON fields. */
export function dependentsData(report: DependentReport): Record<string, unknown> {
  return { unprotected: report.unprotected, cannotStop: report.cannotStop, buckets: report.buckets };
}

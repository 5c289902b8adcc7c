import type { KeyWarning } from '../email/types';
import type { KeyDescription } from '../key-reader';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DueWarning {
  readonly warning: KeyWarning;
  readonly dueAt: Date;
  /** The smallest threshold already reached: the one this warning is for. */
  readonly thresholdDays: number;
}

/**
 * The warnings due for a key now: its imported material expires, or KMS deletes it, within one of the
 * thresholds (days, any order). Only the smallest threshold reached counts, so a key first seen five
 * days before its date gets the 7-day warning and never a late 30-day one. Nothing is due once the date
 * has passed: KMS's own event (material expired, key deleted) takes over.
 */
export function dueWarnings(key: KeyDescription, thresholds: readonly number[], now: Date): DueWarning[] {
  const dates: [KeyWarning, Date | undefined][] = [
    ['material-expiring', key.materialExpiresAt],
    ['deletion-pending', key.deletionDate],
  ];
  return dates.flatMap(([warning, dueAt]) => {
    if (!dueAt) return [];
    const left = dueAt.getTime() - now.getTime();
    if (left <= 0) return [];
    const reached = thresholds.filter((days) => left <= days * DAY_MS);
    if (reached.length === 0) return [];
    return [{ warning, dueAt, thresholdDays: Math.min(...reached) }];
  });
}

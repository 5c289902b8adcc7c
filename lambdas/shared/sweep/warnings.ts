import type { KeyWarning } from '../email/types';
import type { KeyDescription, KeyMaterial } from '../key-reader';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The key materials whose expiry makes the key unusable: KMS uses the current one to encrypt and the
 * non-current ones to decrypt what they encrypted, and the key turns PendingImport when any of them
 * expires. Material imported for a rotation that has not happened yet is not tied to the key: its expiry
 * changes nothing.
 */
const MATERIALS_THAT_MATTER = new Set(['CURRENT', 'NON_CURRENT']);

export interface DueWarning {
  readonly warning: KeyWarning;
  readonly dueAt: Date;
  /** The smallest threshold already reached: the one this warning is for. */
  readonly thresholdDays: number;
  /** For a key with several key materials: the one that expires. */
  readonly material?: { readonly keyMaterialId: string; readonly current: boolean };
}

/**
 * The warnings due for a key now: one of its key materials expires, or KMS deletes it, within one of the
 * thresholds (days, any order). Only the smallest threshold reached counts, so a key first seen five
 * days before its date gets the 7-day warning and never a late 30-day one. Nothing is due once the date
 * has passed: KMS's own event (material expired, key deleted) takes over.
 *
 * `materials` (ListKeyRotations) names each imported material and its own expiry; without them, the
 * current material's expiry from DescribeKey is all there is to warn about.
 */
export function dueWarnings(
  key: KeyDescription,
  thresholds: readonly number[],
  now: Date,
  materials: readonly KeyMaterial[] = [],
): DueWarning[] {
  const expiring = materials.filter((material) => MATERIALS_THAT_MATTER.has(material.state));
  const dates: Omit<DueWarning, 'thresholdDays'>[] = [
    ...(expiring.length > 0
      ? expiring.flatMap(({ keyMaterialId, state, validTo }) =>
          validTo
            ? [
                {
                  warning: 'material-expiring' as const,
                  dueAt: validTo,
                  // One material needs no name: the email reads as it always did.
                  ...(expiring.length > 1
                    ? { material: { keyMaterialId, current: state === 'CURRENT' } }
                    : {}),
                },
              ]
            : [],
        )
      : key.materialExpiresAt
        ? [{ warning: 'material-expiring' as const, dueAt: key.materialExpiresAt }]
        : []),
    ...(key.deletionDate ? [{ warning: 'deletion-pending' as const, dueAt: key.deletionDate }] : []),
  ];
  return dates.flatMap((due) => {
    const thresholdDays = smallestReached(due.dueAt, thresholds, now);
    return thresholdDays === undefined ? [] : [{ ...due, thresholdDays }];
  });
}

function smallestReached(dueAt: Date, thresholds: readonly number[], now: Date): number | undefined {
  const left = dueAt.getTime() - now.getTime();
  if (left <= 0) return undefined;
  const reached = thresholds.filter((days) => left <= days * DAY_MS);
  return reached.length === 0 ? undefined : Math.min(...reached);
}

/**
 * RDS keeps a database whose key it cannot use in `inaccessible-encryption-credentials-recoverable` for
 * 7 days; then it turns `inaccessible-encryption-credentials`, and only a restore from a backup brings
 * it back.
 */
export const RDS_RECOVERABLE_DAYS = 7;
/** The administrators are warned each day from this day of the 7 (the first day is day 1). */
export const RDS_WARNING_FROM_DAY = 4;

export interface DatabaseCountdown {
  /** When RDS makes the database unrecoverable: 7 days after it was first seen recoverable. */
  readonly unrecoverableAt: Date;
  /** The day of the 7 it is now, from 1. */
  readonly day: number;
  /** Whole days left, rounded up (4 on day 4, 1 on day 7): one warning per value. */
  readonly daysLeft: number;
}

/**
 * Where a database first seen recoverable at `firstSeenAt` stands now, or undefined before day 4 and
 * once it is past saving. One warning a day: `daysLeft` names the day, so the warning log keeps the
 * sweeps of one day (every 5 minutes) and their retries to one email.
 */
export function databaseCountdown(firstSeenAt: Date, now: Date): DatabaseCountdown | undefined {
  const unrecoverableAt = new Date(firstSeenAt.getTime() + RDS_RECOVERABLE_DAYS * DAY_MS);
  const elapsed = now.getTime() - firstSeenAt.getTime();
  const left = unrecoverableAt.getTime() - now.getTime();
  if (elapsed < 0 || left <= 0) return undefined;
  const day = Math.floor(elapsed / DAY_MS) + 1;
  if (day < RDS_WARNING_FROM_DAY) return undefined;
  return { unrecoverableAt, day, daysLeft: Math.ceil(left / DAY_MS) };
}

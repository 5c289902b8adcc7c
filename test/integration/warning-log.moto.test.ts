import type { WarningRecord } from '../../lambdas/shared/store/warning-log';
import { storeOnMoto } from './on-moto';

/**
 * The early-warning log (lambdas/shared/store/warning-log.ts) against moto's DynamoDB, whose conditional
 * writes decide which sweep sends a warning: once per key, warning, date and threshold.
 */

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DUE = new Date('2026-12-24T10:00:00Z');
const NOW = new Date('2026-12-01T10:00:00Z');
const MINUTE_MS = 60 * 1000;

/** The store's time: when each sweep claims. */
let now = NOW;
const store = storeOnMoto(() => now);

/** A sweep claiming the warning at `at`. */
function claimAt(warning: WarningRecord, at: Date): Promise<boolean> {
  now = at;
  return store().warningLog.claim(warning);
}

const record = (thresholdDays: number, dueAt = DUE) => ({
  keyArn: KEY,
  warning: 'material-expiring',
  dueAt,
  thresholdDays,
});

it('lets one sweep claim a warning, and no other once it is sent', async () => {
  expect(await claimAt(record(30), NOW)).toBe(true);
  await store().warningLog.markSent(record(30));
  expect(await claimAt(record(30), NOW)).toBe(false);
  expect(await claimAt(record(30), new Date(NOW.getTime() + 60 * MINUTE_MS))).toBe(false);
});

it('keeps a claim being sent from a concurrent sweep, but lets a later sweep retake one a crash left behind', async () => {
  expect(await claimAt(record(7), NOW)).toBe(true);
  expect(await claimAt(record(7), new Date(NOW.getTime() + MINUTE_MS))).toBe(false);
  expect(await claimAt(record(7), new Date(NOW.getTime() + 16 * MINUTE_MS))).toBe(true);
});

it('treats each threshold, and a new date, as a warning of its own', async () => {
  expect(await claimAt(record(30), NOW)).toBe(true);
  expect(await claimAt(record(7), NOW)).toBe(true);
  expect(await claimAt(record(30, new Date('2027-06-24T10:00:00Z')), NOW)).toBe(true);
});

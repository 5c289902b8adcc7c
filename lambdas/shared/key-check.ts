import { KeyNotFoundError } from './errors';
import type { KeyDescription, KeyReader } from './key-reader';
import type { Store } from './store';

/** What KMS says of a key, once a key it cannot find has been weighed against the evidence. */
export interface CheckedKey extends KeyDescription {
  /** Not found, and known deleted: a CMK Deletion event, or seen pending deletion past its date. */
  readonly deleted: boolean;
  /** When the platform's access to the key was first found denied, while it still is. */
  readonly deniedSince?: Date;
}

/**
 * Revoked access is key loss once it is confirmed: denied now, and already denied when the run's grace
 * period began. The disable workflow's grace wait is the gap between the two checks, so they are at
 * least the grace period apart, and a key policy fixed within the grace period stops nothing, as a key
 * enabled again within it does not.
 */
export function accessLossConfirmed(key: CheckedKey, graceStartedAt: Date): boolean {
  if (key.access !== 'denied' || key.deniedSince === undefined) return false;
  return key.deniedSince.getTime() <= graceStartedAt.getTime();
}

/**
 * Reads the key's real state for a decision. A denied probe is recorded, so that the next check can
 * confirm it (accessLossConfirmed); a granted one clears that record. A key seen pending deletion leaves its date behind, the
 * evidence that a later NotFound means deleted. NotFound without evidence is a KeyNotFoundError: a wrong
 * Region, a wrong account or a table restored elsewhere look exactly like it, and must not stop a fleet.
 */
export async function checkKey(
  { keys, store }: { readonly keys: KeyReader; readonly store: Store },
  keyArn: string,
  {
    deletionEvent,
    deniedOnRecord = true,
  }: {
    readonly deletionEvent: boolean;
    /**
     * False when the caller read the key's STATE item (the sweep's Scan) and found no denial on record:
     * a granted probe has nothing to clear then, and the write is left out. A denial recorded after that
     * read comes from a workflow's own check, whose next check clears it.
     */
    readonly deniedOnRecord?: boolean;
  },
): Promise<CheckedKey> {
  const described = await keys.describe(keyArn);
  if (described.access === 'denied') {
    return { ...described, deleted: false, deniedSince: await store.keyEvents.noteAccessDenied(keyArn) };
  }
  if (described.access === 'granted' && deniedOnRecord) await store.keyEvents.noteAccessGranted(keyArn);
  if (described.keyState === 'PendingDeletion' && described.deletionDate) {
    await store.keyEvents.noteDeletionDue(keyArn, described.deletionDate);
  }
  if (described.keyState !== 'NotFound') return { ...described, deleted: false };
  if (deletionEvent || (await store.keyEvents.deletionWasDue(keyArn))) return { ...described, deleted: true };
  throw new KeyNotFoundError(
    `KMS does not find ${keyArn}, and nothing shows it was deleted (no CMK Deletion event, never seen pending ` +
      'deletion past its date): check the Region and the account the reactor reads it in; nothing was stopped',
  );
}

import { KeyNotFoundError } from './errors';
import type { KeyDescription, KeyReader } from './key-reader';
import type { Store } from './store';

/** What KMS says of a key, once a key it cannot find has been weighed against the evidence. */
export interface CheckedKey extends KeyDescription {
  /** Not found, and known deleted: a CMK Deletion event, or seen pending deletion past its date. */
  readonly deleted: boolean;
}

/**
 * Reads the key's real state for a decision. A key seen pending deletion leaves its date behind, the
 * evidence that a later NotFound means deleted. NotFound without evidence is a KeyNotFoundError: a wrong
 * Region, a wrong account or a table restored elsewhere look exactly like it, and must not stop a fleet.
 */
export async function checkKey(
  { keys, store }: { readonly keys: KeyReader; readonly store: Store },
  keyArn: string,
  { deletionEvent }: { readonly deletionEvent: boolean },
): Promise<CheckedKey> {
  const described = await keys.describe(keyArn);
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

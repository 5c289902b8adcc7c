import type { LedgerEntry, RegisteredResource } from '../model';
import type { Countdown } from './countdowns';
import { EPISODE_ATTRIBUTE } from './email-log';
import { entryOf } from './ledger';
import { newsOf, type UndeliveredNews } from './news';
import type { KeyPolicy } from './policy';
import { policyOf, toResource } from './registry';
import { type Item, scanTable, type Table } from './table';

/** Everything the sweep needs to know about one key, from the table alone (no AWS call but DynamoDB). */
export interface KeyInventory {
  readonly keyArn: string;
  readonly resources: readonly RegisteredResource[];
  /** Resources the reactor stopped and has not seen restored yet. */
  readonly ledgerCount: number;
  readonly ledger: readonly LedgerEntry[];
  /** The lease, if one was ever taken and not released: its holder and expiry (epoch seconds). */
  readonly lease?: { readonly owner: string; readonly expires: number };
  /** When the last workflow recorded an outcome, and when the last one failed (ISO 8601). */
  readonly lastOutcomeAt?: string;
  readonly lastFailureAt?: string;
  /** The alert-only email of the current unusable episode was sent. */
  readonly alertOnlySent: boolean;
  readonly policy: KeyPolicy;
  /** Emails SES has not accepted yet (store/news.ts), for the sweep to send again; absent when none. */
  readonly undelivered?: readonly UndeliveredNews[];
  /** RDS databases seen waiting for the key (store/countdowns.ts); absent when none. */
  readonly countdowns?: readonly Countdown[];
  /**
   * A denial of the platform's access is on record (store/key-events.ts): only then has a granted probe
   * anything to clear, so a sweep of keys whose access works writes nothing for them. Absent: not known,
   * and cleared as if there were one.
   */
  readonly accessDeniedOnRecord?: boolean;
  /** The fingerprint of what the reactor cannot stop, as last recorded (store/unstoppables.ts); absent when none. */
  readonly unstoppableFingerprint?: string;
}

interface Draft {
  resources: RegisteredResource[];
  ledger: LedgerEntry[];
  lease?: KeyInventory['lease'];
  lastOutcomeAt?: string;
  lastFailureAt?: string;
  alertOnlySent: boolean;
  accessDeniedOnRecord: boolean;
  unstoppableFingerprint?: string;
  policyItem?: Item;
  undelivered: UndeliveredNews[];
  countdowns: Countdown[];
}

/** The item types read (not the email and warning logs), and only the attributes the sweep needs. */
const TYPES = ['resource', 'ledger', 'lease', 'state', 'policy', 'news', 'countdown', 'cannot-stop'] as const;
const PROJECTION = {
  '#type': 'type',
  '#news': 'news',
  '#owner': 'owner',
  '#restore': 'restore',
  '#alertOnly': EPISODE_ATTRIBUTE('alert-only'),
  '#action': 'action',
};

function add(draft: Draft, item: Item, keyArn: string): void {
  switch (item.type) {
    case 'resource':
      draft.resources.push(toResource(keyArn, item));
      break;
    case 'ledger':
      if (item.restoredAt === undefined) draft.ledger.push(entryOf(keyArn, item));
      break;
    case 'lease':
      draft.lease = { owner: String(item.owner), expires: Number(item.expires) };
      break;
    case 'state': {
      if (typeof item.updatedAt === 'string') draft.lastOutcomeAt = item.updatedAt;
      const failure = item.lastFailure as { at?: unknown } | undefined;
      if (typeof failure?.at === 'string') draft.lastFailureAt = failure.at;
      draft.alertOnlySent = typeof item[EPISODE_ATTRIBUTE('alert-only')] === 'string';
      draft.accessDeniedOnRecord = item.accessDeniedSince !== undefined;
      break;
    }
    case 'cannot-stop':
      if (typeof item.fingerprint === 'string') draft.unstoppableFingerprint = item.fingerprint;
      break;
    case 'policy':
      draft.policyItem = item;
      break;
    case 'news': {
      const news = newsOf(item);
      if (news) draft.undelivered.push(news);
      break;
    }
    case 'countdown':
      if (typeof item.resourceArn === 'string' && typeof item.firstSeenAt === 'string')
        draft.countdowns.push({ resourceArn: item.resourceArn, firstSeenAt: new Date(item.firstSeenAt) });
      break;
  }
}

/**
 * Every key with something registered to it or something the reactor still has to restore (and every
 * key of `alsoKeys`, the keys the resources' tags name, table rows or not), read with
 * one paginated Scan of the table. A key's items are a few per resource, so a table of 10,000
 * resources is a few megabytes: a handful of pages, once per sweep.
 */
export async function readInventory(
  table: Table,
  alsoKeys: ReadonlySet<string> = new Set(),
): Promise<KeyInventory[]> {
  const drafts = new Map<string, Draft>();
  const draftOf = (keyArn: string): Draft => {
    let draft = drafts.get(keyArn);
    if (!draft) {
      draft = {
        resources: [],
        ledger: [],
        alertOnlySent: false,
        accessDeniedOnRecord: false,
        undelivered: [],
        countdowns: [],
      };
      drafts.set(keyArn, draft);
    }
    return draft;
  };
  for (const keyArn of alsoKeys) draftOf(keyArn);
  const items = await scanTable(table, {
    // Placeholders by position: `:cannot-stop` is not a valid name.
    FilterExpression: `#type IN (${TYPES.map((_, index) => `:t${index}`).join(', ')})`,
    ProjectionExpression:
      '#type, keyArn, resourceArn, layer, #restore, restoredAt, stoppedAt, stoppedBy, #owner, expires, updatedAt, lastFailure, #alertOnly, #action, administrators, #news, firstSeenAt, accessDeniedSince, fingerprint',
    ExpressionAttributeNames: PROJECTION,
    ExpressionAttributeValues: Object.fromEntries(TYPES.map((type, index) => [`:t${index}`, type])),
  });
  for (const item of items) {
    if (typeof item.keyArn !== 'string') continue;
    add(draftOf(item.keyArn), item, item.keyArn);
  }

  return [...drafts]
    .filter(
      ([keyArn, draft]) =>
        alsoKeys.has(keyArn) ||
        draft.resources.length > 0 ||
        draft.ledger.length > 0 ||
        draft.undelivered.length > 0,
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([keyArn, { policyItem, undelivered, countdowns, ...draft }]) => ({
      keyArn,
      ...draft,
      ...(undelivered.length > 0 ? { undelivered } : {}),
      ...(countdowns.length > 0 ? { countdowns } : {}),
      resources: draft.resources.sort((a, b) => a.resourceArn.localeCompare(b.resourceArn)),
      ledgerCount: draft.ledger.length,
      policy: policyOf(policyItem),
    }));
}

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { reasonOf, type UnstoppableResource } from '../cannot-stop';
import { keyPartition, SORT_KEYS } from '../contract';
import { type Item, type Table, writeIf } from './table';

/**
 * What the reactor cannot stop for a key (cannot-stop.ts), as the sweep last found it: one item per key
 * (`CANNOT_STOP`), so that an email step reads one item instead of asking ElastiCache, EFS, S3 and RDS
 * on the shutdown path. The sweep writes it only when the list changed.
 */
export interface UnstoppableRecord {
  readonly resources: readonly UnstoppableResource[];
  /** When the sweep found the list as it is (ISO 8601): it has not changed since. */
  readonly since: string;
}

const itemKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.cannotStop });

/** The list as one string, the same for the same resources in any order: what tells a change. */
function fingerprintOf(resources: readonly UnstoppableResource[]): string {
  return JSON.stringify(
    [...resources]
      .sort((a, b) => a.resourceArn.localeCompare(b.resourceArn))
      .map(({ resourceArn, kind, reason }) => [resourceArn, kind, reason]),
  );
}

/**
 * Whether `record` would leave the key's list as it is, judged from the fingerprint last read (the
 * sweep's Scan; undefined when there was no item): the same list, or an empty one where none was kept.
 * The sweep then skips the conditional write, which costs a call and a write unit even when it fails.
 */
export function recordUnchanged(
  recorded: string | undefined,
  resources: readonly UnstoppableResource[],
): boolean {
  return fingerprintOf(resources) === (recorded ?? fingerprintOf([]));
}

export class Unstoppables {
  constructor(private readonly table: Table) {}

  /**
   * Records the key's list; true when it was written. Nothing is written when it is the list already
   * recorded, nor an empty list for a key that never had one, so a sweep costs no write per key.
   */
  async record(keyArn: string, resources: readonly UnstoppableResource[]): Promise<boolean> {
    const fingerprint = fingerprintOf(resources);
    return writeIf(
      this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...itemKey(keyArn),
            type: 'cannot-stop',
            keyArn,
            resources: resources.map(({ resourceArn, kind, reason }) => ({ resourceArn, kind, reason })),
            fingerprint,
            since: this.table.clock().toISOString(),
          },
          ConditionExpression:
            '(attribute_not_exists(sk) AND :fingerprint <> :none) OR fingerprint <> :fingerprint',
          ExpressionAttributeValues: { ':fingerprint': fingerprint, ':none': fingerprintOf([]) },
        }),
      ),
    );
  }

  /** The key's list; undefined when the sweep never recorded one (nothing found, or not swept yet). */
  async read(keyArn: string): Promise<UnstoppableRecord | undefined> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: itemKey(keyArn) }),
    );
    return Item ? recordOf(Item) : undefined;
  }
}

function recordOf(item: Item): UnstoppableRecord {
  const listed = Array.isArray(item.resources) ? (item.resources as unknown[]) : [];
  const resources = listed.flatMap((value): UnstoppableResource[] => {
    const entry = value as { resourceArn?: unknown; kind?: unknown; reason?: unknown };
    const reason = reasonOf(entry.reason);
    return typeof entry.resourceArn === 'string' && typeof entry.kind === 'string' && reason
      ? [{ resourceArn: entry.resourceArn, kind: entry.kind, reason }]
      : [];
  });
  return { resources, since: typeof item.since === 'string' ? item.since : '' };
}

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { type Table, writeIf } from './table';

/** A change of the key as the dispatcher saw it: when it happened, and the execution that handles it. */
export interface KeyChange {
  readonly eventTime: string;
  readonly executionName: string;
}

const stateKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.state });

/** One spelling of a time (CloudTrail writes seconds, the sweep milliseconds), so strings compare as times. */
function canonical(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
}

/**
 * What the reactor knows of a key's changes, on its STATE item: the newest change seen (so that a run
 * made stale by a newer event for the same key exits without acting), and when KMS said it would delete
 * the key (the evidence that a key DescribeKey cannot find was deleted, not mistyped).
 */
export class KeyEvents {
  constructor(private readonly table: Table) {}

  /**
   * Records `change` as the key's newest, unless a newer one is recorded already (a late or redelivered
   * event): the run of the newest change is the one that acts. Equal times go to the later arrival.
   */
  async noteChange(keyArn: string, { eventTime, executionName }: KeyChange): Promise<boolean> {
    const change = { eventTime: canonical(eventTime), executionName };
    return writeIf(
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: stateKey(keyArn),
          UpdateExpression: 'SET #type = :type, keyArn = :keyArn, latestChange = :change',
          ConditionExpression: 'attribute_not_exists(latestChange) OR latestChange.eventTime <= :time',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'state',
            ':keyArn': keyArn,
            ':change': change,
            ':time': change.eventTime,
          },
        }),
      ),
    );
  }

  /**
   * Whether the run of `change` is still the key's newest: no other change newer than it, or as new and
   * arrived after it, was recorded. A run nobody recorded (started by hand) is current unless a newer
   * change was recorded.
   */
  async isCurrent(keyArn: string, change: KeyChange): Promise<boolean> {
    const latest = (await this.read(keyArn)).latestChange as Partial<KeyChange> | undefined;
    if (!latest?.eventTime || latest.executionName === change.executionName) return true;
    return latest.eventTime < canonical(change.eventTime);
  }

  /** KMS scheduled the key's deletion for `dueAt` (seen pending deletion by DescribeKey). */
  async noteDeletionDue(keyArn: string, dueAt: Date): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKey(keyArn),
        UpdateExpression: 'SET #type = :type, keyArn = :keyArn, deletionDueAt = :due',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': 'state', ':keyArn': keyArn, ':due': dueAt.toISOString() },
      }),
    );
  }

  /** Whether the key was seen pending deletion with a date that has now passed. */
  async deletionWasDue(keyArn: string): Promise<boolean> {
    const due = Date.parse(String((await this.read(keyArn)).deletionDueAt ?? ''));
    return Number.isFinite(due) && due <= this.table.clock().getTime();
  }

  /**
   * The platform's access to the key was found denied: records when that was first seen, unless an
   * earlier denial is recorded already, and returns the first one. Two denied checks at least the grace
   * period apart make revoked access key loss (key-check.ts).
   */
  async noteAccessDenied(keyArn: string): Promise<Date> {
    const { Attributes } = await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKey(keyArn),
        UpdateExpression:
          'SET #type = :type, keyArn = :keyArn, accessDeniedSince = if_not_exists(accessDeniedSince, :now)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'state',
          ':keyArn': keyArn,
          ':now': this.table.clock().toISOString(),
        },
        // ALL_NEW: an attribute if_not_exists left alone is not returned as updated by every DynamoDB.
        ReturnValues: 'ALL_NEW',
      }),
    );
    const since = Date.parse(String(Attributes?.accessDeniedSince ?? ''));
    return Number.isFinite(since) ? new Date(since) : this.table.clock();
  }

  /** The platform's access to the key works: a later denial starts its confirmation over. */
  async noteAccessGranted(keyArn: string): Promise<void> {
    await writeIf(
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: stateKey(keyArn),
          UpdateExpression: 'REMOVE accessDeniedSince',
          ConditionExpression: 'attribute_exists(accessDeniedSince)',
        }),
      ),
    );
  }

  private async read(keyArn: string): Promise<Record<string, unknown>> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: stateKey(keyArn), ConsistentRead: true }),
    );
    return Item ?? {};
  }
}

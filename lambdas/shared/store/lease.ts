import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { LeaseLostError, LeaseTakenError } from '../errors';
import { epochSeconds, isConditionFailure, type Table, writeIf } from './table';

export interface Lease {
  readonly owner: string;
  readonly expiresAt: string;
}

/** The LEASE item as stored: its owner (an execution name), that execution's ARN, and its expiry. */
export interface StoredLease {
  readonly owner: string;
  readonly executionArn?: string;
  /** Epoch seconds. */
  readonly expires: number;
}

/** Whether an execution still runs: Step Functions' DescribeExecution, asked by the lease's caller. */
export type ExecutionRunning = (executionArn: string) => Promise<boolean>;

const leaseKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.lease });

/**
 * One workflow at a time acts on a key's resources: the holder of the key's lease. The lease is short
 * and its holder renews it at every step, so a holder that crashed frees the key within minutes; a
 * holder whose execution has ended (aborted, failed, timed out: Step Functions says so) is taken over
 * at once, so nothing stays locked behind a dead execution.
 */
export class Leases {
  constructor(
    private readonly table: Table,
    private readonly seconds: number,
  ) {}

  /**
   * Takes the key's lease for `owner`, or renews it if `owner` holds it. A lease held by another
   * execution is taken over when it has expired or when `isRunning` says its execution has ended;
   * otherwise LeaseTakenError, which the workflow retries.
   */
  async acquire(
    keyArn: string,
    owner: string,
    executionArn: string,
    isRunning: ExecutionRunning,
  ): Promise<Lease> {
    try {
      return await this.put(keyArn, owner, executionArn, 'free');
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const held = await this.read(keyArn);
    if (held && held.owner !== owner && held.executionArn && !(await isRunning(held.executionArn))) {
      try {
        return await this.put(keyArn, owner, executionArn, held.owner);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    const holder = held
      ? `${held.owner} until ${new Date(held.expires * 1000).toISOString()}`
      : 'another workflow';
    throw new LeaseTakenError(`The lease on ${keyArn} is held by ${holder}`);
  }

  /**
   * Extends the lease of `owner`, who holds it. LeaseLostError when it does not any more (it expired
   * and was taken over): the workflow must stop acting on the key.
   */
  async renew(keyArn: string, owner: string): Promise<Lease> {
    const now = this.table.clock();
    const expires = epochSeconds(now) + this.seconds;
    try {
      await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: leaseKey(keyArn),
          UpdateExpression: 'SET #expires = :expires, #ttl = :expires',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'expires', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':owner': owner, ':expires': expires },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new LeaseLostError(
        `${owner} no longer holds the lease on ${keyArn}: another run took the key over`,
      );
    }
    return { owner, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** The key's lease as stored, expired or not, if there is one. */
  async read(keyArn: string): Promise<StoredLease | undefined> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: leaseKey(keyArn) }),
    );
    if (!Item) return undefined;
    return {
      owner: String(Item.owner),
      ...(typeof Item.executionArn === 'string' ? { executionArn: Item.executionArn } : {}),
      expires: Number(Item.expires),
    };
  }

  /** Gives the lease back if `owner` still holds it; returns whether it did. */
  async release(keyArn: string, owner: string): Promise<boolean> {
    return writeIf(
      this.table.documents.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: leaseKey(keyArn),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  /** Removes the lease whoever holds it: an operator's decision (`key-reactor lease release`). */
  async forceRelease(keyArn: string): Promise<boolean> {
    const { Attributes } = await this.table.documents.send(
      new DeleteCommand({ TableName: this.table.name, Key: leaseKey(keyArn), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  /**
   * Writes the lease for `owner` if the key's lease is free (`'free'`: absent, expired, or `owner`'s
   * own) or still held by `previous`, the ended execution being taken over.
   */
  private async put(keyArn: string, owner: string, executionArn: string, previous: 'free' | string) {
    const now = this.table.clock();
    const nowSeconds = epochSeconds(now);
    const expires = nowSeconds + this.seconds;
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...leaseKey(keyArn),
          type: 'lease',
          keyArn,
          owner,
          executionArn,
          expires,
          ttl: expires,
          acquiredAt: now.toISOString(),
        },
        ...(previous === 'free'
          ? {
              ConditionExpression: 'attribute_not_exists(sk) OR #owner = :owner OR #expires < :now',
              ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'expires' },
              ExpressionAttributeValues: { ':owner': owner, ':now': nowSeconds },
            }
          : {
              ConditionExpression: '#owner = :previous',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':previous': previous },
            }),
      }),
    );
    return { owner, expiresAt: new Date(expires * 1000).toISOString() };
  }
}

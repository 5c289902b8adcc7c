import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { LeaseTakenError } from '../errors';
import { epochSeconds, isConditionFailure, type Table } from './table';

export interface Lease {
  readonly owner: string;
  readonly expiresAt: string;
}

/** The LEASE item as stored: its owner and its expiry in epoch seconds. */
export interface StoredLease {
  readonly owner: string;
  readonly expires: number;
}

const leaseKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.lease });

/** One workflow at a time acts on a key's resources: the holder of the key's lease. */
export class Leases {
  constructor(
    private readonly table: Table,
    private readonly seconds: number,
  ) {}

  /**
   * Takes the key's lease for `owner` (an execution name) unless another owner holds an unexpired one.
   * Taking it again as the same owner renews it, so a retried step is harmless. The expiry means a
   * workflow that crashed cannot hold the key forever.
   */
  async acquire(keyArn: string, owner: string): Promise<Lease> {
    const now = this.table.clock();
    const nowSeconds = epochSeconds(now);
    const expires = nowSeconds + this.seconds;
    try {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...leaseKey(keyArn),
            type: 'lease',
            keyArn,
            owner,
            expires,
            ttl: expires,
            acquiredAt: now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(sk) OR #owner = :owner OR #expires < :now',
          ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'expires' },
          ExpressionAttributeValues: { ':owner': owner, ':now': nowSeconds },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const held = await this.read(keyArn);
      const holder = held
        ? `${held.owner} until ${new Date(held.expires * 1000).toISOString()}`
        : 'another workflow';
      throw new LeaseTakenError(`The lease on ${keyArn} is held by ${holder}`);
    }
    return { owner, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** The key's lease as stored, expired or not, if there is one. */
  async read(keyArn: string): Promise<StoredLease | undefined> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: leaseKey(keyArn) }),
    );
    return Item ? { owner: String(Item.owner), expires: Number(Item.expires) } : undefined;
  }

  /** Gives the lease back if `owner` still holds it; returns whether it did. */
  async release(keyArn: string, owner: string): Promise<boolean> {
    try {
      await this.table.documents.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: leaseKey(keyArn),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

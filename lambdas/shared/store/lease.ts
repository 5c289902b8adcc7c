import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../clients/dynamodb';
import { config } from '../config';
import { keyPartition, SORT_KEYS } from '../contract';
import { LeaseTakenError } from '../errors';
import { isConditionFailure } from './table';

export interface Lease {
  readonly owner: string;
  readonly expiresAt: string;
}

/**
 * Takes the key's lease for `owner` (an execution name) unless another owner holds an unexpired one.
 * Taking it again as the same owner renews it, so a retried step is harmless. The expiry means a
 * workflow that crashed cannot hold the key forever.
 */
export async function acquireLease(
  keyArn: string,
  owner: string,
  seconds: number,
  now = new Date(),
): Promise<Lease> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expires = nowSeconds + seconds;
  const key = { pk: keyPartition(keyArn), sk: SORT_KEYS.lease };
  try {
    await documents.send(
      new PutCommand({
        TableName: config.tableName(),
        Item: { ...key, type: 'lease', keyArn, owner, expires, ttl: expires, acquiredAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(sk) OR #owner = :owner OR #expires < :now',
        ExpressionAttributeNames: { '#owner': 'owner', '#expires': 'expires' },
        ExpressionAttributeValues: { ':owner': owner, ':now': nowSeconds },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await documents.send(new GetCommand({ TableName: config.tableName(), Key: key }));
    const holder = Item
      ? `${String(Item.owner)} until ${new Date(Number(Item.expires) * 1000).toISOString()}`
      : 'another workflow';
    throw new LeaseTakenError(`The lease on ${keyArn} is held by ${holder}`);
  }
  return { owner, expiresAt: new Date(expires * 1000).toISOString() };
}

/** Gives the lease back if `owner` still holds it; returns whether it did. */
export async function releaseLease(keyArn: string, owner: string): Promise<boolean> {
  try {
    await documents.send(
      new DeleteCommand({
        TableName: config.tableName(),
        Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.lease },
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

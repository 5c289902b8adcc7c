import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { kindOf } from '../arn';
import { documents } from '../clients/dynamodb';
import { config } from '../config';
import type { Layer, RegisteredResource } from '../model';
import { keyPartition, SORT_KEYS } from './schema';
import { queryPartition } from './table';

/** The resources registered to a key, optionally of one layer, in a stable order. */
export async function listRegistered(keyArn: string, layer?: Layer): Promise<RegisteredResource[]> {
  const items = await queryPartition(keyArn, SORT_KEYS.resourcePrefix);
  return items
    .map(
      (item): RegisteredResource => ({
        keyArn,
        resourceArn: String(item.resourceArn),
        kind: kindOf(String(item.resourceArn)),
        layer: item.layer === 'server' ? 'server' : 'service',
        registeredAt: String(item.registeredAt ?? ''),
      }),
    )
    .filter((resource) => layer === undefined || resource.layer === layer);
}

export async function register(resource: Omit<RegisteredResource, 'kind' | 'registeredAt'>): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: config.tableName(),
      Item: {
        pk: keyPartition(resource.keyArn),
        sk: `${SORT_KEYS.resourcePrefix}${resource.resourceArn}`,
        type: 'resource',
        keyArn: resource.keyArn,
        resourceArn: resource.resourceArn,
        kind: kindOf(resource.resourceArn),
        layer: resource.layer,
        registeredAt: new Date().toISOString(),
      },
    }),
  );
}

export async function unregister(keyArn: string, resourceArn: string): Promise<void> {
  await documents.send(
    new DeleteCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: `${SORT_KEYS.resourcePrefix}${resourceArn}` },
    }),
  );
}

/** The key's own administrators, who get the key's emails beside the platform's operators. */
export async function getAdministrators(keyArn: string): Promise<string[]> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.policy },
    }),
  );
  const administrators = Item?.administrators;
  return Array.isArray(administrators)
    ? administrators.filter((a): a is string => typeof a === 'string')
    : [];
}

export async function setAdministrators(keyArn: string, administrators: readonly string[]): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: config.tableName(),
      Item: { pk: keyPartition(keyArn), sk: SORT_KEYS.policy, type: 'policy', keyArn, administrators },
    }),
  );
}

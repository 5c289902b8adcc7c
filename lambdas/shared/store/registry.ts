import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { kindOf } from '../arn';
import { documents } from '../clients/dynamodb';
import { config } from '../config';
import { keyPartition, LIMITS, SORT_KEYS } from '../contract';
import { InvalidInputError } from '../errors';
import type { Layer, RegisteredResource } from '../model';
import type { KeyPolicy, KeyPolicyChange } from './policy';
import { type Item, queryPartition } from './table';

export type { KeyPolicy, KeyPolicyChange, PolicyAction } from './policy';
export { POLICY_ACTIONS } from './policy';

/** A RESOURCE item as the resource it registers. */
export function toResource(keyArn: string, item: Item): RegisteredResource {
  return {
    keyArn,
    resourceArn: String(item.resourceArn),
    kind: kindOf(String(item.resourceArn)),
    layer: item.layer === 'server' ? 'server' : 'service',
    registeredAt: String(item.registeredAt ?? ''),
  };
}

/** The resources registered to a key, optionally of one layer, in a stable order. */
export async function listRegistered(keyArn: string, layer?: Layer): Promise<RegisteredResource[]> {
  const items = await queryPartition(keyArn, SORT_KEYS.resourcePrefix);
  return items
    .map((item) => toResource(keyArn, item))
    .filter((resource) => layer === undefined || resource.layer === layer);
}

/**
 * Every resource registered to any key, ordered by key then resource. A paginated Scan of the whole
 * table, filtered on `type = resource`: meant for an operator's listing, never for a workflow step.
 */
export async function listAllRegistered(): Promise<RegisteredResource[]> {
  const resources: RegisteredResource[] = [];
  let ExclusiveStartKey: ScanCommandInput['ExclusiveStartKey'];
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: config.tableName(),
        FilterExpression: '#type = :resource',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':resource': 'resource' },
        ExclusiveStartKey,
      }),
    );
    for (const item of (page.Items ?? []) as Item[]) resources.push(toResource(String(item.keyArn), item));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return resources.sort(
    (a, b) => a.keyArn.localeCompare(b.keyArn) || a.resourceArn.localeCompare(b.resourceArn),
  );
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

/** Removes a resource from a key; returns whether it was registered. Its ledger entry, if any, stays. */
export async function unregister(keyArn: string, resourceArn: string): Promise<boolean> {
  const { Attributes } = await documents.send(
    new DeleteCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: `${SORT_KEYS.resourcePrefix}${resourceArn}` },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return Attributes !== undefined;
}

/** A stored grace period, if it is a whole number of seconds within bounds; anything else is ignored. */
function graceSecondsOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof seconds === 'number' &&
    Number.isInteger(seconds) &&
    seconds >= 0 &&
    seconds <= LIMITS.maxGraceSeconds
    ? seconds
    : undefined;
}

/** The key's policy, with the defaults filled in for what it does not say. */
export async function getPolicy(keyArn: string): Promise<KeyPolicy> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.policy },
    }),
  );
  return policyOf(Item);
}

/** A POLICY item (or none) as the key's policy, with the defaults filled in. */
export function policyOf(item: Item | undefined): KeyPolicy {
  const administrators = Array.isArray(item?.administrators)
    ? item.administrators.filter((a): a is string => typeof a === 'string')
    : [];
  const graceSeconds = graceSecondsOf(item?.graceSeconds);
  return {
    administrators,
    ...(graceSeconds === undefined ? {} : { graceSeconds }),
    // Only an explicit alert-only spares the resources: anything else is the safe default, a shutdown.
    action: item?.action === 'alert-only' ? 'alert-only' : 'shutdown',
  };
}

/** Changes the given fields of the key's policy and keeps the others. */
export async function setPolicy(keyArn: string, change: KeyPolicyChange): Promise<void> {
  if (change.graceSeconds !== undefined && graceSecondsOf(change.graceSeconds) === undefined) {
    throw new InvalidInputError(
      `graceSeconds must be a whole number of seconds from 0 to ${LIMITS.maxGraceSeconds}, got ${change.graceSeconds}`,
    );
  }
  const names: Record<string, string> = { '#type': 'type' };
  const values: Record<string, unknown> = { ':type': 'policy', ':keyArn': keyArn };
  const sets = ['#type = :type', 'keyArn = :keyArn'];
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  await documents.send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.policy },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** The key's own administrators, who get the key's emails beside the platform's operators. */
export async function getAdministrators(keyArn: string): Promise<string[]> {
  return [...(await getPolicy(keyArn)).administrators];
}

export async function setAdministrators(keyArn: string, administrators: readonly string[]): Promise<void> {
  await setPolicy(keyArn, { administrators });
}

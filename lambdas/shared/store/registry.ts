import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { kindOf } from '../arn';
import { keyPartition, LIMITS, PATTERNS, SORT_KEYS } from '../contract';
import { InvalidInputError } from '../errors';
import type { Layer, RegisteredResource } from '../model';
import { batchWrite } from './batch-write';
import { type KeyPolicy, type KeyPolicyChange, POLICY_LANGUAGES, type PolicyLanguage } from './policy';
import { type Item, queryPartition, scanTable, type Table } from './table';

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

const isEmailAddress = (value: string): boolean => PATTERNS.emailAddress.test(value);

/**
 * A POLICY item (or none) as the key's policy, with the defaults filled in. A stored address SES would
 * refuse (written before addresses were checked, or by hand) is left out of `administrators`, so that
 * it cannot make SES refuse the others' email, and named in `invalidAdministrators`.
 */
export function policyOf(item: Item | undefined): KeyPolicy {
  const stored = Array.isArray(item?.administrators)
    ? item.administrators.filter((a): a is string => typeof a === 'string')
    : [];
  const invalid = stored.filter((address) => !isEmailAddress(address));
  const graceSeconds = graceSecondsOf(item?.graceSeconds);
  return {
    administrators: stored.filter(isEmailAddress),
    ...(invalid.length > 0 ? { invalidAdministrators: invalid } : {}),
    ...(graceSeconds === undefined ? {} : { graceSeconds }),
    // Only an explicit alert-only spares the resources: anything else is the safe default, a shutdown.
    action: item?.action === 'alert-only' ? 'alert-only' : 'shutdown',
    onAccessDenied: item?.onAccessDenied === 'alert-only' ? 'alert-only' : 'shutdown',
    language: POLICY_LANGUAGES.includes(item?.language as PolicyLanguage)
      ? (item?.language as PolicyLanguage)
      : 'en',
  };
}

const resourceKey = (keyArn: string, resourceArn: string) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.resourcePrefix}${resourceArn}`,
});
const policyKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.policy });

/** Which resources depend on which key, and each key's policy. */
export class Registry {
  constructor(private readonly table: Table) {}

  /** The resources registered to a key, optionally of one layer, in a stable order. */
  async list(keyArn: string, layer?: Layer): Promise<RegisteredResource[]> {
    const items = await queryPartition(this.table, keyArn, SORT_KEYS.resourcePrefix);
    return items
      .map((item) => toResource(keyArn, item))
      .filter((resource) => layer === undefined || resource.layer === layer);
  }

  /**
   * Every resource registered to any key, ordered by key then resource. A paginated Scan of the whole
   * table, filtered on `type = resource`: meant for an operator's listing, never for a workflow step.
   */
  async listAll(): Promise<RegisteredResource[]> {
    const items = await scanTable(this.table, {
      FilterExpression: '#type = :resource',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':resource': 'resource' },
    });
    return items
      .map((item) => toResource(String(item.keyArn), item))
      .sort((a, b) => a.keyArn.localeCompare(b.keyArn) || a.resourceArn.localeCompare(b.resourceArn));
  }

  async register(resource: Omit<RegisteredResource, 'kind' | 'registeredAt'>): Promise<void> {
    await this.table.documents.send(
      new PutCommand({ TableName: this.table.name, Item: this.resourceItem(resource, this.table.clock()) }),
    );
  }

  /**
   * Registers many resources, as `register` does each, in BatchWriteItem calls of 25: what sets up
   * thousands of rows at once (the bench's sweep of 10,000 keys) in hundreds of calls, not thousands.
   * Unconditional, as `register` is.
   */
  async registerAll(resources: readonly Omit<RegisteredResource, 'kind' | 'registeredAt'>[]): Promise<void> {
    const now = this.table.clock();
    // One batch refuses two writes of the same item; the last one given wins, as with `register`.
    const items = new Map(
      resources.map((resource) => [
        `${resource.keyArn}\n${resource.resourceArn}`,
        this.resourceItem(resource, now),
      ]),
    );
    await batchWrite(
      this.table,
      [...items.values()].map((Item) => ({ PutRequest: { Item } })),
    );
  }

  private resourceItem(resource: Omit<RegisteredResource, 'kind' | 'registeredAt'>, now: Date): Item {
    return {
      ...resourceKey(resource.keyArn, resource.resourceArn),
      type: 'resource',
      keyArn: resource.keyArn,
      resourceArn: resource.resourceArn,
      kind: kindOf(resource.resourceArn),
      layer: resource.layer,
      registeredAt: now.toISOString(),
    };
  }

  /** Removes a resource from a key; returns whether it was registered. Its ledger entry, if any, stays. */
  async unregister(keyArn: string, resourceArn: string): Promise<boolean> {
    const { Attributes } = await this.table.documents.send(
      new DeleteCommand({
        TableName: this.table.name,
        Key: resourceKey(keyArn, resourceArn),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }

  /** The key's policy, with the defaults filled in for what it does not say. */
  async policy(keyArn: string): Promise<KeyPolicy> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: policyKey(keyArn) }),
    );
    return policyOf(Item);
  }

  /** Changes the given fields of the key's policy and keeps the others. */
  async setPolicy(keyArn: string, change: KeyPolicyChange): Promise<void> {
    const invalid = change.administrators?.find((address) => !isEmailAddress(address));
    if (invalid !== undefined) {
      throw new InvalidInputError(
        `administrators: "${invalid}" is not an email address SES accepts (name@example.com, without a display name)`,
      );
    }
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
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: policyKey(keyArn),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** The key's own administrators, who get the key's emails beside the platform's operators. */
  async administrators(keyArn: string): Promise<string[]> {
    return [...(await this.policy(keyArn)).administrators];
  }

  async setAdministrators(keyArn: string, administrators: readonly string[]): Promise<void> {
    await this.setPolicy(keyArn, { administrators });
  }
}

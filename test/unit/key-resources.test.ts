import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { kindOf } from '../../lambdas/shared/arn';
import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { defaultLayer, KeyResources, mergeResources } from '../../lambdas/shared/key-resources';
import { logger } from '../../lambdas/shared/observability';
import { RESOURCE_TYPE_FILTERS, TagDirectory } from '../../lambdas/shared/tag-directory';
import { mockedStore } from './mocked-store';

// The merge of a key's tagged resources with its table rows: default layers by kind, a row's layer,
// a tag for another key winning over a row, legacy rows kept; the table mocked at the document client,
// the tags at the SDK.

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
const SERVICE = 'arn:aws:ecs:us-east-1:111122223333:service/shop/web';
const INSTANCE = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0000000000000000a';
const DB = 'arn:aws:rds:us-east-1:111122223333:db:orders';
const LEGACY = 'arn:aws:rds:us-east-1:111122223333:db:legacy';
const STOLEN = 'arn:aws:rds:us-east-1:111122223333:db:billing';

const { documents, store } = mockedStore();
const tagging = new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' });
const autoscaling = new AutoScalingClient({ region: 'us-east-1' });
const taggingMock = mockClient(tagging);
const autoscalingMock = mockClient(autoscaling);
const resources = new KeyResources(store, new TagDirectory({ tagging, autoscaling }));

const tagged = (resourceArn: string, keyArn: string) => ({
  ResourceARN: resourceArn,
  Tags: [{ Key: KEY_ARN_TAG, Value: keyArn }],
});
const row = (keyArn: string, resourceArn: string, layer: 'service' | 'server') => ({
  type: 'resource',
  keyArn,
  resourceArn,
  layer,
  registeredAt: '2026-11-01T00:00:00Z',
});

/**
 * The account's tags: the tagging API answers the key's listing and the account's by their tag filter,
 * and by their resource types, as AWS does.
 */
function tags(byKey: Record<string, readonly string[]>) {
  type Input = { TagFilters?: { Values?: string[] }[]; ResourceTypeFilters?: string[] };
  taggingMock.on(GetResourcesCommand).callsFake((input: Input) => {
    const wanted = input.TagFilters?.[0]?.Values;
    const types = input.ResourceTypeFilters;
    const list = Object.entries(byKey)
      .filter(([keyArn]) => wanted === undefined || wanted.includes(keyArn))
      .flatMap(([keyArn, arns]) => arns.map((arn) => tagged(arn, keyArn)))
      .filter(({ ResourceARN }) => {
        const kind = kindOf(ResourceARN);
        return (
          types === undefined || (kind !== 'autoscaling-group' && types.includes(RESOURCE_TYPE_FILTERS[kind]))
        );
      });
    return { ResourceTagMappingList: list, PaginationToken: '' };
  });
}

beforeEach(() => {
  taggingMock.reset();
  autoscalingMock.reset();
  autoscalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(ScanCommand).resolves({ Items: [] });
});

describe('mergeResources', () => {
  it('puts an ECS service in the service layer and every other kind in the server layer by default', () => {
    expect(defaultLayer('ecs-service')).toBe('service');
    for (const kind of ['ec2-instance', 'rds-instance', 'rds-cluster', 'autoscaling-group'] as const)
      expect(defaultLayer(kind)).toBe('server');
  });

  it("keeps a row's layer for a tagged resource, a legacy row as it is, and ignores a row another key's tag claims", () => {
    const merged = mergeResources(
      KEY,
      [
        { keyArn: KEY, resourceArn: SERVICE, kind: 'ecs-service' },
        { keyArn: KEY, resourceArn: INSTANCE, kind: 'ec2-instance' },
      ],
      [
        { keyArn: KEY, resourceArn: INSTANCE, kind: 'ec2-instance', layer: 'service', registeredAt: 'then' },
        { keyArn: KEY, resourceArn: LEGACY, kind: 'rds-instance', layer: 'server', registeredAt: 'then' },
        { keyArn: KEY, resourceArn: STOLEN, kind: 'rds-instance', layer: 'server', registeredAt: 'then' },
      ],
      (arn) => (arn === STOLEN ? OTHER : undefined),
    );

    expect(merged.resources).toEqual([
      {
        keyArn: KEY,
        resourceArn: INSTANCE,
        kind: 'ec2-instance',
        layer: 'service',
        registeredAt: 'then',
        source: 'tag',
        hasRow: true,
      },
      {
        keyArn: KEY,
        resourceArn: SERVICE,
        kind: 'ecs-service',
        layer: 'service',
        registeredAt: '',
        source: 'tag',
        hasRow: false,
      },
      {
        keyArn: KEY,
        resourceArn: LEGACY,
        kind: 'rds-instance',
        layer: 'server',
        registeredAt: 'then',
        source: 'table',
        hasRow: true,
      },
    ]);
    expect(merged.overridden).toEqual([{ keyArn: KEY, resourceArn: STOLEN, taggedFor: OTHER }]);
  });
});

describe('KeyResources.list', () => {
  it("reads only the key's tags of the layer's kinds, and of a kind a row moves into it", async () => {
    tags({ [KEY]: [SERVICE, DB, INSTANCE] });
    documents.on(QueryCommand).resolves({ Items: [row(KEY, DB, 'service')] });

    const services = await resources.list(KEY, 'service');

    expect(services.map((resource) => [resource.resourceArn, resource.layer])).toEqual([
      [SERVICE, 'service'],
      [DB, 'service'],
    ]);
    // The service layer's kind and the database's, which its row puts in that layer, in one listing; the
    // instances, which cannot be in it, are not asked for, nor the account's tags, nor the groups.
    expect(
      taggingMock.commandCalls(GetResourcesCommand).map((call) => call.args[0].input.ResourceTypeFilters),
    ).toEqual([['ecs:service', 'rds:db']]);
    expect(autoscalingMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
    taggingMock.resetHistory();

    expect((await resources.list(KEY, 'server')).map((resource) => resource.resourceArn)).toEqual([INSTANCE]);
    expect(
      taggingMock.commandCalls(GetResourcesCommand).map((call) => call.args[0].input.ResourceTypeFilters),
    ).toEqual([['ec2:instance', 'rds:db', 'rds:cluster']]);
    // The whole key, for the CLI: every kind in one listing, in ARN order.
    expect((await resources.list(KEY)).map((resource) => resource.resourceArn)).toEqual([
      INSTANCE,
      SERVICE,
      DB,
    ]);
  });

  it('ignores, with a warning, a row of a resource whose tag names another key, and keeps an untagged row', async () => {
    tags({ [KEY]: [SERVICE], [OTHER]: [STOLEN] });
    documents.on(QueryCommand).resolves({ Items: [row(KEY, STOLEN, 'server'), row(KEY, LEGACY, 'server')] });
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    const listed = await resources.list(KEY);

    expect(listed.map((resource) => [resource.resourceArn, resource.source])).toEqual([
      [SERVICE, 'tag'],
      [LEGACY, 'table'],
    ]);
    // The key's listing, then the account's, to learn whose the untagged rows' resources are.
    expect(
      taggingMock.commandCalls(GetResourcesCommand).map((call) => call.args[0].input.TagFilters),
    ).toEqual([[{ Key: KEY_ARN_TAG, Values: [KEY] }], [{ Key: KEY_ARN_TAG }]]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('names another key'), {
      rows: [{ keyArn: KEY, resourceArn: STOLEN, taggedFor: OTHER }],
    });
    warn.mockRestore();
  });
});

const GROUP =
  'arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:0f1e2d3c-0000-4000-8000-000000000001:autoScalingGroupName/web';
const LEGACY_GROUP =
  'arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:4b5a6978-0000-4000-8000-000000000002:autoScalingGroupName/batch';

/** The account's Auto Scaling groups, answered by their tag filter as AWS does. */
function groups(byKey: Record<string, readonly string[]>) {
  type Input = { Filters?: { Name?: string; Values?: string[] }[] };
  autoscalingMock.on(DescribeAutoScalingGroupsCommand).callsFake((input: Input) => {
    const filter = input.Filters?.[0];
    const wanted = filter?.Name === `tag:${KEY_ARN_TAG}` ? filter.Values : undefined;
    return {
      AutoScalingGroups: Object.entries(byKey)
        .filter(([keyArn]) => wanted === undefined || wanted.includes(keyArn))
        .flatMap(([keyArn, arns]) =>
          arns.map((arn) => ({ AutoScalingGroupARN: arn, Tags: [{ Key: KEY_ARN_TAG, Value: keyArn }] })),
        ),
    };
  });
}

describe('KeyResources.list, Auto Scaling groups', () => {
  const groupFilters = () =>
    autoscalingMock.commandCalls(DescribeAutoScalingGroupsCommand).map((call) => call.args[0].input.Filters);

  it("lists the groups once for the server layer, never for the services, and again for the next step's read", async () => {
    tags({ [KEY]: [SERVICE, INSTANCE] });
    groups({ [KEY]: [GROUP], [OTHER]: [LEGACY_GROUP] });

    const services = await resources.list(KEY, 'service');
    const servers = await resources.list(KEY, 'server');
    const again = await resources.list(KEY, 'server');

    expect(services.map((resource) => resource.resourceArn)).toEqual([SERVICE]);
    expect(servers.map((resource) => resource.resourceArn)).toEqual([GROUP, INSTANCE]);
    expect(again).toEqual(servers);
    // None for the services; one per server read, for this key's groups: the tags are the registration,
    // so a read is never answered from an earlier one.
    expect(groupFilters()).toEqual([
      [{ Name: `tag:${KEY_ARN_TAG}`, Values: [KEY] }],
      [{ Name: `tag:${KEY_ARN_TAG}`, Values: [KEY] }],
    ]);
  });

  it("lists the account's groups once when a group's row may be another key's, and answers the key's from it", async () => {
    tags({ [KEY]: [INSTANCE] });
    groups({ [KEY]: [GROUP], [OTHER]: [LEGACY_GROUP] });
    // A row of KEY for a group whose tag names OTHER: whose it is takes the account's groups.
    documents.on(QueryCommand).resolves({
      Items: [{ ...row(KEY, LEGACY_GROUP, 'server'), kind: 'autoscaling-group' }],
    });
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    const servers = await resources.list(KEY, 'server');

    expect(servers.map((resource) => resource.resourceArn)).toEqual([GROUP, INSTANCE]);
    expect(groupFilters()).toEqual([[{ Name: 'tag-key', Values: [KEY_ARN_TAG] }]]);
    jest.restoreAllMocks();
  });

  it('fails the read when the groups cannot be listed: a throttled read never makes the layer look empty', async () => {
    tags({ [KEY]: [INSTANCE] });
    autoscalingMock
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    await expect(resources.list(KEY, 'server')).rejects.toThrow('Rate exceeded');
  });
});

describe('KeyResources.inventory and keysWithResources', () => {
  it('sweeps a key only its tags name, and counts keys with resources from tags and rows alike', async () => {
    tags({ [KEY]: [SERVICE], [OTHER]: [STOLEN] });
    // The table knows one more key, by a legacy row, and a row of KEY for a resource OTHER's tag claims.
    const third = 'arn:aws:kms:us-east-1:111122223333:key/33333333-12ab-34cd-56ef-1234567890ab';
    documents.on(ScanCommand).resolves({ Items: [row(third, LEGACY, 'server'), row(KEY, STOLEN, 'server')] });
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    const inventory = await resources.inventory();

    expect(
      Object.fromEntries(inventory.map((key) => [key.keyArn, key.resources.map((r) => r.resourceArn)])),
    ).toEqual({ [KEY]: [SERVICE], [OTHER]: [STOLEN], [third]: [LEGACY] });
    expect(await resources.keysWithResources()).toBe(3);
    jest.restoreAllMocks();
  });
});

import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { AUTOSCALING_GROUP_TAG, TagDirectory } from '../../lambdas/shared/tag-directory';

// The tag directory with AWS mocked at the SDK: the exact filters sent, pagination of both APIs, the
// instances an Auto Scaling group launched left out, and the calls counted. Against moto it runs in the
// workflow test (test/workflow/tagged-resources.test.ts).

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
const ACCOUNT = 'arn:aws:%s:us-east-1:111122223333';
const arn = (service: string, resource: string) => `${ACCOUNT.replace('%s', service)}:${resource}`;
const INSTANCE = arn('ec2', 'instance/i-0000000000000000a');
const DB = arn('rds', 'db:orders');
const CLUSTER = arn('rds', 'cluster:ledger');
const SERVICE = arn('ecs', 'service/shop/web');
const GROUP = arn(
  'autoscaling',
  'autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/workers',
);

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const autoscaling = mockClient(AutoScalingClient);

const keyTag = (keyArn: string) => [{ Key: KEY_ARN_TAG, Value: keyArn }];
const mapping = (resourceArn: string, keyArn: string, extra: { Key: string; Value: string }[] = []) => ({
  ResourceARN: resourceArn,
  Tags: [...keyTag(keyArn), ...extra],
});

function directory() {
  return new TagDirectory({
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' }),
    autoscaling: new AutoScalingClient({ region: 'us-east-1' }),
  });
}

beforeEach(() => {
  tagging.reset();
  autoscaling.reset();
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
  autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
});

describe('TagDirectory.list', () => {
  it("asks the tagging API for the key's tag on the kinds the reactor drives, and Auto Scaling for its groups", async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [mapping(SERVICE, KEY), mapping(DB, KEY), mapping(INSTANCE, KEY)],
      PaginationToken: '',
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupARN: GROUP, Tags: keyTag(KEY) } as never],
    });

    const listing = await directory().list(KEY);

    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [{ Key: KEY_ARN_TAG, Values: [KEY] }],
      ResourceTypeFilters: ['ecs:service', 'ec2:instance', 'rds:db', 'rds:cluster'],
      ResourcesPerPage: 100,
    });
    expect(autoscaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: `tag:${KEY_ARN_TAG}`, Values: [KEY] }],
      MaxRecords: 100,
    });
    expect(listing.resources).toEqual([
      { keyArn: KEY, resourceArn: GROUP, kind: 'autoscaling-group' },
      { keyArn: KEY, resourceArn: INSTANCE, kind: 'ec2-instance' },
      { keyArn: KEY, resourceArn: SERVICE, kind: 'ecs-service' },
      { keyArn: KEY, resourceArn: DB, kind: 'rds-instance' },
    ]);
    expect(listing.ignored).toEqual([]);
    expect(listing.calls).toBe(2);
  });

  it('follows both paginations to the end and counts every page as a call', async () => {
    // The SDK's paginators reuse one input object across pages, so each page's token is noted as sent.
    const tokens: (string | undefined)[] = [];
    const pages = [
      { ResourceTagMappingList: [mapping(DB, KEY)], PaginationToken: 'page-2' },
      { ResourceTagMappingList: [mapping(CLUSTER, KEY)], PaginationToken: 'page-3' },
      { ResourceTagMappingList: [], PaginationToken: '' },
    ];
    tagging.on(GetResourcesCommand).callsFake((input: { PaginationToken?: string }) => {
      tokens.push(input.PaginationToken);
      return pages[tokens.length - 1];
    });
    const nextTokens: (string | undefined)[] = [];
    const groupPages = [
      { AutoScalingGroups: [], NextToken: 'groups-2' },
      { AutoScalingGroups: [{ AutoScalingGroupARN: GROUP, Tags: keyTag(KEY) } as never] },
    ];
    autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake((input: { NextToken?: string }) => {
      nextTokens.push(input.NextToken);
      return groupPages[nextTokens.length - 1];
    });

    const tags = directory();
    const listing = await tags.list(KEY);

    expect(listing.resources.map((resource) => resource.resourceArn)).toEqual([GROUP, CLUSTER, DB]);
    expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
    expect(nextTokens).toEqual([undefined, 'groups-2']);
    expect(listing.calls).toBe(5);
    expect(tags.calls).toBe(5);
  });

  it('leaves out an instance an Auto Scaling group launched: the group is the unit', async () => {
    const launched = arn('ec2', 'instance/i-0000000000000000b');
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        mapping(INSTANCE, KEY),
        mapping(launched, KEY, [{ Key: AUTOSCALING_GROUP_TAG, Value: 'workers' }]),
      ],
      PaginationToken: '',
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupARN: GROUP, Tags: keyTag(KEY) } as never],
    });

    const listing = await directory().list(KEY);

    expect(listing.resources.map((resource) => resource.resourceArn)).toEqual([GROUP, INSTANCE]);
    expect(listing.ignored).toEqual([]);
  });

  it('ignores, with the reason, an ECS service whose short ARN does not name its cluster', async () => {
    const shortService = arn('ecs', 'service/web');
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [mapping(shortService, KEY), mapping(SERVICE, KEY)],
      PaginationToken: '',
    });

    const listing = await directory().list(KEY);

    expect(listing.resources.map((resource) => resource.resourceArn)).toEqual([SERVICE]);
    expect(listing.ignored).toEqual([
      { resourceArn: shortService, reason: expect.stringContaining('Unsupported resource ARN') },
    ]);
  });
});

describe('TagDirectory.all', () => {
  it('reads every tagged resource once and groups it by key, whatever the number of keys', async () => {
    const otherDb = arn('rds', 'db:billing');
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [mapping(DB, KEY), mapping(otherDb, OTHER)],
        PaginationToken: 'next',
      })
      .resolvesOnce({
        ResourceTagMappingList: [
          mapping(SERVICE, KEY),
          mapping(INSTANCE, 'not-a-key'),
          mapping(arn('ec2', 'instance/i-0000000000000000c'), OTHER, [
            { Key: AUTOSCALING_GROUP_TAG, Value: 'workers' },
          ]),
        ],
        PaginationToken: '',
      });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupARN: GROUP, Tags: keyTag(OTHER) } as never],
    });

    const listing = await directory().all();

    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [{ Key: KEY_ARN_TAG }],
      ResourceTypeFilters: ['ecs:service', 'ec2:instance', 'rds:db', 'rds:cluster'],
    });
    expect(autoscaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag-key', Values: [KEY_ARN_TAG] }],
    });
    expect(Object.fromEntries(listing.byKey)).toEqual({
      [KEY]: [
        { keyArn: KEY, resourceArn: SERVICE, kind: 'ecs-service' },
        { keyArn: KEY, resourceArn: DB, kind: 'rds-instance' },
      ],
      [OTHER]: [
        { keyArn: OTHER, resourceArn: GROUP, kind: 'autoscaling-group' },
        { keyArn: OTHER, resourceArn: otherDb, kind: 'rds-instance' },
      ],
    });
    expect(listing.ignored).toEqual([
      { resourceArn: INSTANCE, reason: `its ${KEY_ARN_TAG} tag is not a KMS key ARN: "not-a-key"` },
    ]);
    expect(listing.calls).toBe(3);
  });
});

import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  DescribeTagsCommand as DescribeGroupTagsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  ECSClient,
  ListTagsForResourceCommand as ListServiceTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { autoScalingGroupNameOf, resourceIdOf } from '../lambdas/shared/arn';
import { type AwsOptions, awsClient } from '../lambdas/shared/aws';
import { KEY_ARN_TAG } from '../lambdas/shared/contract';
import type { ResourceKind } from '../lambdas/shared/model';
import { UsageError } from './errors';

/**
 * The tags that make a resource the reactor's (issue 14, "the tag is the registration"): KEY_ARN_TAG with
 * the key's ARN, which says whose it is, and the managed tag, which the step roles' IAM conditions ask
 * for. Written and removed with the operator's own clients, one call per resource, each kind through its
 * own service's API: the Resource Groups Tagging API's TagResources does not reach Auto Scaling groups,
 * and a group's tags must propagate to the instances it launches.
 */

/** A resource the tagger acts on: its ARN and what kind it is. */
export interface TagTarget {
  readonly resourceArn: string;
  readonly kind: ResourceKind | string;
}

export type Tags = Readonly<Record<string, string>>;

/** The two tags that register `target` to `keyArn`. */
export function registrationTags(keyArn: string, managedTag: { key: string; value: string }): Tags {
  return { [KEY_ARN_TAG]: keyArn, [managedTag.key]: managedTag.value };
}

type Pair = { Key: string; Value: string };
const pairsOf = (tags: Tags): Pair[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Writes, removes and reads tags with the operator's own clients, each client built on first use. */
export class Tagger {
  private rds?: RDSClient;
  private ec2?: EC2Client;
  private ecs?: ECSClient;
  private autoscaling?: AutoScalingClient;

  constructor(private readonly aws: AwsOptions) {}

  async tag(target: TagTarget, tags: Tags): Promise<void> {
    const pairs = pairsOf(tags);
    switch (target.kind) {
      case 'rds-instance':
      case 'rds-cluster':
        await this.rdsClient().send(
          new AddTagsToResourceCommand({ ResourceName: target.resourceArn, Tags: pairs }),
        );
        return;
      case 'ec2-instance':
        await this.ec2Client().send(
          new CreateTagsCommand({ Resources: [resourceIdOf(target.resourceArn)], Tags: pairs }),
        );
        return;
      case 'ecs-service':
        await this.ecsClient().send(
          new TagResourceCommand({
            resourceArn: target.resourceArn,
            tags: pairs.map(({ Key, Value }) => ({ key: Key, value: Value })),
          }),
        );
        return;
      case 'autoscaling-group':
        await this.autoscalingClient().send(
          new CreateOrUpdateTagsCommand({
            // Propagated, so that the instances the group launches later carry them too: the step roles
            // may act on an instance only when it carries the managed tag.
            Tags: pairs.map((pair) => ({ ...pair, ...groupTag(target), PropagateAtLaunch: true })),
          }),
        );
        return;
      default:
        throw unsupported(target, 'tag');
    }
  }

  /** Removes the tags named by `keys`; a tag the resource does not carry is no error. */
  async untag(target: TagTarget, keys: readonly string[]): Promise<void> {
    switch (target.kind) {
      case 'rds-instance':
      case 'rds-cluster':
        await this.rdsClient().send(
          new RemoveTagsFromResourceCommand({ ResourceName: target.resourceArn, TagKeys: [...keys] }),
        );
        return;
      case 'ec2-instance':
        await this.ec2Client().send(
          new DeleteTagsCommand({
            Resources: [resourceIdOf(target.resourceArn)],
            Tags: keys.map((Key) => ({ Key })),
          }),
        );
        return;
      case 'ecs-service':
        await this.ecsClient().send(
          new UntagResourceCommand({ resourceArn: target.resourceArn, tagKeys: [...keys] }),
        );
        return;
      case 'autoscaling-group':
        await this.autoscalingClient().send(
          new DeleteGroupTagsCommand({ Tags: keys.map((Key) => ({ Key, ...groupTag(target) })) }),
        );
        return;
      default:
        throw unsupported(target, 'untag');
    }
  }

  /** The resource's tags as AWS holds them now. */
  async tagsOf(target: TagTarget): Promise<Tags> {
    const entries = await this.read(target);
    return Object.fromEntries(entries.flatMap(({ Key, Value }) => (Key ? [[Key, Value ?? '']] : [])));
  }

  /** The key the resource's KEY_ARN_TAG names, or undefined when it carries none. */
  async keyOf(target: TagTarget): Promise<string | undefined> {
    return (await this.tagsOf(target))[KEY_ARN_TAG];
  }

  private async read(target: TagTarget): Promise<{ Key?: string; Value?: string }[]> {
    switch (target.kind) {
      case 'rds-instance':
      case 'rds-cluster': {
        const { TagList } = await this.rdsClient().send(
          new ListTagsForResourceCommand({ ResourceName: target.resourceArn }),
        );
        return TagList ?? [];
      }
      case 'ec2-instance': {
        const { Tags } = await this.ec2Client().send(
          new DescribeTagsCommand({
            Filters: [{ Name: 'resource-id', Values: [resourceIdOf(target.resourceArn)] }],
          }),
        );
        return Tags ?? [];
      }
      case 'ecs-service': {
        const { tags } = await this.ecsClient().send(
          new ListServiceTagsCommand({ resourceArn: target.resourceArn }),
        );
        return (tags ?? []).map(({ key, value }) => ({ Key: key, Value: value }));
      }
      case 'autoscaling-group': {
        const { Tags } = await this.autoscalingClient().send(
          new DescribeGroupTagsCommand({
            Filters: [{ Name: 'auto-scaling-group', Values: [groupTag(target).ResourceId] }],
          }),
        );
        return Tags ?? [];
      }
      default:
        throw unsupported(target, 'read the tags of');
    }
  }

  private rdsClient(): RDSClient {
    this.rds ??= awsClient(RDSClient, this.aws);
    return this.rds;
  }
  private ec2Client(): EC2Client {
    this.ec2 ??= awsClient(EC2Client, this.aws);
    return this.ec2;
  }
  private ecsClient(): ECSClient {
    this.ecs ??= awsClient(ECSClient, this.aws);
    return this.ecs;
  }
  private autoscalingClient(): AutoScalingClient {
    this.autoscaling ??= awsClient(AutoScalingClient, this.aws);
    return this.autoscaling;
  }
}

function groupTag(target: TagTarget): { ResourceId: string; ResourceType: 'auto-scaling-group' } {
  const name = autoScalingGroupNameOf(target.resourceArn) ?? resourceIdOf(target.resourceArn);
  return { ResourceId: name, ResourceType: 'auto-scaling-group' };
}

function unsupported(target: TagTarget, what: string): UsageError {
  return new UsageError(`the reactor cannot ${what} a ${target.kind}: ${target.resourceArn}`);
}

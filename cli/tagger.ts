import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
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

/** A resource whose tags were asked for does not exist (its name ends in NotFound, as AWS's do). */
export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
  constructor(readonly resourceArn: string) {
    super(`${resourceArn} does not exist`);
  }
}

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
        // Propagation reaches only instances launched from now on; the key role stops and starts the
        // group's running instances too, and IAM lets it only on instances that carry the key tag.
        await this.onGroupInstances(target, (Resources) =>
          this.ec2Client().send(new CreateTagsCommand({ Resources, Tags: pairs })),
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
        await this.onGroupInstances(target, (Resources) =>
          this.ec2Client().send(new DeleteTagsCommand({ Resources, Tags: keys.map((Key) => ({ Key })) })),
        );
        return;
      default:
        throw unsupported(target, 'untag');
    }
  }

  /** Calls `act` with the IDs of the group's current instances, when it has any. */
  private async onGroupInstances(
    target: TagTarget,
    act: (instanceIds: string[]) => Promise<unknown>,
  ): Promise<void> {
    const { AutoScalingGroups } = await this.autoscalingClient().send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupTag(target).ResourceId] }),
    );
    const instanceIds = (AutoScalingGroups?.[0]?.Instances ?? []).flatMap((i) =>
      i.InstanceId ? [i.InstanceId] : [],
    );
    if (instanceIds.length > 0) await act(instanceIds);
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
        // DescribeInstances, not DescribeTags: a missing instance is InvalidInstanceID.NotFound, where
        // DescribeTags answers "no tags", and CreateTags on moto tags an ID that names nothing.
        const { Reservations } = await this.ec2Client().send(
          new DescribeInstancesCommand({ InstanceIds: [resourceIdOf(target.resourceArn)] }),
        );
        return Reservations?.[0]?.Instances?.[0]?.Tags ?? [];
      }
      case 'ecs-service': {
        const { tags } = await this.ecsClient().send(
          new ListServiceTagsCommand({ resourceArn: target.resourceArn }),
        );
        return (tags ?? []).map(({ key, value }) => ({ Key: key, Value: value }));
      }
      case 'autoscaling-group': {
        const name = groupTag(target).ResourceId;
        const { AutoScalingGroups } = await this.autoscalingClient().send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
        );
        const group = AutoScalingGroups?.[0];
        if (group === undefined) throw new ResourceNotFoundError(target.resourceArn);
        return group.Tags ?? [];
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

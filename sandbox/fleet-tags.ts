import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { AddTagsToResourceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-rds';
import { autoScalingGroupNameOf, kindOf, resourceIdOf } from '../lambdas/shared/arn';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG, type ManagedTag } from '../lambdas/shared/contract';
import type { AwsClients } from './world';

/**
 * Tags in the sandbox's world, as the platform's own provisioning would write them: the tag is the
 * registration (issue 14), so a resource becomes a key's by carrying KEY_ARN_TAG = the key's ARN and
 * the managed tag. The world's own clients, never recorded, never faulted. The tagging API's
 * TagResources would be one call for all kinds on AWS, but moto's covers none of these four services.
 */

/** Every tag that makes a resource the reactor's for `keyArn`. */
export function reactorTags(
  keyArn: string,
  managedTag: ManagedTag = DEFAULT_MANAGED_TAG,
): Record<string, string> {
  return { [KEY_ARN_TAG]: keyArn, [managedTag.key]: managedTag.value };
}

/** Adds (or overwrites) `tags` on the resource, with the API of its kind. */
export async function tagResource(
  clients: AwsClients,
  resourceArn: string,
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  const pairs = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  switch (kindOf(resourceArn)) {
    case 'ecs-service':
      await clients.ecs.send(
        new TagResourceCommand({
          resourceArn,
          tags: pairs.map(({ Key, Value }) => ({ key: Key, value: Value })),
        }),
      );
      return;
    case 'ec2-instance':
      await clients.ec2.send(new CreateTagsCommand({ Resources: [resourceIdOf(resourceArn)], Tags: pairs }));
      return;
    case 'rds-instance':
    case 'rds-cluster':
      await clients.rds.send(new AddTagsToResourceCommand({ ResourceName: resourceArn, Tags: pairs }));
      return;
    case 'autoscaling-group':
      await clients.autoscaling.send(
        new CreateOrUpdateTagsCommand({
          // Propagated, as the reactor's IAM policy needs of the instances the group launches.
          Tags: pairs.map((pair) => ({
            ...pair,
            ResourceId: groupName(resourceArn),
            ResourceType: 'auto-scaling-group',
            PropagateAtLaunch: true,
          })),
        }),
      );
      // Propagation reaches only instances launched later: the running ones are tagged too, as the
      // key role's IAM needs of the instances it stops and starts.
      await onGroupInstances(clients, resourceArn, (Resources) =>
        clients.ec2.send(new CreateTagsCommand({ Resources, Tags: pairs })),
      );
      return;
  }
}

/** Removes the tags named `keys` from the resource, with the API of its kind. */
export async function untagResource(
  clients: AwsClients,
  resourceArn: string,
  keys: readonly string[],
): Promise<void> {
  switch (kindOf(resourceArn)) {
    case 'ecs-service':
      await clients.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: [...keys] }));
      return;
    case 'ec2-instance':
      await clients.ec2.send(
        new DeleteTagsCommand({ Resources: [resourceIdOf(resourceArn)], Tags: keys.map((Key) => ({ Key })) }),
      );
      return;
    case 'rds-instance':
    case 'rds-cluster':
      await clients.rds.send(
        new RemoveTagsFromResourceCommand({ ResourceName: resourceArn, TagKeys: [...keys] }),
      );
      return;
    case 'autoscaling-group':
      await clients.autoscaling.send(
        new DeleteGroupTagsCommand({
          Tags: keys.map((Key) => ({
            ResourceId: groupName(resourceArn),
            ResourceType: 'auto-scaling-group',
            Key,
          })),
        }),
      );
      await onGroupInstances(clients, resourceArn, (Resources) =>
        clients.ec2.send(new DeleteTagsCommand({ Resources, Tags: keys.map((Key) => ({ Key })) })),
      );
      return;
  }
}

async function onGroupInstances(
  clients: AwsClients,
  resourceArn: string,
  act: (instanceIds: string[]) => Promise<unknown>,
): Promise<void> {
  const { AutoScalingGroups } = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName(resourceArn)] }),
  );
  const instanceIds = (AutoScalingGroups?.[0]?.Instances ?? []).flatMap((i) =>
    i.InstanceId ? [i.InstanceId] : [],
  );
  if (instanceIds.length > 0) await act(instanceIds);
}

function groupName(resourceArn: string): string {
  return autoScalingGroupNameOf(resourceArn) ?? resourceIdOf(resourceArn);
}

import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { KeyResources } from '../../lambdas/shared/key-resources';
import type { Store } from '../../lambdas/shared/store';
import { TagDirectory } from '../../lambdas/shared/tag-directory';

/**
 * A key's resources in an account where nothing carries the key tag: the table's rows alone, as before
 * the tag was the registration. For the unit tests of what lists resources (emails, sweep) whose subject
 * is not the tags; the clients are mocked on their instances, so no other test sees these answers.
 */
export function untaggedResources(store: Store): KeyResources {
  const tagging = new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' });
  const autoscaling = new AutoScalingClient({ region: 'us-east-1' });
  mockClient(tagging).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
  mockClient(autoscaling).on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  return new KeyResources(store, new TagDirectory({ tagging, autoscaling }));
}

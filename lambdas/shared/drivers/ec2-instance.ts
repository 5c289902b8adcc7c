import {
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { kindOf, resourceIdOf } from '../arn';

import { chunk } from '../concurrency';
import { UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import type { Driver, ManagedTag, RestoreTarget } from './driver';

/** IDs per DescribeInstances filter: a conservative batch, inside EC2's cap on filter values per request. */
const DESCRIBE_BATCH = 200;
/** Kept at 100 IDs per StopInstances/StartInstances call so one request stays well inside EC2's limits. */
const CHANGE_BATCH = 100;

function instanceIdOf(resourceArn: string): string {
  const kind = kindOf(resourceArn);
  if (kind !== 'ec2-instance') {
    throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an ec2-instance`);
  }
  return resourceIdOf(resourceArn);
}

/**
 * EC2 instances. Stop and start take many instances in one call, so a key with a hundred servers
 * costs one StopInstances, not a hundred.
 */
export class Ec2InstanceDriver implements Driver {
  readonly kind = 'ec2-instance' as const;

  constructor(
    private readonly tag: ManagedTag,
    private readonly client: EC2Client,
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const ids = resourceArns.map(instanceIdOf);
    const found = new Map<string, Instance>();
    for (const batch of chunk([...new Set(ids)], DESCRIBE_BATCH)) {
      // A filter, not InstanceIds: InstanceIds fails the whole call when one instance no longer exists,
      // where the filter just leaves it out of the answer.
      const pages = paginateDescribeInstances(
        { client: this.client },
        { Filters: [{ Name: 'instance-id', Values: batch }] },
      );
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (instance.InstanceId) found.set(instance.InstanceId, instance);
          }
        }
      }
    }
    return resourceArns.map((resourceArn, index) => {
      const instance = found.get(ids[index] as string);
      return this.observe(resourceArn, instance);
    });
  }

  async stop(resourceArns: readonly string[]): Promise<void> {
    const ids = [...new Set(resourceArns.map(instanceIdOf))];
    // Sequential on purpose: one call per hundred instances is already few, and a failure stops the rest
    // so the workflow's retry starts from a fresh status rather than from half-sent batches.
    for (const batch of chunk(ids, CHANGE_BATCH)) {
      // Never Force (skips the OS shutdown, risking file-system damage) and never Hibernate.
      await this.client.send(new StopInstancesCommand({ InstanceIds: batch }));
    }
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    const ids = [...new Set(targets.map((target) => instanceIdOf(target.resourceArn)))];
    for (const batch of chunk(ids, CHANGE_BATCH)) {
      await this.client.send(new StartInstancesCommand({ InstanceIds: batch }));
    }
  }

  private observe(resourceArn: string, instance: Instance | undefined): Observation {
    const word = instance?.State?.Name;
    // A terminated instance stays visible for about an hour; for the reactor it is gone.
    if (!instance || !word || word === 'terminated' || word === 'shutting-down') {
      return { resourceArn, state: 'not-found', detail: word ?? 'not found' };
    }
    const managed = (instance.Tags ?? []).some((t) => t.Key === this.tag.key && t.Value === this.tag.value);
    if (!managed) return { resourceArn, state: 'not-managed', detail: word };
    switch (word) {
      case 'running':
        // EC2 refuses to stop an instance-store-backed instance, and one such ID fails the whole batch.
        if (instance.RootDeviceType === 'instance-store') {
          return {
            resourceArn,
            state: 'running',
            detail: 'running (instance-store root, cannot be stopped)',
          };
        }
        return { resourceArn, state: 'running', detail: word, restore: {} };
      case 'stopped':
        return { resourceArn, state: 'stopped', detail: word };
      default:
        return { resourceArn, state: 'transitioning', detail: word };
    }
  }
}

import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { kindOf, resourceIdOf } from '../arn';
import type { ManagedTag } from '../contract';
import { UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import { type Driver, hasManagedTag, keyTagOf, type Observed, type RestoreTarget } from './driver';
import { describeInstances, startInstances, stopInstances } from './ec2-calls';

function instanceIdOf(resourceArn: string): string {
  const kind = kindOf(resourceArn);
  if (kind !== 'ec2-instance') {
    throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an ec2-instance`);
  }
  return resourceIdOf(resourceArn);
}

/**
 * EC2 instances. Stop and start take many instances in one call, so a key with a hundred servers
 * costs one StopInstances, not a hundred. The instance ID is all the verbs need, and the ARN holds it,
 * so the observations carry no facts.
 */
export class Ec2InstanceDriver implements Driver {
  readonly kind = 'ec2-instance' as const;

  /** `actor` makes the stop and start calls (a key role session); `client` reads. */
  constructor(
    private readonly tag: ManagedTag,
    private readonly client: EC2Client,
    private readonly actor: EC2Client = client,
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const ids = resourceArns.map(instanceIdOf);
    const found = await describeInstances(this.client, ids);
    return resourceArns.map((resourceArn, index) => {
      const instance = found.get(ids[index] as string);
      return { ...this.observe(resourceArn, instance), ...keyTagOf(instance?.Tags) };
    });
  }

  async stop(observations: readonly Observed[]): Promise<void> {
    await stopInstances(
      this.actor,
      observations.map((observation) => instanceIdOf(observation.resourceArn)),
    );
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    await startInstances(
      this.actor,
      targets.map((target) => instanceIdOf(target.observation.resourceArn)),
    );
  }

  private observe(resourceArn: string, instance: Instance | undefined): Observation {
    const word = instance?.State?.Name;
    // A terminated instance stays visible for about an hour; for the reactor it is gone.
    if (!instance || !word || word === 'terminated' || word === 'shutting-down') {
      return { resourceArn, state: 'not-found', detail: word ?? 'not found' };
    }
    if (!hasManagedTag(instance.Tags, this.tag)) return { resourceArn, state: 'not-managed', detail: word };
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

import {
  DescribeInstancesCommand,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { kindOf, parseArn, resourceIdOf } from '../lambdas/shared/arn';
import { ec2 } from '../lambdas/shared/clients/ec2';
import { ecs } from '../lambdas/shared/clients/ecs';
import { rds } from '../lambdas/shared/clients/rds';
import type { RegisteredResource } from '../lambdas/shared/model';
import { listRegistered } from '../lambdas/shared/store/registry';

/**
 * The naive baseline the reactor is measured against: the per-resource loop a first Lambda would run.
 * For each registered resource, one at a time: describe it, stop it, then poll it until it has
 * stopped (and the reverse to start). It uses the reactor's own SDK clients, so the same call log
 * counts its calls, and it is given every advantage: no lease, no ledger in DynamoDB (the desired
 * counts stay in memory), no emails, no key check, and no wait before the first poll.
 */

export interface BaselineOptions {
  /** Between two polls of a resource that has not reached its target yet. */
  readonly pollMs: number;
  /** Polls per resource before giving up. @default 60 */
  readonly maxPolls?: number;
}

/** What the disable loop remembered for the enable loop: each ECS service's desired count. */
export type BaselineMemory = Map<string, number>;

export class BaselineTimeoutError extends Error {
  constructor(resourceArn: string, target: string) {
    super(`${resourceArn} did not reach ${target} in time`);
    this.name = 'BaselineTimeoutError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pollUntil(
  resourceArn: string,
  target: string,
  options: BaselineOptions,
  reached: () => Promise<boolean>,
): Promise<void> {
  for (let poll = 0; poll < (options.maxPolls ?? 60); poll++) {
    if (poll > 0) await sleep(options.pollMs);
    if (await reached()) return;
  }
  throw new BaselineTimeoutError(resourceArn, target);
}

function serviceRef(resourceArn: string): { cluster: string; service: string } {
  const parts = parseArn(resourceArn);
  const [, cluster = '', service = ''] = (parts?.resource ?? '').split('/');
  return { cluster, service };
}

async function describeService(resourceArn: string): Promise<Service | undefined> {
  const { cluster } = serviceRef(resourceArn);
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [resourceArn] }));
  return services?.[0];
}

async function describeInstance(resourceArn: string): Promise<Instance | undefined> {
  const { Reservations } = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [resourceIdOf(resourceArn)] }),
  );
  return Reservations?.[0]?.Instances?.[0];
}

async function describeDatabase(resourceArn: string): Promise<DBInstance | undefined> {
  const { DBInstances } = await rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: resourceIdOf(resourceArn) }),
  );
  return DBInstances?.[0];
}

async function stopOne(resource: RegisteredResource, memory: BaselineMemory, options: BaselineOptions) {
  const { resourceArn } = resource;
  switch (kindOf(resourceArn)) {
    case 'ecs-service': {
      const service = await describeService(resourceArn);
      if (!service || (service.desiredCount ?? 0) === 0) return;
      memory.set(resourceArn, service.desiredCount ?? 0);
      await ecs.send(new UpdateServiceCommand({ ...serviceRef(resourceArn), desiredCount: 0 }));
      await pollUntil(resourceArn, 'stopped', options, async () => {
        const now = await describeService(resourceArn);
        return (now?.runningCount ?? 0) === 0 && (now?.pendingCount ?? 0) === 0;
      });
      return;
    }
    case 'ec2-instance': {
      const instance = await describeInstance(resourceArn);
      if (instance?.State?.Name !== 'running') return;
      await ec2.send(new StopInstancesCommand({ InstanceIds: [resourceIdOf(resourceArn)] }));
      await pollUntil(
        resourceArn,
        'stopped',
        options,
        async () => (await describeInstance(resourceArn))?.State?.Name === 'stopped',
      );
      return;
    }
    case 'rds-instance': {
      const database = await describeDatabase(resourceArn);
      if (database?.DBInstanceStatus !== 'available') return;
      await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: resourceIdOf(resourceArn) }));
      await pollUntil(
        resourceArn,
        'stopped',
        options,
        async () => (await describeDatabase(resourceArn))?.DBInstanceStatus === 'stopped',
      );
      return;
    }
    default:
      throw new Error(`The baseline does not handle ${resourceArn}`);
  }
}

async function startOne(resource: RegisteredResource, memory: BaselineMemory, options: BaselineOptions) {
  const { resourceArn } = resource;
  switch (kindOf(resourceArn)) {
    case 'ecs-service': {
      const desiredCount = memory.get(resourceArn);
      const service = await describeService(resourceArn);
      if (desiredCount === undefined || !service || (service.desiredCount ?? 0) > 0) return;
      await ecs.send(new UpdateServiceCommand({ ...serviceRef(resourceArn), desiredCount }));
      await pollUntil(
        resourceArn,
        'running',
        options,
        async () => ((await describeService(resourceArn))?.runningCount ?? 0) >= desiredCount,
      );
      return;
    }
    case 'ec2-instance': {
      const instance = await describeInstance(resourceArn);
      if (instance?.State?.Name !== 'stopped') return;
      await ec2.send(new StartInstancesCommand({ InstanceIds: [resourceIdOf(resourceArn)] }));
      await pollUntil(
        resourceArn,
        'running',
        options,
        async () => (await describeInstance(resourceArn))?.State?.Name === 'running',
      );
      return;
    }
    case 'rds-instance': {
      const database = await describeDatabase(resourceArn);
      if (database?.DBInstanceStatus !== 'stopped') return;
      await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: resourceIdOf(resourceArn) }));
      await pollUntil(
        resourceArn,
        'running',
        options,
        async () => (await describeDatabase(resourceArn))?.DBInstanceStatus === 'available',
      );
      return;
    }
    default:
      throw new Error(`The baseline does not handle ${resourceArn}`);
  }
}

/** Services first, then servers, one resource at a time. Returns what the enable loop needs. */
export async function naiveDisable(keyArn: string, options: BaselineOptions): Promise<BaselineMemory> {
  const resources = await listRegistered(keyArn);
  const memory: BaselineMemory = new Map();
  for (const layer of ['service', 'server'] as const) {
    for (const resource of resources.filter((r) => r.layer === layer))
      await stopOne(resource, memory, options);
  }
  return memory;
}

/** Servers first, then services, one resource at a time. */
export async function naiveEnable(
  keyArn: string,
  memory: BaselineMemory,
  options: BaselineOptions,
): Promise<void> {
  const resources = await listRegistered(keyArn);
  for (const layer of ['server', 'service'] as const) {
    for (const resource of resources.filter((r) => r.layer === layer))
      await startOne(resource, memory, options);
  }
}

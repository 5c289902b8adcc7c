import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstancesCommand,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { kindOf, parseArn, resourceIdOf } from '../lambdas/shared/arn';
import type { RegisteredResource } from '../lambdas/shared/model';
import type { Registry } from '../lambdas/shared/store/registry';
import { type BaselineAwsOptions, baselineClient } from './baseline-retry';

/**
 * The naive baseline the reactor is measured against: the per-resource loop a first Lambda would run.
 * For each registered resource, one at a time: describe it, stop it, then poll it until it has
 * stopped (and the reverse to start). Its clients are built with the reactor's AWS options, so the
 * same call log and timer count its calls, and it is given every advantage: no lease, no ledger in
 * DynamoDB (the desired counts stay in memory), no emails, no key check, and no wait before the first poll.
 * Like the batched script, it retries throttled calls until the bucket refills and fails fast on any
 * other error (baseline-retry.ts): naive in its loop, not in its SDK settings.
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

type Direction = 'stop' | 'start';

/** A kind the loop moves with one call between two states: EC2 and RDS instances. */
interface Switch {
  readonly state: (resourceArn: string) => Promise<string | undefined>;
  readonly running: string;
  readonly stopped: string;
  readonly send: (direction: Direction, resourceArn: string) => Promise<unknown>;
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

export class NaiveBaseline {
  private readonly ecs: ECSClient;
  /** Closed by `destroy`, so the bench leaves no sockets open behind it. */
  private readonly clients: { destroy: () => void }[];
  private readonly switches: Readonly<Record<string, Switch>>;

  /** `registry` is the reactor's: the loop reads what is registered to the key as the reactor does. */
  constructor(
    aws: BaselineAwsOptions,
    private readonly registry: Pick<Registry, 'list'>,
  ) {
    this.ecs = baselineClient(ECSClient, aws);
    const ec2 = baselineClient(EC2Client, aws);
    const rds = baselineClient(RDSClient, aws);
    this.clients = [this.ecs, ec2, rds];
    this.switches = {
      'ec2-instance': {
        state: async (resourceArn) => {
          const { Reservations } = await ec2.send(
            new DescribeInstancesCommand({ InstanceIds: [resourceIdOf(resourceArn)] }),
          );
          return Reservations?.[0]?.Instances?.[0]?.State?.Name;
        },
        running: 'running',
        stopped: 'stopped',
        send: (direction, resourceArn) => {
          const input = { InstanceIds: [resourceIdOf(resourceArn)] };
          return ec2.send(
            direction === 'stop' ? new StopInstancesCommand(input) : new StartInstancesCommand(input),
          );
        },
      },
      'rds-instance': {
        state: async (resourceArn) => {
          const { DBInstances } = await rds.send(
            new DescribeDBInstancesCommand({ DBInstanceIdentifier: resourceIdOf(resourceArn) }),
          );
          return DBInstances?.[0]?.DBInstanceStatus;
        },
        running: 'available',
        stopped: 'stopped',
        send: (direction, resourceArn) => {
          const input = { DBInstanceIdentifier: resourceIdOf(resourceArn) };
          return rds.send(
            direction === 'stop' ? new StopDBInstanceCommand(input) : new StartDBInstanceCommand(input),
          );
        },
      },
    };
  }

  destroy(): void {
    for (const client of this.clients) client.destroy();
  }

  /** Services first, then servers, one resource at a time. Returns what the enable loop needs. */
  async disable(keyArn: string, options: BaselineOptions): Promise<BaselineMemory> {
    const resources = await this.registry.list(keyArn);
    const memory: BaselineMemory = new Map();
    for (const layer of ['service', 'server'] as const) {
      for (const resource of resources.filter((r) => r.layer === layer))
        await this.move('stop', resource, memory, options);
    }
    return memory;
  }

  /** Servers first, then services, one resource at a time. */
  async enable(keyArn: string, memory: BaselineMemory, options: BaselineOptions): Promise<void> {
    const resources = await this.registry.list(keyArn);
    for (const layer of ['server', 'service'] as const) {
      for (const resource of resources.filter((r) => r.layer === layer))
        await this.move('start', resource, memory, options);
    }
  }

  private async move(
    direction: Direction,
    { resourceArn }: RegisteredResource,
    memory: BaselineMemory,
    options: BaselineOptions,
  ): Promise<void> {
    const kind = kindOf(resourceArn);
    if (kind === 'ecs-service') {
      return direction === 'stop'
        ? this.stopService(resourceArn, memory, options)
        : this.startService(resourceArn, memory, options);
    }
    const kindSwitch = this.switches[kind];
    if (!kindSwitch) throw new Error(`The baseline does not handle ${resourceArn}`);
    const [from, to] =
      direction === 'stop'
        ? [kindSwitch.running, kindSwitch.stopped]
        : [kindSwitch.stopped, kindSwitch.running];
    if ((await kindSwitch.state(resourceArn)) !== from) return;
    await kindSwitch.send(direction, resourceArn);
    await pollUntil(
      resourceArn,
      direction === 'stop' ? 'stopped' : 'running',
      options,
      async () => (await kindSwitch.state(resourceArn)) === to,
    );
  }

  private async describeService(resourceArn: string): Promise<Service | undefined> {
    const { cluster } = serviceRef(resourceArn);
    const { services } = await this.ecs.send(
      new DescribeServicesCommand({ cluster, services: [resourceArn] }),
    );
    return services?.[0];
  }

  private async stopService(resourceArn: string, memory: BaselineMemory, options: BaselineOptions) {
    const service = await this.describeService(resourceArn);
    if (!service || (service.desiredCount ?? 0) === 0) return;
    memory.set(resourceArn, service.desiredCount ?? 0);
    await this.ecs.send(new UpdateServiceCommand({ ...serviceRef(resourceArn), desiredCount: 0 }));
    await pollUntil(resourceArn, 'stopped', options, async () => {
      const now = await this.describeService(resourceArn);
      return (now?.runningCount ?? 0) === 0 && (now?.pendingCount ?? 0) === 0;
    });
  }

  private async startService(resourceArn: string, memory: BaselineMemory, options: BaselineOptions) {
    const desiredCount = memory.get(resourceArn);
    const service = await this.describeService(resourceArn);
    if (desiredCount === undefined || !service || (service.desiredCount ?? 0) > 0) return;
    await this.ecs.send(new UpdateServiceCommand({ ...serviceRef(resourceArn), desiredCount }));
    await pollUntil(
      resourceArn,
      'running',
      options,
      async () => ((await this.describeService(resourceArn))?.runningCount ?? 0) >= desiredCount,
    );
  }
}

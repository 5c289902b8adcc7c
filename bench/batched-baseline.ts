import { EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { RDSClient, StartDBInstanceCommand, StopDBInstanceCommand } from '@aws-sdk/client-rds';
import {
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { kindOf, parseArn, resourceIdOf } from '../lambdas/shared/arn';
import { chunk, mapWithConcurrency } from '../lambdas/shared/concurrency';
import { KEY_ARN_TAG } from '../lambdas/shared/contract';
import type { BaselineMemory, BaselineOptions } from './baseline';
import { type BaselineAwsOptions, baselineClient } from './baseline-retry';
import { FleetStates, type Phase, type ResourceState } from './fleet-state';

/**
 * The fair baseline: what a well-written script would do for one key, in one invocation, with no
 * lease, no ledger, no email and no key check.
 *
 * - It finds the key's resources by their `key-reactor:key-arn` tag with the Resource Groups Tagging
 *   API (GetResources, 100 a page), because that is how the reactor finds them since the tag became the
 *   registration (issue 14): both sides pay the same discovery, and the comparison is about acting.
 * - It stops and starts EC2 instances up to 1,000 IDs a call, RDS instances and ECS services one call
 *   each but 10 in flight, and polls with batched describes (fleet-state.ts) every `pollMs`.
 * - The desired counts of the services stay in memory between disable and enable.
 * - Its clients retry throttled calls until the service's bucket has refilled (capped exponential backoff
 *   with full jitter, for as long as it polls) and fail fast on any other error (baseline-retry.ts): a
 *   script that gave up after the SDK's 3 attempts would not finish at N = 10,000. They carry the bench's
 *   instruments.
 */

/** IDs per StopInstances / StartInstances call: the most a script would put in one request. */
export const CHANGE_BATCH = 1000;
/** RDS and ECS calls in flight at once: bounded, as a script that respects the APIs' rates would. */
export const CONCURRENCY = 10;
/** The kinds the tagging API is asked for: those the bench's fleets have. */
const RESOURCE_TYPES = ['ec2:instance', 'rds:db', 'ecs:service'];

export class BatchedBaselineTimeoutError extends Error {
  constructor(keyArn: string, target: string, left: number) {
    super(`${left} resource(s) of ${keyArn} did not reach ${target} in time`);
    this.name = 'BatchedBaselineTimeoutError';
  }
}

type Direction = 'stop' | 'start';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function serviceRef(resourceArn: string): { cluster: string; service: string } {
  const [, cluster = '', service = ''] = (parseArn(resourceArn)?.resource ?? '').split('/');
  return { cluster, service };
}

export class BatchedBaseline {
  private readonly ec2: EC2Client;
  private readonly rds: RDSClient;
  private readonly ecs: ECSClient;
  private readonly tagging: ResourceGroupsTaggingAPIClient;
  private readonly states: FleetStates;

  constructor(aws: BaselineAwsOptions) {
    this.ec2 = baselineClient(EC2Client, aws);
    this.rds = baselineClient(RDSClient, aws);
    this.ecs = baselineClient(ECSClient, aws);
    this.tagging = baselineClient(ResourceGroupsTaggingAPIClient, aws);
    this.states = new FleetStates({ ec2: this.ec2, rds: this.rds, ecs: this.ecs });
  }

  /** Closes the clients' sockets, so the bench leaves none open behind it. */
  destroy(): void {
    for (const client of [this.ec2, this.rds, this.ecs, this.tagging]) client.destroy();
  }

  /** The ARNs tagged for the key, by the tagging API. */
  async find(keyArn: string): Promise<string[]> {
    const found: string[] = [];
    const pages = paginateGetResources(
      { client: this.tagging, pageSize: 100 },
      { TagFilters: [{ Key: KEY_ARN_TAG, Values: [keyArn] }], ResourceTypeFilters: RESOURCE_TYPES },
    );
    for await (const page of pages) {
      for (const mapping of page.ResourceTagMappingList ?? [])
        if (mapping.ResourceARN) found.push(mapping.ResourceARN);
    }
    return found;
  }

  /** Services first (to 0, remembering their counts), then EC2 and RDS together. */
  async disable(keyArn: string, options: BaselineOptions): Promise<BaselineMemory> {
    const resources = await this.find(keyArn);
    const services = resources.filter((arn) => kindOf(arn) === 'ecs-service');
    const servers = resources.filter((arn) => kindOf(arn) !== 'ecs-service');
    const memory: BaselineMemory = new Map();

    const serviceStates = await this.states.of(services);
    const toStop = [...serviceStates].filter(([, state]) => (state.desiredCount ?? 0) > 0);
    for (const [arn, state] of toStop) memory.set(arn, state.desiredCount ?? 0);
    await mapWithConcurrency(toStop, CONCURRENCY, ([arn]) =>
      this.ecs.send(new UpdateServiceCommand({ ...serviceRef(arn), desiredCount: 0 })),
    );
    await this.pollUntil(keyArn, services, 'stopped', options);

    await this.move('stop', await this.states.of(servers));
    await this.pollUntil(keyArn, servers, 'stopped', options);
    return memory;
  }

  /** EC2 and RDS together, then the services back to their remembered counts. */
  async enable(keyArn: string, memory: BaselineMemory, options: BaselineOptions): Promise<void> {
    const resources = await this.find(keyArn);
    const services = resources.filter((arn) => kindOf(arn) === 'ecs-service' && memory.has(arn));
    const servers = resources.filter((arn) => kindOf(arn) !== 'ecs-service');

    await this.move('start', await this.states.of(servers));
    await this.pollUntil(keyArn, servers, 'running', options);

    const serviceStates = await this.states.of(services);
    const toStart = [...serviceStates].filter(([, state]) => (state.desiredCount ?? 0) === 0);
    await mapWithConcurrency(toStart, CONCURRENCY, ([arn]) =>
      this.ecs.send(new UpdateServiceCommand({ ...serviceRef(arn), desiredCount: memory.get(arn) ?? 0 })),
    );
    await this.pollUntil(keyArn, services, 'running', options);
  }

  /** Sends the stop or start calls for the servers not already where the direction leads. */
  private async move(direction: Direction, states: ReadonlyMap<string, ResourceState>): Promise<void> {
    const from: Phase = direction === 'stop' ? 'running' : 'stopped';
    const ready = [...states].filter(([, state]) => state.phase === from).map(([arn]) => arn);
    const instanceIds = ready.filter((arn) => kindOf(arn) === 'ec2-instance').map(resourceIdOf);
    const databases = ready.filter((arn) => kindOf(arn) === 'rds-instance').map(resourceIdOf);
    await Promise.all([
      mapWithConcurrency(chunk(instanceIds, CHANGE_BATCH), CONCURRENCY, (InstanceIds) =>
        direction === 'stop'
          ? this.ec2.send(new StopInstancesCommand({ InstanceIds }))
          : this.ec2.send(new StartInstancesCommand({ InstanceIds })),
      ),
      mapWithConcurrency(databases, CONCURRENCY, (DBInstanceIdentifier) =>
        direction === 'stop'
          ? this.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier }))
          : this.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier })),
      ),
    ]);
  }

  /** Polls the whole set with batched describes until every resource is in `target`; no wait before the first. */
  private async pollUntil(
    keyArn: string,
    resourceArns: readonly string[],
    target: 'running' | 'stopped',
    options: BaselineOptions,
  ): Promise<void> {
    let left = [...resourceArns];
    for (let poll = 0; poll < (options.maxPolls ?? 60); poll++) {
      if (left.length === 0) return;
      if (poll > 0) await sleep(options.pollMs);
      const states = await this.states.of(left);
      left = left.filter((arn) => states.get(arn)?.phase !== target);
    }
    if (left.length > 0) throw new BatchedBaselineTimeoutError(keyArn, target, left.length);
  }
}

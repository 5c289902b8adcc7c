import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { kindOf, parseArn, resourceIdOf } from '../lambdas/shared/arn';
import { chunk, mapWithConcurrency } from '../lambdas/shared/concurrency';

/**
 * Where each resource of a fleet stands, read with as few calls as the APIs allow: the batched
 * baseline's polls, and the bench's check that a cycle converged (with the world's own clients, so
 * that check is never counted against either side).
 */

/** `moving`: neither fully running nor fully stopped yet (pending, stopping, a service draining). */
export type Phase = 'running' | 'stopped' | 'moving' | 'missing';

export interface ResourceState {
  readonly phase: Phase;
  /** ECS services only: the desired count, which a stop sets to 0 and a start must restore. */
  readonly desiredCount?: number;
}

export interface FleetClients {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly ecs: ECSClient;
}

export class UnknownKindError extends Error {
  constructor(resourceArn: string) {
    super(`The bench does not observe ${resourceArn}: EC2 instances, RDS instances and ECS services only`);
    this.name = 'UnknownKindError';
  }
}

/**
 * IDs per call. DescribeInstances takes up to 1,000 instance IDs (no MaxResults with IDs); RDS filters
 * take up to 100 values and return up to MaxRecords 100; DescribeServices takes 10 services of one cluster.
 */
export const DESCRIBE_BATCH = { ec2: 1000, rds: 100, ecs: 10 } as const;
/** Describe calls in flight at once per kind: what a script would allow itself without pacing. */
const DESCRIBE_CONCURRENCY = 4;

function serviceRef(resourceArn: string): { cluster: string; service: string } {
  const [, cluster = '', service = ''] = (parseArn(resourceArn)?.resource ?? '').split('/');
  return { cluster, service };
}

const EC2_PHASES: Readonly<Record<string, Phase>> = { running: 'running', stopped: 'stopped' };
const RDS_PHASES: Readonly<Record<string, Phase>> = { available: 'running', stopped: 'stopped' };

export class FleetStates {
  constructor(private readonly clients: FleetClients) {}

  /** The state of every resource in `resourceArns`; one a describe did not return is `missing`. */
  async of(resourceArns: readonly string[]): Promise<Map<string, ResourceState>> {
    const byKind = new Map<string, string[]>();
    for (const arn of resourceArns) {
      const kind = kindOf(arn);
      if (kind !== 'ec2-instance' && kind !== 'rds-instance' && kind !== 'ecs-service')
        throw new UnknownKindError(arn);
      byKind.set(kind, [...(byKind.get(kind) ?? []), arn]);
    }
    const states = new Map<string, ResourceState>(resourceArns.map((arn) => [arn, { phase: 'missing' }]));
    await Promise.all([
      this.instances(byKind.get('ec2-instance') ?? [], states),
      this.databases(byKind.get('rds-instance') ?? [], states),
      this.services(byKind.get('ecs-service') ?? [], states),
    ]);
    return states;
  }

  private async instances(arns: readonly string[], states: Map<string, ResourceState>): Promise<void> {
    const arnOf = new Map(arns.map((arn) => [resourceIdOf(arn), arn]));
    await mapWithConcurrency(
      chunk([...arnOf.keys()], DESCRIBE_BATCH.ec2),
      DESCRIBE_CONCURRENCY,
      async (ids) => {
        const { Reservations } = await this.clients.ec2.send(
          new DescribeInstancesCommand({ InstanceIds: ids }),
        );
        for (const instance of (Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
          const arn = arnOf.get(instance.InstanceId ?? '');
          if (arn) states.set(arn, { phase: EC2_PHASES[instance.State?.Name ?? ''] ?? 'moving' });
        }
      },
    );
  }

  private async databases(arns: readonly string[], states: Map<string, ResourceState>): Promise<void> {
    const arnOf = new Map(arns.map((arn) => [resourceIdOf(arn), arn]));
    await mapWithConcurrency(
      chunk([...arnOf.keys()], DESCRIBE_BATCH.rds),
      DESCRIBE_CONCURRENCY,
      async (ids) => {
        const { DBInstances } = await this.clients.rds.send(
          new DescribeDBInstancesCommand({
            Filters: [{ Name: 'db-instance-id', Values: ids }],
            MaxRecords: 100,
          }),
        );
        for (const database of DBInstances ?? []) {
          const arn = arnOf.get(database.DBInstanceIdentifier ?? '');
          if (arn) states.set(arn, { phase: RDS_PHASES[database.DBInstanceStatus ?? ''] ?? 'moving' });
        }
      },
    );
  }

  private async services(arns: readonly string[], states: Map<string, ResourceState>): Promise<void> {
    const byCluster = new Map<string, string[]>();
    for (const arn of arns) {
      const { cluster } = serviceRef(arn);
      byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), arn]);
    }
    const batches = [...byCluster].flatMap(([cluster, members]) =>
      chunk(members, DESCRIBE_BATCH.ecs).map((services) => ({ cluster, services })),
    );
    await mapWithConcurrency(batches, DESCRIBE_CONCURRENCY, async (batch) => {
      const { services } = await this.clients.ecs.send(new DescribeServicesCommand(batch));
      for (const service of services ?? []) {
        const arn = service.serviceArn;
        if (!arn || !states.has(arn)) continue;
        const desiredCount = service.desiredCount ?? 0;
        const running = service.runningCount ?? 0;
        const pending = service.pendingCount ?? 0;
        const phase: Phase =
          desiredCount === 0
            ? running === 0 && pending === 0
              ? 'stopped'
              : 'moving'
            : running >= desiredCount
              ? 'running'
              : 'moving';
        states.set(arn, { phase, desiredCount });
      }
    });
  }
}

/** How many of the fleet are in each phase: the bench's convergence check reads `running` or `stopped`. */
export function phaseCounts(states: ReadonlyMap<string, ResourceState>): Record<Phase, number> {
  const counts: Record<Phase, number> = { running: 0, stopped: 0, moving: 0, missing: 0 };
  for (const { phase } of states.values()) counts[phase]++;
  return counts;
}

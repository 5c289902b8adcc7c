import type { Figure } from './lambda-model';

/**
 * How long a resource takes to reach the state a call asked for, as the bench models it: moto moves an
 * instance to `stopped` the moment StopInstances answers, where AWS shows `stopping` for a while, and the
 * workflows' poll loops (30 s Waits) turn more often. The model remembers each stop and start it saw
 * answered and rewrites the describe calls' answers while the change is under way. Figures are typical,
 * not worst cases; each names its source.
 */

export const TRANSITIONS = {
  ec2Stop: {
    ms: 45_000,
    source:
      'assumption: EC2 documents the stopping state but no duration (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Stop_Start.html); an EBS-backed instance commonly takes 30 to 60 s',
  },
  ec2Start: {
    ms: 30_000,
    source:
      'assumption: EC2 documents the pending state but no duration (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html); tens of seconds to running',
  },
  rdsStop: {
    ms: 4 * 60_000,
    source: 'assumption: RDS documents no duration for stopping; a few minutes for a small instance',
  },
  rdsStart: {
    ms: 6 * 60_000,
    source: 'assumption: RDS documents no duration for starting; several minutes, longer than a stop',
  },
  ecsStop: {
    ms: 30_000,
    source:
      "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html (a container's stopTimeout defaults to 30 s); a service behind a load balancer drains longer, its deregistration delay (300 s by default), not modelled",
  },
  ecsStart: {
    ms: 60_000,
    source: 'assumption: placing, pulling and starting a small task, about a minute, unpublished',
  },
} as const satisfies Record<string, Figure>;

interface Change {
  /** What the describe call shows meanwhile. */
  readonly showing: string;
  readonly until: number;
  /** ECS: the desired count asked for. */
  readonly desired?: number;
}

type Output = Record<string, unknown>;

/** A service by its cluster's name and its own, whether the call named them or gave their ARNs. */
const serviceKey = (cluster: unknown, service: unknown): string =>
  `${String(cluster).split('/').pop()}|${String(service).split('/').pop()}`;

/** The changes under way, by resource ID, and the rewriting of the describe answers they concern. */
export class Transitions {
  private readonly changes = new Map<string, Change>();

  clear(): void {
    this.changes.clear();
  }

  /** Notes a stop or start call that AWS answered. */
  record(operation: string, input: Output): void {
    const now = Date.now();
    const note = (id: unknown, showing: string, figure: Figure, desired?: number) => {
      if (typeof id === 'string') this.changes.set(id, { showing, until: now + figure.ms, desired });
    };
    const ids = (input.InstanceIds as unknown[] | undefined) ?? [];
    if (operation === 'StopInstances') for (const id of ids) note(id, 'stopping', TRANSITIONS.ec2Stop);
    if (operation === 'StartInstances') for (const id of ids) note(id, 'pending', TRANSITIONS.ec2Start);
    if (operation === 'StopDBInstance') note(input.DBInstanceIdentifier, 'stopping', TRANSITIONS.rdsStop);
    if (operation === 'StartDBInstance') note(input.DBInstanceIdentifier, 'starting', TRANSITIONS.rdsStart);
    if (operation === 'UpdateService' && typeof input.desiredCount === 'number') {
      const key = serviceKey(input.cluster ?? 'default', input.service);
      const desired = input.desiredCount;
      note(
        key,
        desired === 0 ? 'draining' : 'placing',
        desired === 0 ? TRANSITIONS.ecsStop : TRANSITIONS.ecsStart,
        desired,
      );
    }
  }

  /** The describe answer as AWS would give it while changes are under way. */
  rewrite(operation: string, output: Output): void {
    if (this.changes.size === 0) return;
    if (operation === 'DescribeInstances') {
      for (const reservation of (output.Reservations as Output[] | undefined) ?? []) {
        for (const instance of (reservation.Instances as Output[] | undefined) ?? []) {
          const change = this.current(instance.InstanceId);
          if (change) instance.State = { Name: change.showing, Code: change.showing === 'pending' ? 0 : 64 };
        }
      }
    }
    if (operation === 'DescribeDBInstances') {
      for (const database of (output.DBInstances as Output[] | undefined) ?? []) {
        const change = this.current(database.DBInstanceIdentifier);
        if (change) database.DBInstanceStatus = change.showing;
      }
    }
    if (operation === 'DescribeServices') {
      for (const service of (output.services as Output[] | undefined) ?? []) {
        const change = this.current(
          serviceKey(service.clusterArn, service.serviceArn ?? service.serviceName),
        );
        if (!change) continue;
        // Draining: tasks still running; placing: none running yet, the desired ones pending.
        if (change.desired === 0) service.runningCount = Math.max(1, Number(service.runningCount ?? 0));
        else Object.assign(service, { runningCount: 0, pendingCount: change.desired ?? 0 });
      }
    }
  }

  private current(id: unknown): Change | undefined {
    if (typeof id !== 'string') return undefined;
    const change = this.changes.get(id);
    if (change && Date.now() >= change.until) this.changes.delete(id);
    return change && Date.now() < change.until ? change : undefined;
  }
}

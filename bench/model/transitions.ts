import { SETTLE_TIMES, type SettleTime } from '../../lambdas/shared/pacing/settle-times';
import type { Figure } from './lambda-model';

/**
 * How long a resource takes to reach the state a call asked for, as the bench models it: moto moves an
 * instance to `stopped` the moment StopInstances answers, where AWS shows `stopping` for a while, and the
 * workflows' poll loops (30 s Waits) turn more often. The model remembers each stop and start it saw
 * answered and rewrites the describe calls' answers while the change is under way. Figures are typical,
 * not worst cases; each names its source.
 */

/** A settle time of the shared table as the model's figure, in milliseconds, with its source. */
const figure = ({ seconds, source }: SettleTime): Figure => ({ ms: seconds * 1000, source });

/** From SETTLE_TIMES (lambdas/shared/pacing/settle-times.ts): the reactor plans its polls by the same table. */
export const TRANSITIONS = {
  ec2Stop: figure(SETTLE_TIMES['ec2-instance'].stopped),
  ec2Start: figure(SETTLE_TIMES['ec2-instance'].running),
  rdsStop: figure(SETTLE_TIMES['rds-instance'].stopped),
  rdsStart: figure(SETTLE_TIMES['rds-instance'].running),
  ecsStop: figure(SETTLE_TIMES['ecs-service'].stopped),
  ecsStart: figure(SETTLE_TIMES['ecs-service'].running),
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

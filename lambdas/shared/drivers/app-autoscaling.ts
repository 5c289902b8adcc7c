import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import { chunk, mapWithConcurrency } from '../concurrency';
import type { RestoreState } from '../model';

/** How Application Auto Scaling names what it scales of an ECS service. */
const ECS_NAMESPACE = 'ecs';
const ECS_DIMENSION = 'ecs:service:DesiredCount';
/** DescribeScalableTargets takes at most 50 resource IDs per call. */
const DESCRIBE_BATCH = 50;
const CONCURRENCY = 5;

/** A scalable target's SuspendedState, every flag spelled out. */
export interface Suspension {
  readonly dynamicScalingInSuspended: boolean;
  readonly dynamicScalingOutSuspended: boolean;
  readonly scheduledScalingSuspended: boolean;
}

const FLAGS = [
  'dynamicScalingInSuspended',
  'dynamicScalingOutSuspended',
  'scheduledScalingSuspended',
] as const satisfies readonly (keyof Suspension)[];

/** Nothing may scale the service: what the reactor sets before it takes the desired count to 0. */
export const FULLY_SUSPENDED: Suspension = {
  dynamicScalingInSuspended: true,
  dynamicScalingOutSuspended: true,
  scheduledScalingSuspended: true,
};

/** The resource ID Application Auto Scaling knows an ECS service by. */
export const ecsResourceId = (clusterName: string, serviceName: string): string =>
  `service/${clusterName}/${serviceName}`;

export const isFullySuspended = (state: Suspension): boolean => FLAGS.every((flag) => state[flag]);
export const sameSuspension = (a: Suspension, b: Suspension): boolean =>
  FLAGS.every((flag) => a[flag] === b[flag]);

/** The suspension as the ledger's restore state keeps it, beside the desired count. */
export const suspensionToRestore = (state: Suspension): RestoreState => ({ ...state });

/** The suspension the ledger remembered, or undefined when the service had no scalable target then. */
export function suspensionFromRestore(restore: RestoreState): Suspension | undefined {
  if (!FLAGS.every((flag) => typeof restore[flag] === 'boolean')) return undefined;
  return {
    dynamicScalingInSuspended: restore.dynamicScalingInSuspended === true,
    dynamicScalingOutSuspended: restore.dynamicScalingOutSuspended === true,
    scheduledScalingSuspended: restore.scheduledScalingSuspended === true,
  };
}

function suspensionOf(target: ScalableTarget): Suspension {
  const state = target.SuspendedState ?? {};
  return {
    dynamicScalingInSuspended: state.DynamicScalingInSuspended === true,
    dynamicScalingOutSuspended: state.DynamicScalingOutSuspended === true,
    scheduledScalingSuspended: state.ScheduledScalingSuspended === true,
  };
}

/**
 * The Application Auto Scaling targets of ECS services. A target whose scaling runs fights a stop: its
 * minimum and its scheduled actions push the desired count back up. Only an existing target is ever
 * updated (RegisterScalableTarget with nothing but SuspendedState): the reactor never creates one.
 */
export class EcsScalableTargets {
  constructor(private readonly client: ApplicationAutoScalingClient) {}

  /** The suspension of each service (by resource ID) that has a scalable target; others are absent. */
  async describe(resourceIds: readonly string[]): Promise<Map<string, Suspension>> {
    const found = new Map<string, Suspension>();
    await mapWithConcurrency(chunk([...new Set(resourceIds)], DESCRIBE_BATCH), CONCURRENCY, async (batch) => {
      let nextToken: string | undefined;
      do {
        const output = await this.client.send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: ECS_NAMESPACE,
            ScalableDimension: ECS_DIMENSION,
            ResourceIds: batch,
            NextToken: nextToken,
          }),
        );
        for (const target of output?.ScalableTargets ?? []) {
          if (target.ResourceId) found.set(target.ResourceId, suspensionOf(target));
        }
        nextToken = output?.NextToken ?? undefined;
      } while (nextToken);
    });
    return found;
  }

  /**
   * Sets a target's SuspendedState. AWS also moves the service's desired count into the target's
   * minimum and maximum on any update, so the reactor calls this only while the service runs at a count
   * the target allowed: before it takes the count to 0, and after the count came back.
   */
  async suspend(resourceId: string, state: Suspension): Promise<void> {
    await this.client.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: ECS_NAMESPACE,
        ScalableDimension: ECS_DIMENSION,
        ResourceId: resourceId,
        SuspendedState: {
          DynamicScalingInSuspended: state.dynamicScalingInSuspended,
          DynamicScalingOutSuspended: state.dynamicScalingOutSuspended,
          ScheduledScalingSuspended: state.scheduledScalingSuspended,
        },
      }),
    );
  }
}

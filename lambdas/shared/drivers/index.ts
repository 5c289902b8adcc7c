import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { ManagedTag } from '../contract';
import type { ResourceKind } from '../model';
import { AutoScalingGroupDriver } from './autoscaling-group';
import type { Driver } from './driver';
import { Ec2InstanceDriver } from './ec2-instance';
import { EcsServiceDriver } from './ecs-service';
import { RdsClusterDriver, RdsInstanceDriver } from './rds';

export type { Driver, Observed, RestoreTarget } from './driver';
export { AutoScalingGroupDriver, Ec2InstanceDriver, EcsServiceDriver, RdsClusterDriver, RdsInstanceDriver };

/** The SDK clients the drivers call, built by whoever builds the drivers (a handler, the CLI, a test). */
export interface DriverClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly autoscaling: AutoScalingClient;
  /** Application Auto Scaling: the scalable targets of ECS services, suspended while they are stopped. */
  readonly applicationAutoScaling: ApplicationAutoScalingClient;
  /**
   * The clients that make the stop and start calls, signed by a key role session (key-session.ts).
   * @default the reading clients above
   */
  readonly acting?: ActingClients;
}

/** The clients of the services whose stop and start calls only a key role may make. */
export type ActingClients = Pick<DriverClients, 'ecs' | 'ec2' | 'rds' | 'autoscaling'>;

/**
 * The catalogue: one driver per resource kind. Handlers group a key's resources by kind and call each
 * driver once per kind, which is what lets a driver batch. The Record type makes adding a kind to
 * RESOURCE_KINDS without a line here a compile error.
 */
export function createDrivers(clients: DriverClients, tag: ManagedTag): Record<ResourceKind, Driver> {
  const acting = clients.acting ?? clients;
  return {
    'ecs-service': new EcsServiceDriver(tag, clients.ecs, clients.applicationAutoScaling, acting.ecs),
    'ec2-instance': new Ec2InstanceDriver(tag, clients.ec2, acting.ec2),
    'rds-instance': new RdsInstanceDriver(tag, clients.rds, acting.rds),
    'rds-cluster': new RdsClusterDriver(tag, clients.rds, acting.rds),
    'autoscaling-group': new AutoScalingGroupDriver(tag, clients.autoscaling, clients.ec2, acting),
  };
}

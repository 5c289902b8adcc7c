import { config } from '../config';
import type { ResourceKind } from '../model';
import { AutoScalingGroupDriver } from './autoscaling-group';
import type { Driver, ManagedTag } from './driver';
import { Ec2InstanceDriver } from './ec2-instance';
import { EcsServiceDriver } from './ecs-service';
import { RdsClusterDriver } from './rds-cluster';
import { RdsInstanceDriver } from './rds-instance';

export type { Driver, ManagedTag, RestoreTarget } from './driver';
export { AutoScalingGroupDriver, Ec2InstanceDriver, EcsServiceDriver, RdsClusterDriver, RdsInstanceDriver };

/**
 * One driver per resource kind, all sharing the module-scope SDK clients. Handlers group a key's
 * resources by kind and call each driver once per kind, which is what lets a driver batch.
 * The Record type makes adding a kind to RESOURCE_KINDS without a driver a compile error.
 */
export function driversFor(tag: ManagedTag = config.managedTag()): Record<ResourceKind, Driver> {
  return {
    'ecs-service': new EcsServiceDriver(tag),
    'ec2-instance': new Ec2InstanceDriver(tag),
    'rds-instance': new RdsInstanceDriver(tag),
    'rds-cluster': new RdsClusterDriver(tag),
    'autoscaling-group': new AutoScalingGroupDriver(tag),
  };
}

export function driverFor(kind: ResourceKind, tag: ManagedTag = config.managedTag()): Driver {
  return driversFor(tag)[kind];
}

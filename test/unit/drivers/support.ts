import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import type { ManagedTag } from '../../../lambdas/shared/contract';
import type { DriverClients, Observed, RestoreTarget } from '../../../lambdas/shared/drivers';
import type { RestoreState } from '../../../lambdas/shared/model';

/** What the driver unit tests share: the tag, the mocked clients, and the inputs converge passes. */

export const TAG: ManagedTag = { key: 'key-reactor:managed', value: 'true' };
/** The managed tag as EC2, RDS and Auto Scaling spell it. */
export const MANAGED = [{ Key: TAG.key, Value: TAG.value }];

/** An EC2 instance ID: `i-` and 17 hex digits. */
export const instanceIdOf = (n: number): string => `i-${n.toString(16).padStart(17, '0')}`;

/**
 * One client per service with aws-sdk-client-mock on the instance (not the class, so nothing leaks into
 * other clients), every mock reset before each test of the calling file.
 */
export function mockedClients() {
  const clients = {
    ecs: new ECSClient({}),
    ec2: new EC2Client({}),
    rds: new RDSClient({}),
    autoscaling: new AutoScalingClient({}),
    applicationAutoScaling: new ApplicationAutoScalingClient({}),
  } satisfies DriverClients;
  const mocks = {
    ecs: mockClient(clients.ecs),
    ec2: mockClient(clients.ec2),
    rds: mockClient(clients.rds),
    autoscaling: mockClient(clients.autoscaling),
    applicationAutoScaling: mockClient(clients.applicationAutoScaling),
  };
  beforeEach(() => {
    for (const mock of Object.values(mocks)) mock.reset();
  });
  return { clients, mocks };
}

/**
 * A resource as converge passes it to `stop`: observed running, with something to restore. For the
 * drivers whose verbs need nothing but the ARN.
 */
export const observedRunning = (resourceArn: string): Observed => ({
  resourceArn,
  state: 'running',
  detail: 'running',
  restore: {},
});

/** A resource as converge passes it to `start`: observed stopped, with what the ledger remembered. */
export const stoppedTarget = (resourceArn: string, restore: RestoreState = {}): RestoreTarget => ({
  observation: { resourceArn, state: 'stopped', detail: 'stopped' },
  restore,
});

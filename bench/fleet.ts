import { DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { DEFAULT_MANAGED_TAG } from '../lambdas/shared/contract';
import { localRegion } from '../sandbox/local-workflows';
import { type AwsClients, DEMO, type FleetMember } from '../sandbox/world';

/**
 * Fleets of any size on moto, built in bulk so that setting up a thousand resources takes seconds:
 * all of a key's EC2 instances come from RunInstances with MinCount = MaxCount (a few calls), all its
 * ECS services live in one cluster with one task definition, and the RDS instances, which take one
 * call each, are created a few at a time. Only the setup is bulk: what is measured is the reactor.
 */

/** How many resources of each kind one key's fleet has. */
export interface FleetMix {
  readonly services: number;
  readonly instances: number;
  readonly databases: number;
}

/**
 * The mix of a key with `total` resources: 10 % ECS services, 10 % RDS instances and the rest (80 %)
 * EC2 instances, at least one of each from 3 resources up (a fleet of 2 has no database). A platform
 * runs many servers per database and per service.
 */
export function mixOf(total: number): FleetMix {
  if (!Number.isInteger(total) || total < 2)
    throw new RangeError(`A fleet needs 2 or more resources, got ${total}`);
  const services = Math.max(1, Math.round(total * 0.1));
  const databases = total >= 3 ? Math.max(1, Math.round(total * 0.1)) : 0;
  return { services, instances: total - services - databases, databases };
}

/** RunInstances per call: moto takes any count, AWS's default vCPU quotas would not; keeps requests small. */
const RUN_INSTANCES_BATCH = 250;
/** Setup calls in flight at once (moto is one process; more only queues). */
const SETUP_CONCURRENCY = 8;

const managedTags = [{ Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value }];

let imageId: Promise<string | undefined> | undefined;

/** Builds one key's fleet; `name` keeps fleets apart on one server (cluster, family and DB names). */
export async function createBulkFleet(
  clients: AwsClients,
  name: string,
  mix: FleetMix,
): Promise<FleetMember[]> {
  const members: FleetMember[] = [];

  if (mix.services > 0) {
    const { cluster } = await clients.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const { taskDefinition } = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }],
      }),
    );
    const services = await mapWithConcurrency(
      Array.from({ length: mix.services }, (_, index) => `svc-${index}`),
      SETUP_CONCURRENCY,
      async (serviceName) => {
        const { service } = await clients.ecs.send(
          new CreateServiceCommand({
            cluster: cluster?.clusterArn,
            serviceName,
            taskDefinition: taskDefinition?.taskDefinitionArn,
            desiredCount: DEMO.desiredCount,
            tags: managedTags.map(({ Key, Value }) => ({ key: Key, value: Value })),
          }),
        );
        if (!service?.serviceArn) throw new Error('moto returned no service ARN');
        return service.serviceArn;
      },
    );
    for (const serviceArn of services) {
      members.push({ resourceArn: serviceArn, layer: 'service', label: `ECS service ${serviceArn}` });
    }
  }

  if (mix.instances > 0) {
    imageId ??= clients.ec2.send(new DescribeImagesCommand({})).then(({ Images }) => Images?.[0]?.ImageId);
    const image = await imageId;
    for (let left = mix.instances; left > 0; left -= RUN_INSTANCES_BATCH) {
      const count = Math.min(left, RUN_INSTANCES_BATCH);
      const { Instances, OwnerId } = await clients.ec2.send(
        new RunInstancesCommand({
          ImageId: image,
          InstanceType: 't3.micro',
          MinCount: count,
          MaxCount: count,
          TagSpecifications: [{ ResourceType: 'instance', Tags: managedTags }],
        }),
      );
      for (const instance of Instances ?? []) {
        members.push({
          resourceArn: `arn:aws:ec2:${localRegion()}:${OwnerId ?? '123456789012'}:instance/${instance.InstanceId}`,
          layer: 'server',
          label: `EC2 instance ${instance.InstanceId}`,
        });
      }
    }
  }

  const databases = await mapWithConcurrency(
    Array.from({ length: mix.databases }, (_, index) => `${name}-db-${index}`),
    SETUP_CONCURRENCY,
    async (identifier) => {
      const { DBInstance } = await clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: identifier,
          Engine: 'postgres',
          DBInstanceClass: 'db.t3.micro',
          AllocatedStorage: 20,
          MasterUsername: 'platform',
          MasterUserPassword: 'not-a-secret-1',
          Tags: managedTags,
        }),
      );
      if (!DBInstance?.DBInstanceArn) throw new Error('moto returned no DB instance ARN');
      return DBInstance.DBInstanceArn;
    },
  );
  for (const arn of databases)
    members.push({ resourceArn: arn, layer: 'server', label: `RDS instance ${arn}` });
  return members;
}

/** Registers a fleet to its key through the reactor's own registry (one PutItem each, a few at a time). */
export async function registerBulkFleet(keyArn: string, members: readonly FleetMember[]): Promise<void> {
  const registry = await import('../lambdas/shared/store/registry');
  await mapWithConcurrency(members, SETUP_CONCURRENCY, (member) =>
    registry.register({ keyArn, resourceArn: member.resourceArn, layer: member.layer }),
  );
  await registry.setAdministrators(keyArn, DEMO.administrators);
}

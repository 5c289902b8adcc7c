import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { kindOf, resourceIdOf } from '../lambdas/shared/arn';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import type { Reactor } from '../lambdas/shared/reactor';
import { reactorTags, tagResource } from '../sandbox/fleet-tags';
import {
  type AwsClients,
  createCluster,
  createManagedDatabase,
  createManagedService,
  DEMO,
  type FleetMember,
  runManagedInstances,
  stockImageId,
} from '../sandbox/world';

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

let imageId: Promise<string | undefined> | undefined;

/**
 * Builds one key's fleet with the sandbox world's builders; `name` keeps fleets apart on one server
 * (cluster, family and DB names), `account` goes into the instances' ARNs.
 */
export async function createBulkFleet(
  clients: AwsClients,
  account: string,
  name: string,
  mix: FleetMix,
): Promise<FleetMember[]> {
  const members: FleetMember[] = [];

  if (mix.services > 0) {
    const taskDefinitionArn = await createCluster(clients, name, name);
    members.push(
      ...(await mapWithConcurrency(
        Array.from({ length: mix.services }, (_, index) => `svc-${index}`),
        SETUP_CONCURRENCY,
        (serviceName) => createManagedService(clients, name, serviceName, taskDefinitionArn),
      )),
    );
  }

  if (mix.instances > 0) {
    imageId ??= stockImageId(clients.ec2);
    const image = await imageId;
    for (let left = mix.instances; left > 0; left -= RUN_INSTANCES_BATCH) {
      const count = Math.min(left, RUN_INSTANCES_BATCH);
      members.push(...(await runManagedInstances(clients, { imageId: image, count, account })));
    }
  }

  members.push(
    ...(await mapWithConcurrency(
      Array.from({ length: mix.databases }, (_, index) => `${name}-db-${index}`),
      SETUP_CONCURRENCY,
      (identifier) => createManagedDatabase(clients, identifier),
    )),
  );
  return members;
}

/**
 * Registers a fleet to its key through the reactor's own registry, a few PutItems at a time: the
 * sandbox's registerFleet writes one at a time, which at a thousand resources is most of the setup.
 */
export async function registerBulkFleet(
  reactor: Reactor,
  clients: AwsClients,
  keyArn: string,
  members: readonly FleetMember[],
): Promise<void> {
  const { registry } = reactor.store;
  // The tag is the registration, and the key role acts only on resources tagged for its key. The rows
  // stay too, because the baselines read a key's resources from the table.
  const tags = Object.entries(reactorTags(keyArn, reactor.settings.managedTag)).map(([Key, Value]) => ({
    Key,
    Value,
  }));
  const instanceIds = members
    .filter((member) => kindOf(member.resourceArn) === 'ec2-instance')
    .map((member) => resourceIdOf(member.resourceArn));
  for (let start = 0; start < instanceIds.length; start += RUN_INSTANCES_BATCH)
    await clients.ec2.send(
      new CreateTagsCommand({ Resources: instanceIds.slice(start, start + RUN_INSTANCES_BATCH), Tags: tags }),
    );
  await mapWithConcurrency(members, SETUP_CONCURRENCY, async (member) => {
    if (kindOf(member.resourceArn) !== 'ec2-instance')
      await tagResource(clients, member.resourceArn, reactorTags(keyArn, reactor.settings.managedTag));
    await registry.register({ keyArn, resourceArn: member.resourceArn, layer: member.layer });
  });
  await registry.setAdministrators(keyArn, DEMO.administrators);
}

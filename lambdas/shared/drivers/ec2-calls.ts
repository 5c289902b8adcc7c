import {
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { chunk } from '../concurrency';

/**
 * The EC2 calls of the EC2 instance and Auto Scaling group drivers: both describe, stop and start
 * instances by ID, many per call.
 */

/** IDs per DescribeInstances filter: a conservative batch, inside EC2's cap on filter values per request. */
const DESCRIBE_BATCH = 200;
/** Kept at 100 IDs per StopInstances/StartInstances call so one request stays well inside EC2's limits. */
const CHANGE_BATCH = 100;

/** The instances with these IDs, by ID; an instance that no longer exists is left out. */
export async function describeInstances(
  client: EC2Client,
  instanceIds: readonly string[],
): Promise<Map<string, Instance>> {
  const found = new Map<string, Instance>();
  for (const batch of chunk([...new Set(instanceIds)], DESCRIBE_BATCH)) {
    // A filter, not InstanceIds: InstanceIds fails the whole call when one instance no longer exists,
    // where the filter just leaves it out of the answer.
    const pages = paginateDescribeInstances(
      { client },
      { Filters: [{ Name: 'instance-id', Values: batch }] },
    );
    for await (const page of pages) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (instance.InstanceId) found.set(instance.InstanceId, instance);
        }
      }
    }
  }
  return found;
}

/** Stops the instances, a hundred per call. Never Force (skips the OS shutdown, risking file-system damage), never Hibernate. */
export async function stopInstances(client: EC2Client, instanceIds: readonly string[]): Promise<void> {
  // Sequential on purpose: one call per hundred instances is already few, and a failure stops the rest
  // so the workflow's retry starts from a fresh status rather than from half-sent batches.
  for (const batch of chunk([...new Set(instanceIds)], CHANGE_BATCH)) {
    await client.send(new StopInstancesCommand({ InstanceIds: batch }));
  }
}

/** Starts the instances, a hundred per call, one batch after the other as stopInstances does. */
export async function startInstances(client: EC2Client, instanceIds: readonly string[]): Promise<void> {
  for (const batch of chunk([...new Set(instanceIds)], CHANGE_BATCH)) {
    await client.send(new StartInstancesCommand({ InstanceIds: batch }));
  }
}

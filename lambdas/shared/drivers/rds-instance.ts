import {
  type DBInstance,
  paginateDescribeDBInstances,
  type RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { kindOf, resourceIdOf } from '../arn';

import { chunk, mapWithConcurrency } from '../concurrency';
import { UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import type { Driver, ManagedTag, RestoreTarget } from './driver';

/** Identifiers per DescribeDBInstances filter: RDS documents no cap, so stay at a modest batch. */
const DESCRIBE_BATCH = 100;
/** StopDBInstance and StartDBInstance take one instance per call; a few at a time stays under RDS's rate limits. */
const CONCURRENCY = 5;

/** RDS identifiers are case-insensitive and AWS reports them in lower case. */
function identifierOf(resourceArn: string): string {
  const kind = kindOf(resourceArn);
  if (kind !== 'rds-instance') {
    throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an rds-instance`);
  }
  return resourceIdOf(resourceArn).toLowerCase();
}

/** Why AWS would refuse StopDBInstance for an available instance, if it would. */
function whyUnstoppable(instance: DBInstance): string | undefined {
  if (instance.DBClusterIdentifier)
    return `member of DB cluster ${instance.DBClusterIdentifier}, stopped with it`;
  if (instance.ReadReplicaSourceDBInstanceIdentifier) return 'a read replica, which RDS cannot stop';
  if (instance.ReadReplicaDBInstanceIdentifiers?.length) return 'has read replicas, so RDS cannot stop it';
  return undefined;
}

/** RDS DB instances (not cluster members: their cluster is stopped as a whole by the cluster driver). */
export class RdsInstanceDriver implements Driver {
  readonly kind = 'rds-instance' as const;

  constructor(
    private readonly tag: ManagedTag,
    private readonly client: RDSClient,
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const ids = resourceArns.map(identifierOf);
    const found = new Map<string, DBInstance>();
    for (const batch of chunk([...new Set(ids)], DESCRIBE_BATCH)) {
      // A filter, not DBInstanceIdentifier: one call for many instances, and a missing one is simply left
      // out of the answer instead of failing the call with DBInstanceNotFound.
      const pages = paginateDescribeDBInstances(
        { client: this.client },
        { Filters: [{ Name: 'db-instance-id', Values: batch }] },
      );
      for await (const page of pages) {
        for (const instance of page.DBInstances ?? []) {
          if (instance.DBInstanceIdentifier) found.set(instance.DBInstanceIdentifier.toLowerCase(), instance);
        }
      }
    }
    return resourceArns.map((resourceArn, index) =>
      this.observe(resourceArn, found.get(ids[index] as string)),
    );
  }

  async stop(resourceArns: readonly string[]): Promise<void> {
    const ids = [...new Set(resourceArns.map(identifierOf))];
    // Never DBSnapshotIdentifier: a stop must not leave snapshots behind for someone to pay for or delete.
    await mapWithConcurrency(ids, CONCURRENCY, (id) =>
      this.client.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id })),
    );
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    const ids = [...new Set(targets.map((target) => identifierOf(target.resourceArn)))];
    await mapWithConcurrency(ids, CONCURRENCY, (id) =>
      this.client.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id })),
    );
  }

  private observe(resourceArn: string, instance: DBInstance | undefined): Observation {
    if (!instance) return { resourceArn, state: 'not-found', detail: 'not found' };
    const word = instance.DBInstanceStatus ?? 'unknown';
    // DescribeDBInstances returns the tags itself (TagList), so no ListTagsForResource per instance.
    const managed = (instance.TagList ?? []).some(
      (t) => t.Key === this.tag.key && t.Value === this.tag.value,
    );
    if (!managed) return { resourceArn, state: 'not-managed', detail: word };
    switch (word) {
      case 'available': {
        const reason = whyUnstoppable(instance);
        if (reason) return { resourceArn, state: 'running', detail: `${word} (${reason})` };
        return { resourceArn, state: 'running', detail: word, restore: {} };
      }
      case 'stopped':
        return { resourceArn, state: 'stopped', detail: word };
      // RDS takes the database down by itself once it cannot use the key. Recoverable means a start
      // brings it back when the key returns, so it is remembered (restore) though already down.
      case 'inaccessible-encryption-credentials-recoverable':
        return { resourceArn, state: 'stopped', detail: word, restore: {} };
      case 'inaccessible-encryption-credentials':
        return { resourceArn, state: 'stopped', detail: `${word} (not recoverable: restore from a backup)` };
      default:
        return { resourceArn, state: 'transitioning', detail: word };
    }
  }
}

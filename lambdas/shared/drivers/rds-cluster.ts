import {
  type DBCluster,
  paginateDescribeDBClusters,
  type RDSClient,
  StartDBClusterCommand,
  StopDBClusterCommand,
} from '@aws-sdk/client-rds';
import { kindOf, resourceIdOf } from '../arn';

import { chunk, mapWithConcurrency } from '../concurrency';
import { UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import type { Driver, ManagedTag, RestoreTarget } from './driver';

/** Identifiers per DescribeDBClusters filter: RDS documents no cap, so stay at a modest batch. */
const DESCRIBE_BATCH = 100;
/** StopDBCluster and StartDBCluster take one cluster per call; a few at a time stays under RDS's rate limits. */
const CONCURRENCY = 5;

/** RDS identifiers are case-insensitive and AWS reports them in lower case. */
function identifierOf(resourceArn: string): string {
  const kind = kindOf(resourceArn);
  if (kind !== 'rds-cluster') {
    throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an rds-cluster`);
  }
  return resourceIdOf(resourceArn).toLowerCase();
}

/**
 * RDS DB clusters (Aurora, and Multi-AZ DB clusters). Stopping a cluster stops its instances with it,
 * so the instances of a cluster are never registered on their own.
 */
export class RdsClusterDriver implements Driver {
  readonly kind = 'rds-cluster' as const;

  constructor(
    private readonly tag: ManagedTag,
    private readonly client: RDSClient,
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const ids = resourceArns.map(identifierOf);
    const found = new Map<string, DBCluster>();
    for (const batch of chunk([...new Set(ids)], DESCRIBE_BATCH)) {
      // A filter, not DBClusterIdentifier: one call for many clusters, and a missing one is simply left out
      // of the answer instead of failing the call with DBClusterNotFoundFault.
      const pages = paginateDescribeDBClusters(
        { client: this.client },
        { Filters: [{ Name: 'db-cluster-id', Values: batch }] },
      );
      for await (const page of pages) {
        for (const cluster of page.DBClusters ?? []) {
          if (cluster.DBClusterIdentifier) found.set(cluster.DBClusterIdentifier.toLowerCase(), cluster);
        }
      }
    }
    return resourceArns.map((resourceArn, index) =>
      this.observe(resourceArn, found.get(ids[index] as string)),
    );
  }

  async stop(resourceArns: readonly string[]): Promise<void> {
    const ids = [...new Set(resourceArns.map(identifierOf))];
    await mapWithConcurrency(ids, CONCURRENCY, (id) =>
      this.client.send(new StopDBClusterCommand({ DBClusterIdentifier: id })),
    );
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    const ids = [...new Set(targets.map((target) => identifierOf(target.resourceArn)))];
    await mapWithConcurrency(ids, CONCURRENCY, (id) =>
      this.client.send(new StartDBClusterCommand({ DBClusterIdentifier: id })),
    );
  }

  private observe(resourceArn: string, cluster: DBCluster | undefined): Observation {
    if (!cluster) return { resourceArn, state: 'not-found', detail: 'not found' };
    const word = cluster.Status ?? 'unknown';
    // DescribeDBClusters returns the tags itself (TagList), so no ListTagsForResource per cluster.
    const managed = (cluster.TagList ?? []).some((t) => t.Key === this.tag.key && t.Value === this.tag.value);
    if (!managed) return { resourceArn, state: 'not-managed', detail: word };
    switch (word) {
      case 'available':
        // Aurora Serverless v1 scales to zero by itself and RDS refuses to stop it.
        if (cluster.EngineMode === 'serverless') {
          return {
            resourceArn,
            state: 'running',
            detail: `${word} (Aurora Serverless v1, cannot be stopped)`,
          };
        }
        return { resourceArn, state: 'running', detail: word, restore: {} };
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

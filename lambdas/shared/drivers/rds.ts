import {
  type DBCluster,
  type DBInstance,
  type Filter,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type RDSClient,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { kindOf, resourceIdOf } from '../arn';
import { chunk, mapWithConcurrency } from '../concurrency';
import type { ManagedTag } from '../contract';
import { UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import { type Driver, hasManagedTag, keyTagOf, type Observed, type RestoreTarget } from './driver';

/**
 * The status RDS gives a database it took down because it cannot use the key: a start brings it back
 * once the key is usable, for 7 days; then it is `inaccessible-encryption-credentials`, for good.
 */
export const RDS_RECOVERABLE_STATUS = 'inaccessible-encryption-credentials-recoverable';

/** Identifiers per Describe filter: RDS documents no cap, so stay at a modest batch. */
const DESCRIBE_BATCH = 100;
/** Stop and Start take one database per call; a few at a time stays under RDS's rate limits. */
const CONCURRENCY = 5;

/**
 * What tells a DB instance from a DB cluster for the driver: how to describe them, which fields hold
 * the identifier and the status, the calls that stop and start one, and why RDS would refuse to stop
 * one that is `available`. Everything else (the status words, the tag, the batching) is the same.
 */
interface RdsFlavour<R extends { readonly TagList?: Tag[] }, P> {
  readonly kind: 'rds-instance' | 'rds-cluster';
  readonly paginate: (config: { client: RDSClient }, input: { Filters: Filter[] }) => AsyncIterable<P>;
  readonly filterName: string;
  readonly itemsOf: (page: P) => readonly R[] | undefined;
  readonly identifierOf: (resource: R) => string | undefined;
  readonly statusOf: (resource: R) => string | undefined;
  readonly whyUnstoppable: (resource: R) => string | undefined;
  readonly stop: (client: RDSClient, identifier: string) => Promise<unknown>;
  readonly start: (client: RDSClient, identifier: string) => Promise<unknown>;
}

type InstancePage = { readonly DBInstances?: DBInstance[] };
type ClusterPage = { readonly DBClusters?: DBCluster[] };

/** RDS DB instances (not cluster members: their cluster is stopped as a whole, by the cluster flavour). */
const DB_INSTANCES: RdsFlavour<DBInstance, InstancePage> = {
  kind: 'rds-instance',
  paginate: paginateDescribeDBInstances,
  filterName: 'db-instance-id',
  itemsOf: (page) => page.DBInstances,
  identifierOf: (instance) => instance.DBInstanceIdentifier,
  statusOf: (instance) => instance.DBInstanceStatus,
  whyUnstoppable: (instance) => {
    if (instance.DBClusterIdentifier)
      return `a member of DB cluster ${instance.DBClusterIdentifier}, stopped only with its cluster: register the cluster`;
    // StopDBInstance refuses both (InvalidDBInstanceState): say which instance is on the other end.
    const source = instance.ReadReplicaSourceDBInstanceIdentifier;
    if (source) return `a read replica of ${source}, which RDS cannot stop`;
    const replicas = instance.ReadReplicaDBInstanceIdentifiers ?? [];
    if (replicas.length > 0) return `has read replicas (${replicas.join(', ')}), so RDS cannot stop it`;
    return undefined;
  },
  // Never DBSnapshotIdentifier: a stop must not leave snapshots behind for someone to pay for or delete.
  stop: (client, id) => client.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id })),
  start: (client, id) => client.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id })),
};

/**
 * RDS DB clusters (Aurora, and Multi-AZ DB clusters). Stopping a cluster stops its instances with it,
 * so the instances of a cluster are never registered on their own.
 */
const DB_CLUSTERS: RdsFlavour<DBCluster, ClusterPage> = {
  kind: 'rds-cluster',
  paginate: paginateDescribeDBClusters,
  filterName: 'db-cluster-id',
  itemsOf: (page) => page.DBClusters,
  identifierOf: (cluster) => cluster.DBClusterIdentifier,
  statusOf: (cluster) => cluster.Status,
  // Aurora Serverless v1 scales to zero by itself and RDS refuses to stop it.
  whyUnstoppable: (cluster) =>
    cluster.EngineMode === 'serverless' ? 'Aurora Serverless v1, cannot be stopped' : undefined,
  stop: (client, id) => client.send(new StopDBClusterCommand({ DBClusterIdentifier: id })),
  start: (client, id) => client.send(new StartDBClusterCommand({ DBClusterIdentifier: id })),
};

/**
 * One driver for both flavours of RDS database. The identifier is all the verbs need, and the ARN
 * holds it, so the observations carry no facts.
 */
class RdsDriver<R extends { readonly TagList?: Tag[] }, P> implements Driver {
  readonly kind: RdsFlavour<R, P>['kind'];

  constructor(
    private readonly flavour: RdsFlavour<R, P>,
    private readonly tag: ManagedTag,
    private readonly client: RDSClient,
    /** Makes the stop and start calls (a key role session); `client` reads. */
    private readonly actor: RDSClient,
  ) {
    this.kind = flavour.kind;
  }

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const ids = resourceArns.map((resourceArn) => this.identifierOf(resourceArn));
    const found = new Map<string, R>();
    for (const batch of chunk([...new Set(ids)], DESCRIBE_BATCH)) {
      // A filter, not the identifier parameter: one call for many databases, and a missing one is simply
      // left out of the answer instead of failing the call with DBInstanceNotFound or DBClusterNotFoundFault.
      const pages = this.flavour.paginate(
        { client: this.client },
        { Filters: [{ Name: this.flavour.filterName, Values: batch }] },
      );
      for await (const page of pages) {
        for (const resource of this.flavour.itemsOf(page) ?? []) {
          const id = this.flavour.identifierOf(resource);
          if (id) found.set(id.toLowerCase(), resource);
        }
      }
    }
    return resourceArns.map((resourceArn, index) => {
      const resource = found.get(ids[index] as string);
      return { ...this.observe(resourceArn, resource), ...keyTagOf(resource?.TagList) };
    });
  }

  async stop(observations: readonly Observed[]): Promise<void> {
    const ids = [...new Set(observations.map((observation) => this.identifierOf(observation.resourceArn)))];
    await mapWithConcurrency(ids, CONCURRENCY, (id) => this.flavour.stop(this.actor, id));
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    const ids = [...new Set(targets.map((target) => this.identifierOf(target.observation.resourceArn)))];
    await mapWithConcurrency(ids, CONCURRENCY, (id) => this.flavour.start(this.actor, id));
  }

  /** RDS identifiers are case-insensitive and AWS reports them in lower case. */
  private identifierOf(resourceArn: string): string {
    const kind = kindOf(resourceArn);
    if (kind !== this.kind) {
      throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an ${this.kind}`);
    }
    return resourceIdOf(resourceArn).toLowerCase();
  }

  private observe(resourceArn: string, resource: R | undefined): Observation {
    if (!resource) return { resourceArn, state: 'not-found', detail: 'not found' };
    const word = this.flavour.statusOf(resource) ?? 'unknown';
    // Said whatever the state and the tag, so that register and plan warn before any shutdown.
    const reason = this.flavour.whyUnstoppable(resource);
    const why = reason ? { cannotStop: reason } : {};
    // Describe returns the tags itself (TagList), so no ListTagsForResource per database.
    if (!hasManagedTag(resource.TagList, this.tag))
      return { resourceArn, state: 'not-managed', detail: word, ...why };
    switch (word) {
      case 'available': {
        if (reason) return { resourceArn, state: 'running', detail: `${word} (${reason})`, ...why };
        return { resourceArn, state: 'running', detail: word, restore: {} };
      }
      case 'stopped':
        return { resourceArn, state: 'stopped', detail: word };
      // RDS takes the database down by itself once it cannot use the key. Recoverable means a start
      // brings it back when the key returns, so it is remembered (restore) though already down.
      case RDS_RECOVERABLE_STATUS:
        return { resourceArn, state: 'stopped', detail: word, restore: {} };
      case 'inaccessible-encryption-credentials':
        return { resourceArn, state: 'stopped', detail: `${word} (not recoverable: restore from a backup)` };
      default:
        return { resourceArn, state: 'transitioning', detail: word, ...why };
    }
  }
}

/** The RDS driver for DB instances. */
export class RdsInstanceDriver extends RdsDriver<DBInstance, InstancePage> {
  constructor(tag: ManagedTag, client: RDSClient, actor: RDSClient = client) {
    super(DB_INSTANCES, tag, client, actor);
  }
}

/** The RDS driver for DB clusters. */
export class RdsClusterDriver extends RdsDriver<DBCluster, ClusterPage> {
  constructor(tag: ManagedTag, client: RDSClient, actor: RDSClient = client) {
    super(DB_CLUSTERS, tag, client, actor);
  }
}

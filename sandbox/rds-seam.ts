import type { ClientInstrument } from '../lambdas/shared/aws';

/**
 * RDS statuses moto cannot produce: a database that lost its key. In AWS, RDS itself takes such a
 * database to `inaccessible-encryption-credentials-recoverable`, and 7 days later to
 * `inaccessible-encryption-credentials`; moto knows neither. For the databases named here, the
 * reactor's DescribeDBInstances and DescribeDBClusters answers carry the status RDS would report. A
 * seam, announced wherever a scenario uses it (the `rds` step); every other call still goes to moto.
 */
export const RDS_SEAM_STATUSES = [
  'inaccessible-encryption-credentials-recoverable',
  'inaccessible-encryption-credentials',
] as const;
export type RdsSeamStatus = (typeof RDS_SEAM_STATUSES)[number];

export class RdsStatusSeam {
  private readonly statuses = new Map<string, RdsSeamStatus>();

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        const result = await next(args);
        if (this.statuses.size === 0) return result;
        if (context.commandName === 'DescribeDBInstancesCommand') {
          const output = result.output as {
            DBInstances?: { DBInstanceIdentifier?: string; DBInstanceStatus?: string }[];
          };
          for (const instance of output.DBInstances ?? []) {
            const status = this.statuses.get((instance.DBInstanceIdentifier ?? '').toLowerCase());
            if (status) instance.DBInstanceStatus = status;
          }
        }
        if (context.commandName === 'DescribeDBClustersCommand') {
          const output = result.output as {
            DBClusters?: { DBClusterIdentifier?: string; Status?: string }[];
          };
          for (const cluster of output.DBClusters ?? []) {
            const status = this.statuses.get((cluster.DBClusterIdentifier ?? '').toLowerCase());
            if (status) cluster.Status = status;
          }
        }
        return result;
      };
    (client.middlewareStack.add as (mw: unknown, options: object) => void)(middleware, {
      step: 'initialize',
      name: 'sandboxRdsStatusSeam',
      override: true,
    });
  };

  /** The database (instance or cluster identifier) reports `status` until cleared. */
  set(identifier: string, status: RdsSeamStatus): void {
    this.statuses.set(identifier.toLowerCase(), status);
  }

  /** The database reports what moto says again. */
  clear(identifier: string): void {
    this.statuses.delete(identifier.toLowerCase());
  }
}

/**
 * What the reactor cannot stop, and why (issue 14): the kinds AWS has no stop call for, and the RDS
 * instances StopDBInstance refuses. The reason is kept as facts, not words, so that each email language
 * words it (email/i18n) while the CLI and the logs use the English of `cannotStopText`.
 */

/** The kinds the reactor cannot stop: AWS has no stop call for them. */
export const UNSTOPPABLE_KINDS = [
  'elasticache-replication-group',
  'elasticache-serverless-cache',
  'efs-file-system',
  's3-bucket',
] as const;
export type UnstoppableKind = (typeof UNSTOPPABLE_KINDS)[number];

/** What every email and `plan` say of a resource AWS has no stop call for (both languages carry it: i18n). */
export const CANNOT_STOP_WHY = 'cannot be stopped; its data becomes unreadable while the key is unusable';

export type CannotStopReason =
  /** ElastiCache, EFS, S3: AWS has no stop call for the kind. */
  | { readonly kind: 'no-stop-call' }
  /** StopDBInstance refuses a read replica; `source` is its source's identifier. */
  | { readonly kind: 'read-replica'; readonly source: string }
  /** StopDBInstance refuses an instance that has read replicas, named here. */
  | { readonly kind: 'has-replicas'; readonly replicas: readonly string[] };

/** One resource that depends on a key and that the reactor cannot stop: what the emails list. */
export interface UnstoppableResource {
  readonly resourceArn: string;
  readonly kind: string;
  readonly reason: CannotStopReason;
}

/** Why StopDBInstance would refuse this instance, or undefined when it would not. */
export function rdsReplicaReason(instance: {
  readonly ReadReplicaSourceDBInstanceIdentifier?: string;
  readonly ReadReplicaDBInstanceIdentifiers?: readonly string[];
}): CannotStopReason | undefined {
  const source = instance.ReadReplicaSourceDBInstanceIdentifier;
  if (source) return { kind: 'read-replica', source };
  const replicas = instance.ReadReplicaDBInstanceIdentifiers ?? [];
  return replicas.length > 0 ? { kind: 'has-replicas', replicas: [...replicas] } : undefined;
}

/** The reason in English, as `plan`, `status`, `register` and the logs print it. */
export function cannotStopText(reason: CannotStopReason): string {
  switch (reason.kind) {
    case 'no-stop-call':
      return CANNOT_STOP_WHY;
    case 'read-replica':
      return (
        `cannot be stopped: an RDS read replica (of ${reason.source}), which StopDBInstance refuses; ` +
        'its data becomes unreadable while the key is unusable'
      );
    case 'has-replicas':
      return (
        `cannot be stopped: an RDS instance with read replicas (${reason.replicas.join(', ')}), which ` +
        'StopDBInstance refuses; its data becomes unreadable while the key is unusable'
      );
  }
}

/** A reason read back from the table, or undefined when the item does not hold one. */
export function reasonOf(value: unknown): CannotStopReason | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const item = value as { kind?: unknown; source?: unknown; replicas?: unknown };
  if (item.kind === 'no-stop-call') return { kind: 'no-stop-call' };
  if (item.kind === 'read-replica' && typeof item.source === 'string')
    return { kind: 'read-replica', source: item.source };
  if (item.kind === 'has-replicas' && Array.isArray(item.replicas))
    return {
      kind: 'has-replicas',
      replicas: item.replicas.filter((r): r is string => typeof r === 'string'),
    };
  return undefined;
}

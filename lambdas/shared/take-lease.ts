import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Store } from './store';
import type { ExecutionRunning, Lease } from './store/lease';

/** What a run needs to take its key's lease: who it is, and when the change it handles happened. */
export interface LeaseRequest {
  readonly keyArn: string;
  readonly executionName: string;
  readonly executionArn: string;
  /** When the change this run handles happened: a newer one makes this run stale. */
  readonly eventTime: string;
}

/** The lease taken, and whether this run still handles the key's newest change. */
export interface TakenLease extends Lease {
  readonly current: boolean;
}

/**
 * Whether the execution holding a lease still runs, as Step Functions says; one it no longer knows does
 * not. Asked only when the lease is held by another execution, so a free key costs no call.
 */
export function executionRunning(stepFunctions: SFNClient): ExecutionRunning {
  return async (executionArn) => {
    try {
      const { status } = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'RUNNING';
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  };
}

/**
 * Takes (or renews) the key's lease for the run, the execution name its owner, and says whether the run
 * still handles the key's newest change: a run made stale by a newer event must exit without acting.
 * LeaseTakenError while a live execution holds it, which the workflow retries.
 */
export async function takeLease(
  { store, stepFunctions }: { readonly store: Store; readonly stepFunctions: SFNClient },
  { keyArn, executionName, executionArn, eventTime }: LeaseRequest,
): Promise<TakenLease> {
  const lease = await store.leases.acquire(
    keyArn,
    executionName,
    executionArn,
    executionRunning(stepFunctions),
  );
  const current = await store.keyEvents.isCurrent(keyArn, { eventTime, executionName });
  return { ...lease, current };
}

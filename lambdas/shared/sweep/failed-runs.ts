import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  paginateListExecutions,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { mapWithConcurrency } from '../concurrency';
import { logger } from '../observability';

/** The ways a run ends badly. */
const FAILED_STATUSES: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];
/** Each failed run is read once for its key; past this many in a week, the rest are counted, not read. */
const MAX_DESCRIBED = 100;
/** DescribeExecution calls in flight: far under Step Functions' rate limits. */
const CONCURRENCY = 4;

export interface FailedRun {
  readonly name: string;
  readonly status: string;
  readonly stoppedAt: Date;
}

export interface FailedRuns {
  /** By key ARN, read from each run's input. */
  readonly byKey: ReadonlyMap<string, readonly FailedRun[]>;
  /** Failed runs that could not be tied to a key (too many to read, or an input without a key). */
  readonly unattributed: number;
}

/**
 * The runs of the two workflows that failed, timed out or were aborted since `since`, by key. The
 * execution's name carries only the key's short ID, so each is read (DescribeExecution) for its input's
 * `keyArn`.
 */
export async function failedRunsSince(
  stepFunctions: SFNClient,
  stateMachineArns: readonly string[],
  since: Date,
): Promise<FailedRuns> {
  const listed: ExecutionListItem[] = [];
  for (const stateMachineArn of stateMachineArns) {
    for (const statusFilter of FAILED_STATUSES) {
      const pages = paginateListExecutions({ client: stepFunctions }, { stateMachineArn, statusFilter });
      for await (const page of pages) {
        const executions = page.executions ?? [];
        listed.push(...executions.filter((execution) => (execution.stopDate ?? since) >= since));
        // Newest first: a page that started before the week (and its longest run) ends the search.
        const oldest = executions.at(-1)?.startDate;
        if (oldest && oldest.getTime() < since.getTime() - 2 * 24 * 60 * 60 * 1000) break;
      }
    }
  }
  const described = listed.slice(0, MAX_DESCRIBED);
  const keyed = await mapWithConcurrency(described, CONCURRENCY, async (execution) => ({
    execution,
    keyArn: await keyOf(stepFunctions, execution.executionArn),
  }));
  const byKey = new Map<string, FailedRun[]>();
  let unattributed = listed.length - described.length;
  for (const { execution, keyArn } of keyed) {
    if (!keyArn) {
      unattributed += 1;
      continue;
    }
    const runs = byKey.get(keyArn) ?? [];
    runs.push({
      name: execution.name ?? String(execution.executionArn),
      status: String(execution.status),
      stoppedAt: execution.stopDate ?? since,
    });
    byKey.set(keyArn, runs);
  }
  return { byKey, unattributed };
}

async function keyOf(
  stepFunctions: SFNClient,
  executionArn: string | undefined,
): Promise<string | undefined> {
  if (!executionArn) return undefined;
  const { input } = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  try {
    const keyArn = (JSON.parse(input ?? '{}') as { keyArn?: unknown }).keyArn;
    return typeof keyArn === 'string' ? keyArn : undefined;
  } catch {
    logger.warn('A failed run whose input is not JSON: counted, not tied to a key', { executionArn });
    return undefined;
  }
}

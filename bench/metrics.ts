import type { AwsCall } from '../sandbox/aws-calls';
import type { ExecutionRecord } from '../sandbox/local-workflows';

/**
 * Figures read from what the local run recorded: the interpreter's event log of each execution and
 * the SDK calls the handlers made (sandbox/aws-calls.ts).
 */

/** What one execution cost in Step Functions terms. */
export interface ExecutionFigures {
  readonly status: ExecutionRecord['status'];
  /** States entered (StateEntered events): what Step Functions bills as state transitions. */
  readonly transitions: number;
  /** Lambda invocations: Task states entered, plus their retries. */
  readonly taskInvocations: number;
  readonly retries: number;
  /** Turns of the poll loops: Wait states entered, apart from the grace period. */
  readonly polls: number;
  /** The history events the service would record for this run (see historyEvents). */
  readonly historyEvents: number;
}

/**
 * History events per state, as the service records them for a Standard workflow: a Lambda Task
 * writes TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded
 * and TaskStateExited (5); any other state writes its Entered and Exited events (2); each retry adds
 * LambdaFunctionFailed, LambdaFunctionScheduled and LambdaFunctionStarted (3); the execution adds
 * ExecutionStarted and its end (2). The 25,000-event limit applies to this count.
 */
export const HISTORY_EVENTS = { task: 5, otherState: 2, retry: 3, execution: 2 } as const;

const GRACE_WAIT = 'Wait for the grace period';

export function executionFigures(execution: ExecutionRecord): ExecutionFigures {
  let transitions = 0;
  let tasks = 0;
  let retries = 0;
  let polls = 0;
  for (const event of execution.events) {
    if (event.type === 'StateEntered') {
      transitions++;
      if (event.state.type === 'Task') tasks++;
      if (event.state.type === 'Wait' && event.state.name !== GRACE_WAIT) polls++;
    } else if (event.type === 'StateRetried') {
      retries++;
    }
  }
  return {
    status: execution.status,
    transitions,
    taskInvocations: tasks + retries,
    retries,
    polls,
    historyEvents:
      HISTORY_EVENTS.execution +
      tasks * HISTORY_EVENTS.task +
      (transitions - tasks) * HISTORY_EVENTS.otherState +
      retries * HISTORY_EVENTS.retry,
  };
}

/** Calls per `Service:Operation` (failed calls included: they count against rate limits too). */
export function callsByOperation(calls: readonly AwsCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const name = `${call.service}:${call.operation}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** A figure measured once per round: its smallest, median and largest value. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

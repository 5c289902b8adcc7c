import {
  type ExecutionListItem,
  ListExecutionsCommand,
  ListTagsForResourceCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { keyIdOf, shortKeyId } from '../lambdas/shared/arn';
import { ENV, GRACE_SECONDS_TAG } from '../lambdas/shared/contract';
import type { Workflow } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';
import type { CliSession } from './context';

/** `--disable-state-machine` and `--enable-state-machine`, or the environment the dispatcher also reads. */
export interface StateMachineOptions {
  readonly disableStateMachine?: string;
  readonly enableStateMachine?: string;
}

export function stateMachineArns(
  session: CliSession,
  options: StateMachineOptions,
): Partial<Record<Workflow, string>> {
  const disable = options.disableStateMachine ?? session.env[ENV.disableStateMachineArn];
  const enable = options.enableStateMachine ?? session.env[ENV.enableStateMachineArn];
  return { ...(disable ? { disable } : {}), ...(enable ? { enable } : {}) };
}

export interface KeyStateReading {
  /** KMS's KeyState, `NotFound` for a deleted key, or `Unknown` when it could not be read. */
  readonly keyState: string;
  readonly usable: boolean | null;
  readonly note?: string;
}

/** The key's real state, as the workflows read it (only Enabled is usable). Never fatal here. */
export async function readKeyState(r: Reactor, keyArn: string): Promise<KeyStateReading> {
  try {
    const { keyState, usable } = await r.keys.state(keyArn);
    return keyState === 'NotFound'
      ? { keyState, usable, note: 'deleted, or never existed' }
      : { keyState, usable };
  } catch (error) {
    const { name, message } =
      (error as Error).cause instanceof Error ? ((error as Error).cause as Error) : (error as Error);
    return { keyState: 'Unknown', usable: null, note: `${name}: ${(message ?? '').split('\n', 1)[0]}` };
  }
}

/**
 * The grace period the key-disabled workflow is deployed with, from the tag the construct puts on it, or
 * undefined when the state machine is not known or readable.
 */
export async function deployedGraceSeconds(
  r: Reactor,
  disableStateMachineArn?: string,
): Promise<number | undefined> {
  if (!disableStateMachineArn) return undefined;
  try {
    const { tags } = await r.stepFunctions.send(
      new ListTagsForResourceCommand({ resourceArn: disableStateMachineArn }),
    );
    const value = tags?.find((tag) => tag.key === GRACE_SECONDS_TAG)?.value;
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  } catch {
    return undefined;
  }
}

export interface KeyExecution {
  readonly workflow: Workflow;
  readonly name: string;
  readonly status: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly executionArn: string;
}

/** At most this many executions of each workflow are read, newest first, to find the key's. */
const MAX_PAGES = 10;

/**
 * The key's latest executions of each known workflow, newest first. Execution names start with the
 * workflow and the key's short ID (`disable-1234abcd-...`), so they are found by name.
 */
export async function latestExecutions(
  r: { readonly stepFunctions: SFNClient },
  keyArn: string,
  arns: Partial<Record<Workflow, string>>,
  limit = 5,
): Promise<{ executions: KeyExecution[]; problems: string[] }> {
  const short = shortKeyId(keyIdOf(keyArn));
  const problems: string[] = [];
  const found: KeyExecution[] = [];
  for (const [workflow, stateMachineArn] of Object.entries(arns) as [Workflow, string][]) {
    const prefix = `${workflow}-${short}-`;
    const mine: ExecutionListItem[] = [];
    try {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES && mine.length < limit; page++) {
        const result = await r.stepFunctions.send(
          new ListExecutionsCommand({ stateMachineArn, maxResults: 100, nextToken }),
        );
        mine.push(...(result.executions ?? []).filter((execution) => execution.name?.startsWith(prefix)));
        nextToken = result.nextToken;
        if (!nextToken) break;
      }
    } catch (error) {
      problems.push(
        `could not list the ${workflow} executions of ${stateMachineArn}: ${(error as Error).name}`,
      );
      continue;
    }
    found.push(
      ...mine.slice(0, limit).map((execution) => ({
        workflow,
        name: execution.name ?? '',
        status: execution.status ?? 'UNKNOWN',
        startDate: execution.startDate,
        stopDate: execution.stopDate,
        executionArn: execution.executionArn ?? '',
      })),
    );
  }
  found.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  return { executions: found, problems };
}

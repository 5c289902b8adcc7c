import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  DescribeStateMachineCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { keyIdOf, shortKeyId } from '../lambdas/shared/arn';
import { ENV } from '../lambdas/shared/contract';
import type { Workflow } from '../lambdas/shared/model';
import type { Reactor } from './context';

/** `--disable-state-machine` and `--enable-state-machine`, or the environment the dispatcher also reads. */
export interface StateMachineOptions {
  readonly disableStateMachine?: string;
  readonly enableStateMachine?: string;
}

export function stateMachineArns(options: StateMachineOptions): Partial<Record<Workflow, string>> {
  const disable = options.disableStateMachine ?? process.env[ENV.disableStateMachineArn];
  const enable = options.enableStateMachine ?? process.env[ENV.enableStateMachineArn];
  return { ...(disable ? { disable } : {}), ...(enable ? { enable } : {}) };
}

export interface KeyStateReading {
  /** KMS's KeyState, `NotFound` for a deleted key, or `Unknown` when it could not be read. */
  readonly keyState: string;
  readonly usable: boolean | null;
  readonly note?: string;
}

/** The key's real state, as the workflows read it: only Enabled is usable. Never fatal here. */
export async function readKeyState(r: Reactor, keyArn: string): Promise<KeyStateReading> {
  try {
    const { KeyMetadata } = await r.kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    const keyState = KeyMetadata?.KeyState ?? 'Unknown';
    return { keyState, usable: keyState === 'Enabled' };
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'NotFoundException')
      return { keyState: 'NotFound', usable: false, note: 'deleted, or never existed' };
    return { keyState: 'Unknown', usable: null, note: `${name}: ${(message ?? '').split('\n', 1)[0]}` };
  }
}

/**
 * The grace period the key-disabled workflow is deployed with, read from its definition (the value the
 * CDK substituted for `${GraceSeconds}`), or undefined when the state machine is not known or readable.
 */
export async function deployedGraceSeconds(
  r: Reactor,
  disableStateMachineArn?: string,
): Promise<number | undefined> {
  if (!disableStateMachineArn) return undefined;
  try {
    const { definition } = await r.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: disableStateMachineArn }),
    );
    const match = /"deployedGraceSeconds\.\$"\s*:\s*"States\.StringToJson\('(\d+)'\)"/.exec(definition ?? '');
    return match?.[1] === undefined ? undefined : Number(match[1]);
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
  r: Reactor,
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
        const result = await r.sfn.send(
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

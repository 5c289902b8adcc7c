// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); the machines here run Node 20.
import 'core-js/actual/promise/with-resolvers';
import './middy-require';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import { definitionValues, STEP_FUNCTIONS, substitute, WORKFLOWS } from '../lib/catalog';
import { currentExecution } from './execution-context';

/**
 * Runs the real workflow definitions (state-machines/*.asl.json) with aws-local-stepfunctions, each
 * Lambda task mapped to the real handler in-process. Only time is changed: the grace period, the poll
 * waits and the retry intervals are shortened.
 */

/** moto's default account and our default region; `simulate` replays events of other accounts and regions. */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

/** Where the local reactor runs: the account and Region in its ARNs. */
export interface LocalPlace {
  readonly account: string;
  readonly region: string;
}

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
type JsonValue = Parameters<StateMachine['run']>[0];
/** One entry of the interpreter's event log (the package does not export the type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface AslState {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[] }[];
  Seconds?: number;
  SecondsPath?: string;
  TimestampPath?: string;
  /** A Map state's iteration: its states are overridden like the workflow's own. */
  ItemProcessor?: AslDefinition;
}
interface AslDefinition {
  States: Record<string, AslState>;
}

export interface LocalTiming {
  /** How long "Wait for the grace period" really waits, in milliseconds. */
  readonly graceMs: number;
  /** The grace period the definition is deployed with (shown in emails and the console). @default graceMs / 1000 */
  readonly graceSeconds?: number;
  /** How long each poll Wait really waits. @default 20 */
  readonly pollMs?: number;
  /**
   * How long each Wait for the rate limits really waits; unset, the seconds the step asked for, in real
   * time, since the pacer's buckets refill in real time.
   */
  readonly paceMs?: number;
  /** How long each Retry really waits. @default 50 */
  readonly retryMs?: number;
  /**
   * How long a Retry on LeaseTakenError really waits: many workflows queued for one key's lease poll it
   * at this pace. @default retryMs
   */
  readonly leaseRetryMs?: number;
  /**
   * Time as the definitions have it: every Wait and Retry interval the ASL's own (the grace period from
   * graceSeconds), none of the above shortened. For the bench's modelled time, where waiting is free.
   * @default false
   */
  readonly asDefined?: boolean;
  /** Waited before each Task's function is invoked: Step Functions' own overhead. @default 0 */
  readonly taskOverheadMs?: number;
}

/** An execution's status, in Step Functions' own words. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly name: string;
  readonly workflow: Workflow;
  readonly executionArn: string;
  readonly input: KeyEvent;
  readonly startedAt: Date;
  status: ExecutionStatus;
  stoppedAt?: Date;
  output?: unknown;
  error?: { readonly Error: string; readonly Cause: string };
  readonly events: EventLog[];
  done: Promise<ExecutionRecord>;
}

export type ExecutionListener = (execution: ExecutionRecord, event: EventLog) => void;

function functionName(folder: string): string {
  return `key-reactor-${folder}`;
}

function functionArn(place: LocalPlace, folder: string): string {
  return `arn:aws:lambda:${place.region}:${place.account}:function:${functionName(folder)}`;
}

export function stateMachineArn(place: LocalPlace, workflow: Workflow): string {
  return `arn:aws:states:${place.region}:${place.account}:stateMachine:key-reactor-${workflow}`;
}

/** A workflow definition with the same substitutions the CDK construct deploys, function ARNs faked. */
export function loadDefinition(place: LocalPlace, workflow: Workflow, graceSeconds: number): AslDefinition {
  const definition = WORKFLOWS.find((candidate) => candidate.name === workflow);
  if (!definition) throw new Error(`Unknown workflow ${workflow}`);
  const values = definitionValues(graceSeconds, (folder) => functionArn(place, folder));
  return JSON.parse(substitute(readFileSync(definition.aslFile, 'utf8'), values)) as AslDefinition;
}

/**
 * The context Lambda would pass the function in `folder`; `remainingMs` counts down its timeout (a model
 * of Lambda's), where not given the time left is always 60 s.
 */
export function lambdaContext(place: LocalPlace, folder: string, remainingMs?: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: functionName(folder),
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(place, folder),
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName(folder)}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remainingMs ?? (() => 60_000),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Invokes the handler of the function in `folder` with `event`, as Lambda would. */
export type LocalInvoke = (folder: string, event: unknown) => Promise<unknown>;

/** The local stand-in for the Step Functions service: starts executions and keeps their records. */
export class LocalStepFunctions {
  readonly executions: ExecutionRecord[] = [];
  private readonly listeners: ExecutionListener[] = [];
  private readonly aborts = new Map<string, () => void>();
  /**
   * One validated state machine per workflow and grace period, as the service keeps one per deployment:
   * validating the definition costs ~0.3 s of CPU, which at K = 1,000 starts was minutes per cycle. A
   * StateMachine holds only its definition and options; each run() has its own state.
   */
  private readonly machines = new Map<
    string,
    { machine: StateMachine; overrides: ReturnType<LocalStepFunctions['overridesFor']> }
  >();

  constructor(
    private readonly timing: LocalTiming,
    private readonly place: LocalPlace,
    private readonly invoke: LocalInvoke,
  ) {}

  onEvent(listener: ExecutionListener): void {
    this.listeners.push(listener);
  }

  find(workflow: Workflow, name: string): ExecutionRecord | undefined {
    return this.executions.find((execution) => execution.workflow === workflow && execution.name === name);
  }

  /**
   * Stops a running execution as StopExecution (the console's Stop button) does: it ends ABORTED at
   * once, and a step already invoked runs to its end, as a Lambda invocation does. Returns the execution,
   * or undefined when there is no such execution; stopping an ended one changes nothing.
   */
  stop(executionArn: string): ExecutionRecord | undefined {
    const execution = this.executions.find((candidate) => candidate.executionArn === executionArn);
    if (execution?.status === 'RUNNING') this.aborts.get(executionArn)?.();
    return execution;
  }

  /** Starts an execution. Like the service, a name may be used once per state machine. */
  start(workflow: Workflow, name: string, input: KeyEvent): ExecutionRecord {
    if (this.find(workflow, name)) {
      const error = new Error(`Execution Already Exists: '${name}'`);
      error.name = 'ExecutionAlreadyExists';
      throw error;
    }
    const { machine, overrides } = this.machineFor(workflow);
    const executionArn = `${stateMachineArn(this.place, workflow).replace(':stateMachine:', ':execution:')}:${name}`;
    const run = currentExecution.run(name, () =>
      machine.run(input as unknown as JsonValue, {
        overrides,
        context: {
          Execution: { Id: executionArn, Name: name },
          StateMachine: { Id: stateMachineArn(this.place, workflow), Name: `key-reactor-${workflow}` },
        } as never,
      }),
    );
    this.aborts.set(executionArn, () => run.abort());
    const events: EventLog[] = [];
    const record: ExecutionRecord = {
      name,
      workflow,
      executionArn,
      input,
      startedAt: new Date(),
      status: 'RUNNING',
      events,
      done: Promise.resolve(undefined as never),
    };
    record.done = (async () => {
      for await (const event of run.eventLogs) {
        events.push(event);
        for (const listener of this.listeners) listener(record, event);
      }
      try {
        record.output = await run.result;
        record.status = 'SUCCEEDED';
      } catch (error) {
        const cause = (error as { cause?: { name?: string; message?: string } }).cause;
        record.status =
          error instanceof ExecutionAbortedError
            ? 'ABORTED'
            : error instanceof ExecutionTimeoutError
              ? 'TIMED_OUT'
              : 'FAILED';
        record.error = {
          Error: cause?.name ?? (error as Error).name,
          Cause: cause?.message ?? (error as Error).message,
        };
      }
      record.stoppedAt = new Date();
      this.aborts.delete(executionArn);
      return record;
    })();
    this.executions.push(record);
    return record;
  }

  /** Waits until every execution started so far, and any they lead to, has finished. */
  async settle(): Promise<void> {
    for (let seen = -1; seen !== this.executions.length; ) {
      seen = this.executions.length;
      await Promise.all(this.executions.map((execution) => execution.done));
    }
  }

  private machineFor(workflow: Workflow) {
    const graceSeconds = this.timing.graceSeconds ?? Math.ceil(this.timing.graceMs / 1000);
    const key = `${workflow}/${graceSeconds}`;
    const cached = this.machines.get(key);
    if (cached) return cached;
    const definition = loadDefinition(this.place, workflow, graceSeconds);
    const built = {
      machine: new StateMachine(definition as never, { validationOptions: { checkArn: false } }),
      // The handlers call this.invoke when a Task runs, so a later wrap of invoke still applies.
      overrides: this.overridesFor(definition),
    };
    this.machines.set(key, built);
    return built;
  }

  private overridesFor(definition: AslDefinition) {
    const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    const waitTimeOverrides: Record<string, number> = {};
    const retryIntervalOverrides: Record<string, number | number[]> = {};
    const folders = new Map(
      Object.values(STEP_FUNCTIONS).map((folder) => [functionArn(this.place, folder), folder]),
    );
    const everyState = (states: Record<string, AslState>): [string, AslState][] =>
      Object.entries(states).flatMap(([name, state]) => [
        [name, state] as [string, AslState],
        ...(state.ItemProcessor ? everyState(state.ItemProcessor.States) : []),
      ]);
    for (const [stateName, state] of everyState(definition.States)) {
      if (state.Type === 'Task') {
        const folder = state.Resource ? folders.get(state.Resource) : undefined;
        if (!folder)
          throw new Error(`State "${stateName}" invokes ${state.Resource}, which is no reactor function`);
        const overheadMs = this.timing.taskOverheadMs ?? 0;
        taskResourceLocalHandlers[stateName] = async (input) => {
          if (overheadMs > 0) await new Promise((resolve) => setTimeout(resolve, overheadMs));
          return (await this.invoke(folder, input)) as JsonValue;
        };
        if (this.timing.asDefined) continue;
        const retryMs = this.timing.retryMs ?? 50;
        retryIntervalOverrides[stateName] = (state.Retry ?? []).map((retrier) =>
          retrier.ErrorEquals.includes('LeaseTakenError') ? (this.timing.leaseRetryMs ?? retryMs) : retryMs,
        );
      }
      if (state.Type === 'Wait' && !this.timing.asDefined) {
        // Modelled runs wait as defined. Otherwise the grace period is the one Wait to a timestamp, a Wait
        // for the rate limits reads `paceSeconds`, and every other Wait is a poll interval.
        if (state.TimestampPath) waitTimeOverrides[stateName] = this.timing.graceMs;
        else if (state.SecondsPath?.endsWith('.paceSeconds')) {
          if (this.timing.paceMs !== undefined) waitTimeOverrides[stateName] = this.timing.paceMs;
        } else waitTimeOverrides[stateName] = this.timing.pollMs ?? 20;
      }
    }
    return { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides };
  }
}

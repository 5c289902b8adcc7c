import { ExecutionAlreadyExists, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import type { ClientInstrument } from '../lambdas/shared/aws';
import { type Clock, systemClock } from '../lambdas/shared/clock';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import { Reactor } from '../lambdas/shared/reactor';
import type { ReactorSettings } from '../lambdas/shared/settings';
import { keysAnsweredByTheirAccount } from './accounts';
import { AwsCallLog } from './aws-calls';
import type { EventBridgeEvent } from './cloudtrail';
import { LocalEventBus } from './event-bus';
import { FaultInjector } from './faults';
import { localHandlers } from './handlers';
import { createKeyRoles, keyRoleArns } from './key-roles';
import { KeyStateSeam } from './key-seams';
import {
  type ExecutionRecord,
  type LambdaHandler,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type LocalPlace,
  LocalStepFunctions,
  type LocalTiming,
  lambdaContext,
} from './local-workflows';
import { type MotoServer, startMoto } from './moto';
import { RdsStatusSeam } from './rds-seam';
import { ScalingSeam } from './scaling-seam';
import {
  type AwsClients,
  createReactorTable,
  DEMO,
  localSettings,
  SANDBOX_CREDENTIALS,
  worldClients,
} from './world';

/**
 * The whole reactor on one machine: a moto server for AWS, moto's EventBridge with the deployed rules,
 * the dispatcher and the workflow steps in-process, and aws-local-stepfunctions for Step Functions.
 * Used by `npm start`, `npm run simulate` and the end-to-end tests.
 */

export interface DispatchOutcome {
  readonly event: EventBridgeEvent;
  readonly accepted: boolean;
  readonly reason: string | null;
  readonly executionName?: string;
  readonly duplicate?: boolean;
}

/** What a sweep invocation returns (lambdas/sweep). */
export interface SweepSummary {
  readonly keys: number;
  readonly inSync: number;
  readonly busy: number;
  readonly drift: number;
  readonly unreadable: number;
  readonly failed: number;
  readonly warningsSent: number;
  readonly drifts: readonly {
    readonly keyArn: string;
    readonly workflow: Workflow;
    readonly reason: string;
  }[];
}

/**
 * How Lambda runs an invocation, for a model of it (the bench's warm pools and cold starts): `invoke`
 * runs `handler` when and as the model says, handing it the time its context reports as left.
 */
export interface InvocationModel {
  invoke(folder: string, handler: (remainingMs: () => number) => Promise<unknown>): Promise<unknown>;
}

export interface LocalReactorOptions extends LocalTiming {
  /** The AWS account the world lives in. @default moto's 123456789012 */
  readonly account?: string;
  /** @default us-east-1 */
  readonly region?: string;
  /**
   * Other accounts whose keys the reactor serves (the deployed `allowedAccounts`), besides its own.
   * @default none: only the reactor's own account
   */
  readonly allowedAccounts?: readonly string[];
  /** IDs for the next KMS keys created, so a recorded event's key can be recreated. */
  readonly kmsKeyIds?: readonly string[];
  /** Attached to the reactor's clients besides the sandbox's own (the bench's call timer). @default none */
  readonly instrument?: readonly ClientInstrument[];
  /** The reactor's clock. @default the system clock */
  readonly clock?: Clock;
  /** Settings besides the sandbox's own (a tiny time box, to make a small fleet take several turns). @default none */
  readonly settings?: Partial<ReactorSettings>;
  /**
   * A moto server to use (a test worker's), reset first, instead of starting one; it must run with
   * MOTO_ECS_SERVICE_RUNNING. `kmsKeyIds` needs a server of its own. @default a new server
   */
  readonly moto?: MotoServer;
  /** A model of Lambda's invocations (cold starts, timeouts). @default each handler called at once */
  readonly invocations?: InvocationModel;
}

export class LocalReactor {
  /** Every AWS call the reactor's handlers made. */
  readonly calls = new AwsCallLog();
  /** Throttling and outages injected into the reactor's calls (never the world's own). */
  readonly faults = new FaultInjector();
  /** Key states moto cannot produce (a declared seam). */
  readonly keySeam = new KeyStateSeam();
  /** RDS statuses moto cannot produce (a database that lost its key): the scenarios' `rds` step. */
  readonly rdsSeam = new RdsStatusSeam();
  /** Application Auto Scaling's fight with a stop, which moto does not wage (a declared seam, off by default). */
  readonly scalingSeam: ScalingSeam;
  readonly dispatches: DispatchOutcome[] = [];
  /** The reactor's parts, pointed at moto: what the handlers run with, and what tests may read. */
  readonly reactor: Reactor;
  readonly stepFunctions: LocalStepFunctions;
  readonly clients: AwsClients;
  private readonly handlers: Record<string, LambdaHandler>;
  /** Function invocations not yet returned, a stopped execution's last step among them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly invocations: InvocationModel | undefined;

  private constructor(
    readonly moto: MotoServer,
    private eventBus: LocalEventBus,
    readonly place: LocalPlace,
    options: LocalReactorOptions,
  ) {
    this.clients = worldClients(moto.endpoint, place.region);
    this.invocations = options.invocations;
    this.scalingSeam = new ScalingSeam(this.clients, moto.endpoint);
    this.stepFunctions = new LocalStepFunctions(options, place, (folder, event) =>
      this.invoke(folder, event),
    );
    this.reactor = new Reactor(
      localSettings(place, {
        allowedAccounts: options.allowedAccounts ?? [],
        keyRoleArns: keyRoleArns(place),
        ...options.settings,
      }),
      {
        endpoint: moto.endpoint,
        region: place.region,
        credentials: SANDBOX_CREDENTIALS,
        instrument: [
          this.calls.instrument,
          this.faults.instrument,
          keysAnsweredByTheirAccount,
          this.keySeam.instrument,
          this.rdsSeam.instrument,
          this.scalingSeam.instrument,
          answerStepFunctions(this.stepFunctions),
          ...(options.instrument ?? []),
        ],
      },
      options.clock ?? systemClock,
    );
    this.handlers = localHandlers(this.reactor);
  }

  static async start(options: LocalReactorOptions): Promise<LocalReactor> {
    const place = { account: options.account ?? LOCAL_ACCOUNT, region: options.region ?? LOCAL_REGION };
    const moto =
      options.moto ??
      (await startMoto({
        env: { MOTO_ECS_SERVICE_RUNNING: String(DEMO.desiredCount), MOTO_ACCOUNT_ID: place.account },
        kmsKeyIds: options.kmsKeyIds,
      }));
    if (options.moto) await moto.reset();
    try {
      await createReactorTable(worldClients(moto.endpoint, place.region));
      await createKeyRoles(moto.endpoint, place);
      const bus = await LocalEventBus.create(moto.endpoint, place.region, place.account);
      return new LocalReactor(moto, bus, place, options);
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  /** Invokes the function in `folder` (lambdas/<folder>) in-process, as Lambda would. */
  invoke(folder: string, event: unknown): Promise<unknown> {
    const handler = this.handlers[folder];
    if (!handler) throw new Error(`No reactor function in lambdas/${folder}`);
    const invocation = this.invocations
      ? this.invocations.invoke(folder, (remainingMs) =>
          handler(event, lambdaContext(this.place, folder, remainingMs)),
        )
      : handler(event, lambdaContext(this.place, folder));
    this.inFlight.add(invocation);
    const done = () => this.inFlight.delete(invocation);
    invocation.then(done, done);
    return invocation;
  }

  /**
   * Puts the event on EventBridge and hands whatever the rules deliver to the dispatcher, as the
   * rules' Lambda target would. Returns one outcome per delivery: none when no rule matched.
   */
  async publish(event: EventBridgeEvent): Promise<DispatchOutcome[]> {
    await this.bus.put(event);
    return this.deliver();
  }

  /**
   * Runs the sweep once, as its schedule would, then hands the drift events it put on EventBridge to
   * the dispatcher. Returns what the sweep returned and the deliveries.
   */
  async sweep(): Promise<{ readonly summary: SweepSummary; readonly dispatched: DispatchOutcome[] }> {
    const summary = await this.runSweep();
    return { summary, dispatched: await this.deliver() };
  }

  /** Runs the sweep once and leaves its drift events on EventBridge, for `deliver` to hand over. */
  runSweep(): Promise<SweepSummary> {
    return this.invoke('sweep', {}) as Promise<SweepSummary>;
  }

  /** Hands whatever the rules delivered so far to the dispatcher, as the rules' Lambda target would. */
  async deliver(): Promise<DispatchOutcome[]> {
    const outcomes: DispatchOutcome[] = [];
    for (const delivered of await this.bus.drain()) outcomes.push(await this.dispatch(delivered));
    this.dispatches.push(...outcomes);
    return outcomes;
  }

  /**
   * Hands one delivered event to the dispatcher as the rules' Lambda target does: an asynchronous
   * invocation, which Lambda retries twice when it fails (a throttled table, say) before the event goes
   * to the dead-letter queue, here thrown.
   */
  async dispatch(event: EventBridgeEvent): Promise<DispatchOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = (await this.invoke('dispatcher', event)) as {
          accepted: boolean;
          reason?: string;
          executionName?: string;
          duplicate?: boolean;
        };
        return {
          event,
          accepted: result.accepted,
          reason: result.reason ?? null,
          executionName: result.executionName,
          duplicate: result.duplicate,
        };
      } catch (error) {
        if (attempt >= ASYNC_INVOKE_ATTEMPTS) throw error;
      }
    }
  }

  get bus(): LocalEventBus {
    return this.eventBus;
  }

  /**
   * A fresh world on the same moto server, for tests that need many: clears moto, creates the table and
   * the rules again, and forgets the executions, deliveries and recorded calls. Call it once every
   * execution has settled.
   */
  async reset(): Promise<void> {
    await this.moto.reset();
    await createReactorTable(this.clients);
    await createKeyRoles(this.moto.endpoint, this.place);
    this.eventBus = await LocalEventBus.create(this.moto.endpoint, this.place.region, this.place.account);
    this.stepFunctions.executions.length = 0;
    this.dispatches.length = 0;
    this.calls.clear();
  }

  get executions(): readonly ExecutionRecord[] {
    return this.stepFunctions.executions;
  }

  /** Waits for every execution started so far to finish. */
  settle(): Promise<void> {
    return this.stepFunctions.settle();
  }

  /**
   * Waits until the reactor is idle: no execution running, no function invocation under way (a stopped
   * execution's last step runs to its end), no event on the bus waiting for the dispatcher. Whatever
   * the bus holds is delivered on the way. Returns the deliveries it made.
   */
  async idle(): Promise<DispatchOutcome[]> {
    const delivered: DispatchOutcome[] = [];
    for (;;) {
      await this.settle();
      await Promise.allSettled([...this.inFlight]);
      const more = await this.deliver();
      delivered.push(...more);
      const running = this.executions.some((execution) => execution.status === 'RUNNING');
      if (more.length === 0 && !running && this.inFlight.size === 0) return delivered;
    }
  }

  stop(): Promise<void> {
    return this.moto.stop();
  }
}

/** An asynchronous Lambda invocation: the first attempt and Lambda's two retries. */
const ASYNC_INVOKE_ATTEMPTS = 3;

type StartExecutionInput = { stateMachineArn?: string; name?: string; input?: string };
type Answer = { output: Record<string, unknown>; response: object };

/**
 * The handlers call Step Functions through the SDK as they do in AWS; here StartExecution,
 * DescribeExecution and StopExecution are answered by the local Step Functions, with the service's
 * rules: a name is used once per state machine, asking again for a running execution with the same
 * input returns it, an unknown execution is ExecutionDoesNotExist. Answered below the SDK's retry and
 * the scripted faults (the same step and priority, added after them), so a scenario can fail these
 * calls too, and above the random faults, which never reached them.
 */
function answerStepFunctions(stepFunctions: LocalStepFunctions): ClientInstrument {
  const answers: Record<string, (input: Record<string, unknown>) => Answer> = {
    StartExecutionCommand: (input) => startExecution(stepFunctions, input as StartExecutionInput),
    DescribeExecutionCommand: (input) => {
      const execution = existing(stepFunctions, input.executionArn);
      return answer({
        executionArn: execution.executionArn,
        stateMachineArn: execution.executionArn
          .slice(0, execution.executionArn.lastIndexOf(':'))
          .replace(':execution:', ':stateMachine:'),
        name: execution.name,
        status: execution.status,
        startDate: execution.startedAt,
        stopDate: execution.stoppedAt,
        input: JSON.stringify(execution.input),
        output: execution.output === undefined ? undefined : JSON.stringify(execution.output),
        error: execution.error?.Error,
        cause: execution.error?.Cause,
      });
    },
    StopExecutionCommand: (input) => {
      stepFunctions.stop(existing(stepFunctions, input.executionArn).executionArn);
      return answer({ stopDate: new Date() });
    },
  };
  return (client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        const respond = answers[context.commandName ?? ''];
        return respond ? respond(args.input as Record<string, unknown>) : next(args);
      };
    (client.middlewareStack.add as (mw: unknown, options: object) => void)(middleware, {
      step: 'finalizeRequest',
      priority: 'normal',
      name: 'localStepFunctions',
      override: true,
    });
  };
}

function answer(output: Record<string, unknown>): Answer {
  return { output: { ...output, $metadata: {} }, response: {} };
}

function existing(stepFunctions: LocalStepFunctions, executionArn: unknown): ExecutionRecord {
  const execution = stepFunctions.executions.find((candidate) => candidate.executionArn === executionArn);
  if (!execution) {
    throw new ExecutionDoesNotExist({
      message: `Execution Does Not Exist: '${String(executionArn)}'`,
      $metadata: { httpStatusCode: 400 },
    });
  }
  return execution;
}

function startExecution(stepFunctions: LocalStepFunctions, input: StartExecutionInput): Answer {
  const { stateMachineArn = '', name = '', input: text = '{}' } = input;
  const workflow: Workflow = stateMachineArn.endsWith('-enable') ? 'enable' : 'disable';
  const found = stepFunctions.find(workflow, name);
  if (found && found.status === 'RUNNING' && JSON.stringify(found.input) === text) {
    return answer({ executionArn: found.executionArn, startDate: found.startedAt });
  }
  if (found) {
    throw new ExecutionAlreadyExists({
      message: `Execution Already Exists: '${name}'`,
      $metadata: { httpStatusCode: 400 },
    });
  }
  const execution = stepFunctions.start(workflow, name, JSON.parse(text) as KeyEvent);
  return answer({ executionArn: execution.executionArn, startDate: execution.startedAt });
}

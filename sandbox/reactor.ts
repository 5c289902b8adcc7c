import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { instrumentClients } from '../lambdas/shared/clients/registry';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import { AwsCallLog } from './aws-calls';
import type { EventBridgeEvent } from './cloudtrail';
import { LocalEventBus } from './event-bus';
import {
  type ExecutionRecord,
  invokeLocally,
  LocalStepFunctions,
  type LocalTiming,
  localRegion,
} from './local-workflows';
import { type MotoServer, startMoto } from './moto';
import { type AwsClients, createReactorTable, DEMO, reactorEnvironment, worldClients } from './world';

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

export interface LocalReactorOptions extends LocalTiming {
  /** The AWS account the world lives in. @default moto's 123456789012 */
  readonly account?: string;
  /** @default us-east-1 */
  readonly region?: string;
  /** IDs for the next KMS keys created, so a recorded event's key can be recreated. */
  readonly kmsKeyIds?: readonly string[];
}

export class LocalReactor {
  readonly calls = new AwsCallLog();
  readonly dispatches: DispatchOutcome[] = [];

  private constructor(
    readonly moto: MotoServer,
    readonly clients: AwsClients,
    private eventBus: LocalEventBus,
    readonly stepFunctions: LocalStepFunctions,
    readonly account: string,
  ) {
    bridgeStartExecution(stepFunctions);
  }

  static async start(options: LocalReactorOptions): Promise<LocalReactor> {
    const account = options.account ?? '123456789012';
    if (options.region) process.env.AWS_REGION = options.region;
    process.env.SANDBOX_ACCOUNT_ID = account;
    const moto = await startMoto({
      env: { MOTO_ECS_SERVICE_RUNNING: String(DEMO.desiredCount), MOTO_ACCOUNT_ID: account },
      kmsKeyIds: options.kmsKeyIds,
    });
    try {
      Object.assign(process.env, reactorEnvironment(moto.endpoint));
      const clients = worldClients(moto.endpoint);
      await createReactorTable(clients);
      const bus = await LocalEventBus.create(moto.endpoint, localRegion(), account);
      return new LocalReactor(moto, clients, bus, new LocalStepFunctions(options), account);
    } catch (error) {
      await moto.stop();
      throw error;
    }
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
    return invokeLocally('sweep', {}) as Promise<SweepSummary>;
  }

  /** Hands whatever the rules delivered so far to the dispatcher, as the rules' Lambda target would. */
  async deliver(): Promise<DispatchOutcome[]> {
    const outcomes: DispatchOutcome[] = [];
    for (const delivered of await this.bus.drain()) {
      const result = (await invokeLocally('dispatcher', delivered)) as {
        accepted: boolean;
        reason?: string;
        executionName?: string;
        duplicate?: boolean;
      };
      outcomes.push({
        event: delivered,
        accepted: result.accepted,
        reason: result.reason ?? null,
        executionName: result.executionName,
        duplicate: result.duplicate,
      });
    }
    this.dispatches.push(...outcomes);
    return outcomes;
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
    this.eventBus = await LocalEventBus.create(this.moto.endpoint, localRegion(), this.account);
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

  stop(): Promise<void> {
    return this.moto.stop();
  }
}

type StartExecutionInput = { stateMachineArn?: string; name?: string; input?: string };

/**
 * The dispatcher calls StartExecution through the SDK as it does in AWS; here the call is answered by
 * the local Step Functions, with the service's rule: a name is used once per state machine, and asking
 * again for a running execution with the same input returns it.
 */
function bridgeStartExecution(stepFunctions: LocalStepFunctions): void {
  instrumentClients((client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        if (context.commandName !== 'StartExecutionCommand') return next(args);
        const { stateMachineArn = '', name = '', input = '{}' } = args.input as StartExecutionInput;
        const workflow: Workflow = stateMachineArn.endsWith('-enable') ? 'enable' : 'disable';
        const existing = stepFunctions.find(workflow, name);
        if (existing && existing.status === 'RUNNING' && JSON.stringify(existing.input) === input) {
          return {
            output: { executionArn: existing.executionArn, startDate: existing.startedAt, $metadata: {} },
            response: {},
          };
        }
        if (existing) {
          throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${name}'`, $metadata: {} });
        }
        const execution = stepFunctions.start(workflow, name, JSON.parse(input) as KeyEvent);
        return {
          output: { executionArn: execution.executionArn, startDate: execution.startedAt, $metadata: {} },
          response: {},
        };
      };
    (client.middlewareStack.add as (mw: unknown, options: object) => void)(middleware, {
      step: 'initialize',
      name: 'localStepFunctions',
      override: true,
    });
  });
}

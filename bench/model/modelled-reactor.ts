import { DEPLOYED_PACING } from '../../lambdas/shared/settings';
import { LocalReactor, type LocalReactorOptions } from '../../sandbox/reactor';
import { AwsModel, type AwsModelOptions } from './aws-model';
import { LambdaModel, type LambdaModelOptions, TASK_OVERHEAD } from './lambda-model';
import { VirtualClock, type VirtualClockOptions } from './virtual-clock';

/**
 * The sandbox's local reactor in modelled time: the AWS model on its clients, the Lambda model on its
 * invocations, the workflows' Waits and Retries as the definitions have them, and the process on the
 * virtual clock. What the bench runs a scenario on.
 */

export interface ModelledReactorOptions
  extends Omit<LocalReactorOptions, 'invocations' | 'asDefined' | 'graceMs' | 'clock'> {
  /** The deployed grace period; the disable workflow waits it, in modelled time. @default 600 */
  readonly graceSeconds?: number;
  /** Each function's module init (bench/bundles.ts), and the Lambda model's other figures. */
  readonly lambda: LambdaModelOptions;
  readonly aws?: AwsModelOptions;
  readonly virtualClock?: VirtualClockOptions;
  /** @default TASK_OVERHEAD.ms */
  readonly taskOverheadMs?: number;
}

export class ModelledReactor {
  private constructor(
    readonly local: LocalReactor,
    readonly clock: VirtualClock,
    readonly aws: AwsModel,
    readonly lambda: LambdaModel,
  ) {}

  /**
   * Starts the local reactor (its moto server) in real time, then installs the virtual clock: from here
   * until `stop`, the process's timers and Date are modelled, and work must go through `run`.
   */
  static async start(options: ModelledReactorOptions): Promise<ModelledReactor> {
    const aws = new AwsModel(options.aws);
    const lambda = new LambdaModel(options.lambda);
    const graceSeconds = options.graceSeconds ?? 600;
    const { lambda: _lambda, aws: _aws, virtualClock, ...reactorOptions } = options;
    const local = await LocalReactor.start({
      ...reactorOptions,
      graceMs: graceSeconds * 1000,
      graceSeconds,
      // Paced as deployed (buckets shared through the table) unless the caller says otherwise.
      settings: { pacing: DEPLOYED_PACING, ...reactorOptions.settings },
      asDefined: true,
      taskOverheadMs: options.taskOverheadMs ?? TASK_OVERHEAD.ms,
      invocations: lambda,
      instrument: [...(options.instrument ?? []), aws.instrument],
    });
    return new ModelledReactor(local, VirtualClock.install(virtualClock), aws, lambda);
  }

  /** Runs `work` in modelled time (VirtualClock.run). */
  run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    return this.clock.run(work);
  }

  /**
   * A fresh world for the next scenario: moto reset (LocalReactor.reset), full buckets, every function
   * cold. The virtual clock runs on; figures are differences of it.
   */
  async reset(): Promise<void> {
    await this.run(() => this.local.reset());
    this.aws.reset();
    this.lambda.coldStart();
    this.lambda.clearStats();
  }

  /** Uninstalls the clock first (moto's stop waits in real time), then stops moto if it was started here. */
  async stop(): Promise<void> {
    this.clock.uninstall();
    await this.local.stop();
  }
}

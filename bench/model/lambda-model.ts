import { LIMITS } from '../../lambdas/shared/contract';
import { DISPATCHER_FUNCTION, SWEEP_FUNCTION } from '../../lib/catalog';
import type { InvocationModel } from '../../sandbox/reactor';
import type { BundleFigures } from '../bundles';

/**
 * Lambda as the bench models it, for the sandbox's in-process invocations (LocalReactorOptions.invocations):
 * each function has a pool of execution environments. An invocation that finds none idle waits a cold
 * start (the runtime's init, then the bundle's own module init as bench/bundles.ts measured it) and adds
 * one to the pool; one that finds an idle environment waits only the invoke overhead. An environment idle
 * longer than its lifetime is gone. Each invocation's context counts its time left down from the
 * function's timeout on the process's clock, and an invocation that outlives its timeout fails as Lambda
 * fails it, `Sandbox.Timedout`, which the workflow's Tasks retry.
 */

export interface Figure {
  readonly ms: number;
  readonly source: string;
}

/** The runtime's part of a cold start: placing the environment, starting Node, before the bundle loads. */
export const RUNTIME_INIT: Figure = {
  ms: 150,
  source:
    'assumption: AWS publishes no figure; its blog (https://aws.amazon.com/blogs/compute/operating-lambda-performance-optimization-part-1/) puts whole cold starts between under 100 ms and over 1 s, and a 256 MB Node.js function with a small bundle sits near the low end, so 150 ms before the bundle loads',
};

/** What an invocation of a warm environment adds before the handler runs. */
export const WARM_OVERHEAD: Figure = {
  ms: 5,
  source:
    'assumption: AWS publishes no figure; a warm invoke adds single-digit milliseconds before the handler',
};

/** How long an idle environment lives before Lambda reclaims it. */
export const IDLE_LIFETIME: Figure = {
  ms: 5 * 60_000,
  source:
    'assumption: AWS documents no lifetime (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: environments are kept "for some time"); observers report idle ones reclaimed after 5 to 15 minutes, so 5 minutes, the cold side',
};

/** A Task's own overhead in Step Functions (Standard), before its function is invoked. */
export const TASK_OVERHEAD: Figure = {
  ms: 30,
  source:
    'assumption: AWS publishes no state transition latency for Standard workflows; tens of milliseconds per Task, as execution histories commonly show between TaskScheduled and LambdaFunctionStarted',
};

/** The timeouts the construct deploys (lib/reactor-steps.ts, reactor-intake.ts, reactor-sweep.ts), in ms. */
export function deployedTimeoutMs(folder: string): number {
  if (folder === DISPATCHER_FUNCTION) return 30_000;
  // The sweep's with the default 5-minute interval: min(300, max(50, interval - 10)) seconds.
  if (folder === SWEEP_FUNCTION)
    return Math.min(300, Math.max(50, LIMITS.defaultSweepMinutes * 60 - 10)) * 1000;
  return LIMITS.stepTimeoutSeconds * 1000;
}

export interface LambdaModelOptions {
  /** Each function's module init, median ms, by folder: bench/bundles.ts measureBundles' figures. */
  readonly bundles: readonly Pick<BundleFigures, 'function' | 'initMs'>[];
  /** A bundle not measured: its module init is taken as this. @default the slowest measured */
  readonly unmeasuredInitMs?: number;
  /** @default RUNTIME_INIT.ms */
  readonly runtimeInitMs?: number;
  /** @default WARM_OVERHEAD.ms */
  readonly warmOverheadMs?: number;
  /** @default IDLE_LIFETIME.ms */
  readonly idleLifetimeMs?: number;
  /** @default deployedTimeoutMs */
  readonly timeoutMs?: (folder: string) => number;
}

/** What Lambda answers an invocation that outlived its function's timeout with. */
export class LambdaTimeoutError extends Error {
  constructor(folder: string, timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (key-reactor-${folder}, modelled)`);
    this.name = 'Sandbox.Timedout';
  }
}

export interface FunctionStats {
  readonly cold: number;
  readonly warm: number;
  readonly timedOut: number;
}

interface Environment {
  idleSince: number;
}

const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

export class LambdaModel implements InvocationModel {
  private readonly idle = new Map<string, Environment[]>();
  private readonly counts = new Map<string, { cold: number; warm: number; timedOut: number }>();
  private readonly initMs: ReadonlyMap<string, number>;

  constructor(private readonly options: LambdaModelOptions) {
    this.initMs = new Map(options.bundles.map((bundle) => [bundle.function, bundle.initMs.median]));
  }

  /** Every environment gone: the next invocation of each function starts cold. */
  coldStart(): void {
    this.idle.clear();
  }

  /** Forgets the counts of `stats`. */
  clearStats(): void {
    this.counts.clear();
  }

  stats(): Readonly<Record<string, FunctionStats>> {
    return Object.fromEntries(this.counts);
  }

  /** The modelled cold start of `folder`: the runtime's init and its bundle's module init. */
  coldStartMs(folder: string): number {
    const fallback = this.options.unmeasuredInitMs ?? Math.max(0, ...this.initMs.values());
    return (this.options.runtimeInitMs ?? RUNTIME_INIT.ms) + (this.initMs.get(folder) ?? fallback);
  }

  async invoke(folder: string, handler: (remainingMs: () => number) => Promise<unknown>): Promise<unknown> {
    const count = this.counts.get(folder) ?? { cold: 0, warm: 0, timedOut: 0 };
    this.counts.set(folder, count);
    const environment = this.takeIdle(folder);
    if (environment) {
      count.warm++;
      await sleep(this.options.warmOverheadMs ?? WARM_OVERHEAD.ms);
    } else {
      count.cold++;
      await sleep(this.coldStartMs(folder));
    }
    // The timeout counts from the invoke, after the init, as Lambda's does for on-demand functions.
    const timeoutMs = (this.options.timeoutMs ?? deployedTimeoutMs)(folder);
    const deadline = Date.now() + timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LambdaTimeoutError(folder, timeoutMs)), timeoutMs);
    });
    try {
      const result = await Promise.race([handler(() => Math.max(0, deadline - Date.now())), timedOut]);
      this.release(folder, environment ?? { idleSince: 0 });
      return result;
    } catch (error) {
      // A timed-out environment is torn down; one whose handler threw is kept, as Lambda keeps it.
      if (error instanceof LambdaTimeoutError) count.timedOut++;
      else this.release(folder, environment ?? { idleSince: 0 });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private takeIdle(folder: string): Environment | undefined {
    const lifetime = this.options.idleLifetimeMs ?? IDLE_LIFETIME.ms;
    const now = Date.now();
    const alive = (this.idle.get(folder) ?? []).filter(
      (environment) => now - environment.idleSince <= lifetime,
    );
    // The most recently used first, as Lambda routes to warm environments.
    const environment = alive.pop();
    this.idle.set(folder, alive);
    return environment;
  }

  private release(folder: string, environment: Environment): void {
    environment.idleSince = Date.now();
    const pool = this.idle.get(folder) ?? [];
    pool.push(environment);
    this.idle.set(folder, pool);
  }
}

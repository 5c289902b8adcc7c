import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import type { AwsCallLog } from '../sandbox/aws-calls';
import type { ExecutionRecord, LocalPlace } from '../sandbox/local-workflows';
import { LocalReactor } from '../sandbox/reactor';
import { createCustomerKey, SANDBOX_CREDENTIALS } from '../sandbox/world';
import { type BaselineMemory, NaiveBaseline } from './baseline';
import { type BundleFigures, type BundleOptions, measureBundles } from './bundles';
import { CallTimer, type OperationTime } from './call-timer';
import { createBulkFleet, type FleetMix, mixOf, registerBulkFleet } from './fleet';
import { callsByOperation, executionFigures, sum } from './metrics';

/**
 * The benchmark: the real workflows (aws-local-stepfunctions running state-machines/*.asl.json, the
 * handlers in-process) on the sandbox's local reactor, its moto server reset between scenarios, and the
 * naive baseline on the same fleet in the same process, so that both see the same machine at the same
 * moment. The call timer is one more instrument on the reactor's clients, and on the baseline's.
 */

export interface BenchOptions {
  /** Resources registered to one key. @default [10, 100, 1000] */
  readonly sizes?: readonly number[];
  /** Keys disabled at once, each with a small fleet. @default [1, 10, 100] */
  readonly keyCounts?: readonly number[];
  /** The small fleet of each key in the many-keys scenarios. @default 1 service, 3 instances, 1 database */
  readonly smallFleet?: FleetMix;
  /** Run the naive baseline too. @default true */
  readonly baseline?: boolean;
  /** Build and time the Lambda bundles; false skips them. @default { initRuns: 5 }, every function */
  readonly bundles?: false | BundleOptions;
  /** How long each poll Wait (and the baseline's pause between polls) really waits. @default 20 */
  readonly pollMs?: number;
  /** Added to every AWS call of the reactor and the baseline, to model AWS's latency. @default 0 */
  readonly latencyMs?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

/** One cycle (disable or enable) of the reactor: K executions started at once. */
export interface ReactorCycle {
  readonly wallMs: number;
  readonly executions: number;
  readonly succeeded: number;
  /** Per execution: the largest and the mean over the scenario's executions. */
  readonly transitions: { readonly max: number; readonly mean: number };
  readonly taskInvocations: { readonly max: number; readonly total: number };
  readonly retries: number;
  readonly polls: { readonly max: number };
  readonly historyEvents: { readonly max: number };
  readonly awsCalls: { readonly total: number; readonly byOperation: Record<string, number> };
  /** Time spent waiting for AWS (moto), summed per operation over all calls, the largest five. */
  readonly callTime: Record<string, OperationTime>;
}

export interface BaselineCycle {
  readonly wallMs: number;
  /** One per key: the loop runs in one invocation per key event. */
  readonly invocations: number;
  readonly awsCalls: { readonly total: number; readonly byOperation: Record<string, number> };
}

export interface Scenario {
  readonly name: string;
  readonly keys: number;
  readonly resourcesPerKey: number;
  readonly resources: number;
  readonly mix: FleetMix;
  readonly setupMs: number;
  readonly reactor: { readonly disable: ReactorCycle; readonly enable: ReactorCycle };
  readonly baseline?: { readonly disable: BaselineCycle; readonly enable: BaselineCycle };
  /** reactor / baseline, for wall time and AWS calls. */
  readonly ratio?: {
    readonly disableWall: number;
    readonly enableWall: number;
    readonly disableCalls: number;
    readonly enableCalls: number;
  };
}

export interface Target {
  readonly target: string;
  readonly limit: number;
  readonly actual: number;
  readonly met: boolean;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly platform: string;
    /** One-minute load average before and after the run: other work on the machine skews both sides. */
    readonly loadAverage: { readonly before: number; readonly after: number };
  };
  readonly settings: {
    readonly graceSeconds: 0;
    readonly pollMs: number;
    readonly latencyMs: number;
    readonly mix: string;
    readonly smallFleet: FleetMix;
  };
  readonly scenarios: readonly Scenario[];
  readonly bundles: readonly BundleFigures[];
  readonly targets: readonly Target[];
  readonly totalMs: number;
}

export const TARGETS = {
  /** Reactor disable wall time / baseline's, at N = 1,000. */
  orchestrationRatio: 0.2,
  transitionsPerDisableCycle: 40,
  bundleBytes: 1024 * 1024,
  initMs: 150,
} as const;

const DEFAULT_SMALL_FLEET: FleetMix = { services: 1, instances: 3, databases: 1 };

interface KeyFleet {
  readonly keyArn: string;
  readonly resources: number;
}

function keyEvent(place: LocalPlace, keyArn: string, workflow: Workflow): KeyEvent {
  return {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: place.account,
    region: place.region,
    trigger: workflow === 'disable' ? 'DisableKey' : 'EnableKey',
    workflow,
    urgent: false,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    actor: { arn: `arn:aws:iam::${place.account}:user/bench`, sourceIp: '203.0.113.10', userAgent: 'bench' },
  };
}

function reactorCycle(
  executions: readonly ExecutionRecord[],
  wallMs: number,
  calls: AwsCallLog,
  timer: CallTimer,
): ReactorCycle {
  const figures = executions.map(executionFigures);
  const transitions = figures.map((f) => f.transitions);
  const invocations = figures.map((f) => f.taskInvocations);
  return {
    wallMs: Math.round(wallMs),
    executions: executions.length,
    succeeded: figures.filter((f) => f.status === 'SUCCEEDED').length,
    transitions: {
      max: Math.max(...transitions),
      mean: Math.round((sum(transitions) / transitions.length) * 10) / 10,
    },
    taskInvocations: { max: Math.max(...invocations), total: sum(invocations) },
    retries: sum(figures.map((f) => f.retries)),
    polls: { max: Math.max(...figures.map((f) => f.polls)) },
    historyEvents: { max: Math.max(...figures.map((f) => f.historyEvents)) },
    awsCalls: { total: calls.calls.length, byOperation: callsByOperation(calls.calls) },
    callTime: Object.fromEntries(Object.entries(timer.snapshot()).slice(0, 5)),
  };
}

function baselineCycle(keys: number, wallMs: number, calls: AwsCallLog): BaselineCycle {
  return {
    wallMs: Math.round(wallMs),
    invocations: keys,
    awsCalls: { total: calls.calls.length, byOperation: callsByOperation(calls.calls) },
  };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;
const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN);

type Settings = Required<Omit<BenchOptions, 'log'>> & { log: (line: string) => void };

class Bench {
  private readonly baseline: NaiveBaseline;

  private constructor(
    private readonly local: LocalReactor,
    private readonly timer: CallTimer,
    private readonly options: Settings,
  ) {
    // Its own clients on the same moto server, with the reactor's call log and timer attached, so both
    // sides' calls are counted and timed alike (and the reactor's fault injection left out).
    this.baseline = new NaiveBaseline(
      {
        endpoint: local.moto.endpoint,
        region: local.place.region,
        credentials: SANDBOX_CREDENTIALS,
        instrument: [local.calls.instrument, timer.instrument],
      },
      local.reactor.store.registry,
    );
  }

  static async start(options: Settings): Promise<Bench> {
    const timer = new CallTimer();
    const local = await LocalReactor.start({
      graceMs: 0,
      graceSeconds: 0,
      pollMs: options.pollMs,
      retryMs: 50,
      instrument: [timer.instrument],
    });
    return new Bench(local, timer, options);
  }

  stop(): Promise<void> {
    return this.local.stop();
  }

  /** A fresh world: moto reset (the reactor's table with it), then K keys with a fleet of `mix` each. */
  private async world(keys: number, mix: FleetMix): Promise<KeyFleet[]> {
    await this.local.reset();
    const { clients, place, reactor } = this.local;
    const fleets: KeyFleet[] = [];
    for (let index = 0; index < keys; index++) {
      const keyArn = await createCustomerKey(clients, `Bench key ${index}`);
      const members = await createBulkFleet(clients, place.account, `fleet-${index}`, mix);
      await registerBulkFleet(reactor, clients, keyArn, members);
      fleets.push({ keyArn, resources: members.length });
    }
    return fleets;
  }

  private async runReactor(fleets: readonly KeyFleet[], workflow: Workflow): Promise<ReactorCycle> {
    const command = workflow === 'disable' ? DisableKeyCommand : EnableKeyCommand;
    const { clients, place, stepFunctions } = this.local;
    await Promise.all(fleets.map(({ keyArn }) => clients.kms.send(new command({ KeyId: keyIdOf(keyArn) }))));
    this.local.calls.clear();
    this.timer.clear();
    this.timer.latencyMs = this.options.latencyMs;
    // start() validates the definition synchronously (a few hundred ms in aws-local-stepfunctions), which
    // the service does once, when the state machine is created: the clock starts once all are started.
    const records = fleets.map(({ keyArn }) =>
      stepFunctions.start(
        workflow,
        `${workflow}-${keyIdOf(keyArn).slice(0, 8)}-${randomUUID().slice(0, 8)}`,
        keyEvent(place, keyArn, workflow),
      ),
    );
    const started = performance.now();
    const executions = await Promise.all(records.map((record) => record.done));
    const wallMs = performance.now() - started;
    this.timer.latencyMs = 0;
    const cycle = reactorCycle(executions, wallMs, this.local.calls, this.timer);
    const failed = executions.find((execution) => execution.status !== 'SUCCEEDED');
    if (failed) {
      throw new Error(`${failed.name} ended ${failed.status}: ${failed.error?.Error} ${failed.error?.Cause}`);
    }
    return cycle;
  }

  private async runBaseline(fleets: readonly KeyFleet[]) {
    const options = { pollMs: this.options.pollMs };
    this.timer.latencyMs = this.options.latencyMs;
    this.local.calls.clear();
    let started = performance.now();
    // One loop per key, all keys at once: each key event would start its own invocation.
    const memories: BaselineMemory[] = await Promise.all(
      fleets.map(({ keyArn }) => this.baseline.disable(keyArn, options)),
    );
    const disable = baselineCycle(fleets.length, performance.now() - started, this.local.calls);
    this.local.calls.clear();
    started = performance.now();
    await Promise.all(
      fleets.map(({ keyArn }, index) => this.baseline.enable(keyArn, memories[index] ?? new Map(), options)),
    );
    const enable = baselineCycle(fleets.length, performance.now() - started, this.local.calls);
    this.timer.latencyMs = 0;
    return { disable, enable };
  }

  async scenario(name: string, keys: number, mix: FleetMix): Promise<Scenario> {
    const log = this.options.log;
    const setupStarted = performance.now();
    const fleets = await this.world(keys, mix);
    const setupMs = Math.round(performance.now() - setupStarted);
    const perKey = fleets[0]?.resources ?? 0;
    log(`${name}: ${keys} key(s) x ${perKey} resources set up in ${(setupMs / 1000).toFixed(1)} s`);

    const disable = await this.runReactor(fleets, 'disable');
    const enable = await this.runReactor(fleets, 'enable');
    log(`${name}: reactor disable ${disable.wallMs} ms, enable ${enable.wallMs} ms`);

    const scenario: Scenario = {
      name,
      keys,
      resourcesPerKey: perKey,
      resources: sum(fleets.map((f) => f.resources)),
      mix,
      setupMs,
      reactor: { disable, enable },
    };
    if (!this.options.baseline) return scenario;
    // The enable cycle left the fleet running and the ledger empty: the baseline starts from the same place.
    const baseline = await this.runBaseline(fleets);
    log(`${name}: baseline disable ${baseline.disable.wallMs} ms, enable ${baseline.enable.wallMs} ms`);
    return {
      ...scenario,
      baseline,
      ratio: {
        disableWall: ratio(disable.wallMs, baseline.disable.wallMs),
        enableWall: ratio(enable.wallMs, baseline.enable.wallMs),
        disableCalls: ratio(disable.awsCalls.total, baseline.disable.awsCalls.total),
        enableCalls: ratio(enable.awsCalls.total, baseline.enable.awsCalls.total),
      },
    };
  }
}

/** Which targets the figures meet; a target with nothing to judge it by (a size not run) is left out. */
export function evaluateTargets(scenarios: readonly Scenario[], bundles: readonly BundleFigures[]): Target[] {
  const targets: Target[] = [];
  const thousand = scenarios.find((s) => s.keys === 1 && s.resourcesPerKey === 1000 && s.ratio);
  if (thousand?.ratio) {
    targets.push({
      target: 'orchestration time at N = 1,000, reactor / naive baseline (disable cycle)',
      limit: TARGETS.orchestrationRatio,
      actual: thousand.ratio.disableWall,
      met: thousand.ratio.disableWall <= TARGETS.orchestrationRatio,
    });
  }
  if (scenarios.length > 0) {
    const worst = Math.max(...scenarios.map((s) => s.reactor.disable.transitions.max));
    targets.push({
      target: 'state transitions per disable cycle, any scenario',
      limit: TARGETS.transitionsPerDisableCycle,
      actual: worst,
      met: worst <= TARGETS.transitionsPerDisableCycle,
    });
  }
  if (bundles.length > 0) {
    const largest = Math.max(...bundles.map((b) => b.bytes));
    targets.push({
      target: 'largest bundle, minified bytes (1 MiB)',
      limit: TARGETS.bundleBytes,
      actual: largest,
      met: largest <= TARGETS.bundleBytes,
    });
    const slowest = Math.max(...bundles.map((b) => b.initMs.median));
    targets.push({
      target: 'slowest module init, median ms',
      limit: TARGETS.initMs,
      actual: slowest,
      met: slowest <= TARGETS.initMs,
    });
  }
  return targets;
}

export async function runBenchmark(options: BenchOptions = {}): Promise<BenchReport> {
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  const settings = {
    sizes: options.sizes ?? [10, 100, 1000],
    keyCounts: options.keyCounts ?? [1, 10, 100],
    smallFleet: options.smallFleet ?? DEFAULT_SMALL_FLEET,
    baseline: options.baseline ?? true,
    bundles: options.bundles ?? { initRuns: 5 },
    pollMs: options.pollMs ?? 20,
    latencyMs: options.latencyMs ?? 0,
    log: options.log ?? (() => undefined),
  };
  const scenarios: Scenario[] = [];
  const bench = await Bench.start(settings);
  try {
    for (const size of settings.sizes) scenarios.push(await bench.scenario(`N=${size}`, 1, mixOf(size)));
    for (const keys of settings.keyCounts)
      scenarios.push(await bench.scenario(`K=${keys}`, keys, settings.smallFleet));
  } finally {
    await bench.stop();
  }
  let bundles: BundleFigures[] = [];
  if (settings.bundles !== false) {
    settings.log('bundles: building each function with esbuild and timing its module init');
    bundles = await measureBundles(settings.bundles);
  }
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: { before: round2(loadBefore), after: round2(loadavg()[0] ?? 0) },
    },
    settings: {
      graceSeconds: 0,
      pollMs: settings.pollMs,
      latencyMs: settings.latencyMs,
      mix: '10 % ECS services (one cluster), 80 % EC2 instances, 10 % RDS instances per key',
      smallFleet: settings.smallFleet,
    },
    scenarios,
    bundles,
    targets: evaluateTargets(scenarios, bundles),
    totalMs: Math.round(performance.now() - started),
  };
}

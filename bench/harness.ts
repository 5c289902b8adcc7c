import { cpus, loadavg } from 'node:os';
import { type BundleFigures, type BundleOptions, measureBundles } from './bundles';
import { type ColdPathFigures, measureColdPath } from './cold-path';
import { type CostReport, costReport } from './cost';
import { ROUNDS_POLICY, type Scenario } from './figures';
import { type FleetMix, mixOf } from './fleet';
import { realMilliseconds } from './model/virtual-clock';
import { measureModelledSweep, SWEEP_KEYS, type SweepResult } from './optional';
import { benchBreakerKeys } from './scenario-parts';
import { Bench, type Settings } from './scenario-runner';
import { type ExtraFigures, evaluateTargets, NOT_MEASURED, type Target } from './targets';

/**
 * The benchmark: the real workflows (aws-local-stepfunctions on state-machines/*.asl.json, handlers
 * in-process) on the sandbox's local reactor, against two baselines on the same fleet in the same
 * process: the naive per-resource loop and the batched script a careful engineer would write. Each
 * scenario runs R rounds, interleaved (reactor, naive, batched, reactor, ...), so that the machine's
 * noise falls on every side alike; each figure is then reported as {min, median, max}.
 */

/**
 * Wraps the one await of each cycle (scenario-runner.ts `measure`): it is handed the cycle, which first
 * starts the executions or scripts and reads performance.now(), then awaits their end. A modelled clock
 * installs its fake timers, runs the cycle while advancing them, and uninstalls them before returning.
 */
export type ClockDriver = <T>(work: () => Promise<T>) => Promise<T>;

export interface BenchOptions {
  /**
   * Run every scenario in modelled time (bench/model): AWS's latencies, rate limits and transitions and
   * Lambda's cold starts modelled, the workflows' Waits as defined, every wall time in modelled seconds.
   * false: the old real-clock run on moto with shortened Waits. @default true
   */
  readonly modelled?: boolean;
  /** Resources registered to one key. @default [10, 100, 1000, 10000] */
  readonly sizes?: readonly number[];
  /** Keys disabled at once, each with a small fleet. @default [1, 10, 100, 1000] */
  readonly keyCounts?: readonly number[];
  /** The small fleet of each key in the many-keys scenarios. @default 1 service, 3 instances, 1 database */
  readonly smallFleet?: FleetMix;
  /** Rounds per scenario, shrunk for large scenarios (figures.ts roundsFor). @default 3 */
  readonly repeats?: number;
  /** Run the batched baseline. @default true */
  readonly batched?: boolean;
  /** Run the naive baseline in scenarios of at most this many resources (it is O(N) calls in series). @default 1000 */
  readonly naiveUpTo?: number;
  /** Run the sweep once over each many-keys scenario's keys, for its cost. @default true */
  readonly localSweep?: boolean;
  /** Measure the sweep of 10,000 keys (bench/sweep.ts). @default true */
  readonly sweep10k?: boolean;
  /** Measure the cold path (bench/cold-path.ts). @default true */
  readonly coldPath?: boolean;
  /** Repeats of the cold path, each a fresh world (~20 s real each). @default 3 */
  readonly coldPathRepeats?: number;
  /** Build and time the Lambda bundles; false skips them. @default { initRuns: 5 } */
  readonly bundles?: false | BundleOptions;
  /**
   * How long the baselines pause between polls, and (real runs) each poll Wait of the workflows; modelled
   * runs wait the definitions' own 30 s. @default 5000 modelled, 20 real
   */
  readonly pollMs?: number;
  /** Added to every AWS call of the reactor and the baselines. @default 0 */
  readonly latencyMs?: number;
  /** @default runs the work as it is (wall clock) */
  readonly drive?: ClockDriver;
  readonly log?: (line: string) => void;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly platform: string;
    /** One-minute load average before and after the run: other work on the machine skews every side. */
    readonly loadAverage: { readonly before: number; readonly after: number };
  };
  readonly settings: {
    readonly graceSeconds: 0;
    readonly pollMs: number;
    readonly latencyMs: number;
    readonly repeats: number;
    readonly roundsPolicy: string;
    readonly naiveUpTo: number;
    readonly modelledClock: boolean;
    /** Every scenario on the AWS and Lambda models (bench/model); wall times are modelled. */
    readonly modelled: boolean;
    readonly mix: string;
    readonly smallFleet: FleetMix;
    /** The circuit breaker's limit the reactor ran with: raised to the largest K. @default the deployed default */
    readonly breakerKeys?: number;
  };
  readonly scenarios: readonly Scenario[];
  readonly bundles: readonly BundleFigures[];
  readonly extras: ExtraFigures;
  readonly targets: readonly Target[];
  readonly cost: CostReport;
  /** The cold path's full figures (modelled), when measured. */
  readonly coldPath?: ColdPathFigures;
  /** The sweep of SWEEP_KEYS keys (modelled), when run: its figures, or why it has none. */
  readonly sweep?: {
    readonly keys: number;
    readonly error?: string;
    readonly wallMs?: number;
    readonly awsCalls?: number;
    readonly byOperation?: Record<string, number>;
    /** Real milliseconds the setup of its keys took (not measured, not modelled). */
    readonly setupMs?: number;
    /** Attempts the AWS model throttled during the sweep, per Service:Operation. */
    readonly throttled?: Readonly<Record<string, number>>;
  };
  /** Real milliseconds of the whole run. */
  readonly totalMs: number;
}

const DEFAULT_SMALL_FLEET: FleetMix = { services: 1, instances: 3, databases: 1 };

const round2 = (value: number): number => Math.round(value * 100) / 100;

export async function runBenchmark(options: BenchOptions = {}): Promise<BenchReport> {
  const started = realMilliseconds();
  const loadBefore = loadavg()[0] ?? 0;
  const modelled = options.modelled ?? true;
  const settings: Settings = {
    modelled,
    sizes: options.sizes ?? [10, 100, 1000, 10_000],
    keyCounts: options.keyCounts ?? [1, 10, 100, 1000],
    smallFleet: options.smallFleet ?? DEFAULT_SMALL_FLEET,
    repeats: options.repeats ?? 3,
    batched: options.batched ?? true,
    naiveUpTo: options.naiveUpTo ?? 1000,
    localSweep: options.localSweep ?? true,
    sweep10k: options.sweep10k ?? true,
    coldPath: options.coldPath ?? true,
    coldPathRepeats: options.coldPathRepeats ?? 3,
    bundles: options.bundles ?? { initRuns: 5 },
    pollMs: options.pollMs ?? (modelled ? 5000 : 20),
    latencyMs: options.latencyMs ?? 0,
    drive: options.drive,
    log: options.log ?? (() => undefined),
  };
  // Bundles first, in real time: the Lambda model's cold starts are their measured module init.
  let bundles: BundleFigures[] = [];
  if (settings.bundles !== false) {
    settings.log('bundles: building each function with esbuild and timing its module init');
    bundles = await measureBundles(settings.bundles);
  }
  const scenarios: Scenario[] = [];
  const bench = await Bench.start(settings, bundles);
  try {
    const record = (scenario: Scenario) => {
      scenarios.push(scenario);
      settings.log(
        `${scenario.name}: ${(scenario.realMs / 1000).toFixed(1)} s real, ${(scenario.modelledMs / 1000).toFixed(1)} s modelled`,
      );
    };
    for (const size of settings.sizes) record(await bench.scenario(`N=${size}`, 1, mixOf(size)));
    for (const keys of settings.keyCounts)
      record(await bench.scenario(`K=${keys}`, keys, settings.smallFleet));
  } finally {
    await bench.stop();
  }
  // After the bench has stopped: the cold path installs its own virtual clock. Its module inits are the
  // bundles' (the slowest measured for any not built); without bundles, the model's runtime init alone.
  const coldPath = settings.coldPath
    ? await measureColdPath({ bundles, log: settings.log, repeats: settings.coldPathRepeats })
    : undefined;
  let sweep: SweepResult | undefined;
  let extras: ExtraFigures = {
    ...NOT_MEASURED,
    ...(coldPath
      ? {
          enableToFirstStartS: coldPath.enableToFirstStartS.median,
          graceEndToFirstStopS: coldPath.graceEndToFirstStopS.median,
        }
      : {}),
  };
  if (settings.sweep10k) {
    sweep = await measureModelledSweep(SWEEP_KEYS, bundles, settings.log);
    extras = { ...extras, sweepOf10000KeysS: sweep.seconds };
  }
  const breakerKeys = benchBreakerKeys(settings.keyCounts);
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
      repeats: settings.repeats,
      roundsPolicy: ROUNDS_POLICY,
      naiveUpTo: settings.naiveUpTo,
      modelledClock: modelled || settings.drive !== undefined,
      modelled,
      mix: '10 % ECS services (one cluster), 80 % EC2 instances, 10 % RDS instances per key',
      smallFleet: settings.smallFleet,
      ...(breakerKeys ? { breakerKeys } : {}),
    },
    scenarios,
    bundles,
    extras,
    targets: evaluateTargets(scenarios, bundles, extras),
    cost: costReport(scenarios, sweep?.run),
    ...(coldPath ? { coldPath } : {}),
    ...(sweep
      ? {
          sweep: {
            keys: SWEEP_KEYS,
            ...(sweep.error ? { error: sweep.error } : {}),
            ...(sweep.figures
              ? {
                  wallMs: sweep.figures.wallMs,
                  awsCalls: sweep.figures.awsCalls.total,
                  byOperation: sweep.figures.awsCalls.byOperation,
                  setupMs: sweep.figures.setupMs,
                  throttled: sweep.throttled ?? {},
                }
              : {}),
          },
        }
      : {}),
    totalMs: Math.round(realMilliseconds() - started),
  };
}

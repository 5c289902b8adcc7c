import { randomUUID } from 'node:crypto';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { LocalReactor } from '../sandbox/reactor';
import { createCustomerKey, SANDBOX_CREDENTIALS } from '../sandbox/world';
import { type BaselineMemory, NaiveBaseline } from './baseline';
import { BatchedBaseline } from './batched-baseline';
import type { BundleFigures } from './bundles';
import { CallTimer } from './call-timer';
import {
  baselineCycle,
  type CycleName,
  type ReactorRound,
  type RoundFigures,
  ratios,
  reactorCycle,
  roundsFor,
  type Scenario,
  type SweepRun,
} from './figures';
import { createBulkFleet, type FleetMix, registerBulkFleet } from './fleet';
import { FleetStates } from './fleet-state';
import type { BenchOptions, ClockDriver } from './harness';
import { LambdaMeter, Meter } from './meter';
import { callsByOperation, executionFigures, sum } from './metrics';
import { ModelledReactor } from './model/modelled-reactor';
import { realMilliseconds } from './model/virtual-clock';
import { restoreRunning } from './restore';
import { BASELINE_PATIENCE_MS, benchBreakerKeys, keyEvent, MODELLED_PACING } from './scenario-parts';

/**
 * One scenario of the bench on the sandbox's local reactor: its world built, then R rounds of the
 * reactor and the baselines, interleaved, each cycle measured by one await (`measure`).
 */

/** Keys whose worlds are built at once; each builds its own fleet a few calls at a time (fleet.ts). */
const SETUP_KEYS_AT_ONCE = 4;

interface KeyFleet {
  readonly keyArn: string;
  readonly resourceArns: readonly string[];
}

export type Settings = Required<Omit<BenchOptions, 'drive'>> & { drive?: ClockDriver };

const asIs: ClockDriver = (work) => work();
type Baseline = { disable: NaiveBaseline['disable']; enable: NaiveBaseline['enable'] };

export class Bench {
  private readonly lambda = new LambdaMeter();
  private readonly baselines: Readonly<Record<'naive' | 'batched', Baseline>>;
  private readonly states: FleetStates;
  private readonly destroyers: (() => void)[];
  private readonly local: LocalReactor;
  /** Runs work that touches AWS outside the measured span: the model's clock, or as it is. */
  private readonly io: ClockDriver;
  /** Runs the measured span: the caller's driver around the model's clock. */
  private readonly drive: ClockDriver;

  private constructor(
    private readonly reactorOrModel: LocalReactor | ModelledReactor,
    private readonly options: Settings,
    private readonly timer: CallTimer,
    private readonly meter: Meter,
  ) {
    const model = reactorOrModel instanceof ModelledReactor ? reactorOrModel : undefined;
    const local = model ? model.local : (reactorOrModel as LocalReactor);
    this.local = local;
    this.io = model ? (work) => model.run(work) : asIs;
    const outer = options.drive ?? asIs;
    this.drive = (work) => outer(() => this.io(work));
    // The baselines' own clients on the same moto, with the reactor's call log, timer and meter
    // attached, so every side's calls are counted alike (and the reactor's fault injection left out).
    const aws = {
      endpoint: local.moto.endpoint,
      region: local.place.region,
      credentials: SANDBOX_CREDENTIALS,
      instrument: [
        local.calls.instrument,
        this.timer.instrument,
        this.meter.instrument,
        ...(model ? [model.aws.instrument] : []),
      ],
      // Modelled, AWS throttles (EC2 StartInstances refills 2 instances a second): a careful script
      // retries a throttled call for as long as it would poll (baseline-retry.ts). moto never throttles.
      retry: { patienceMs: BASELINE_PATIENCE_MS },
    };
    const batched = new BatchedBaseline(aws);
    const naive = new NaiveBaseline(aws, local.reactor.store.registry);
    this.destroyers = [() => batched.destroy(), () => naive.destroy()];
    this.baselines = {
      naive: { disable: naive.disable.bind(naive), enable: naive.enable.bind(naive) },
      batched: { disable: batched.disable.bind(batched), enable: batched.enable.bind(batched) },
    };
    // The world's own clients: the convergence checks are never counted against a side.
    this.states = new FleetStates(local.clients);
    // Every function invocation of the workflows goes through invoke: timing it gives Lambda's duration.
    local.invoke = this.lambda.wrap(local.invoke.bind(local));
  }

  /**
   * Modelled (options.modelled): the workflows' Waits and Retries as defined, the AWS and Lambda models
   * on every client and invocation, every await on the virtual clock; wall times are modelled seconds.
   * Otherwise the shortened real-time run on moto.
   */
  static async start(options: Settings, bundles: readonly BundleFigures[] = []): Promise<Bench> {
    const timer = new CallTimer();
    const meter = new Meter();
    const breakerKeys = benchBreakerKeys(options.keyCounts);
    if (options.modelled) {
      const model = await ModelledReactor.start({
        lambda: { bundles },
        graceSeconds: 0,
        instrument: [timer.instrument, meter.instrument],
        settings: { pacing: MODELLED_PACING, ...(breakerKeys ? { breakerKeys } : {}) },
      });
      return new Bench(model, options, timer, meter);
    }
    const local = await LocalReactor.start({
      graceMs: 0,
      graceSeconds: 0,
      pollMs: options.pollMs,
      retryMs: 50,
      instrument: [timer.instrument, meter.instrument],
      ...(breakerKeys ? { settings: { breakerKeys } } : {}),
    });
    return new Bench(local, options, timer, meter);
  }

  stop(): Promise<void> {
    for (const destroy of this.destroyers) destroy();
    return this.reactorOrModel.stop();
  }

  /** Throttled attempts per Service:Operation the AWS model answered since the last reset (modelled only). */
  private modelStats(): Pick<Scenario, 'modelThrottled' | 'coldStarts'> {
    const model = this.reactorOrModel;
    if (!(model instanceof ModelledReactor)) return {};
    const throttled = model.aws.stats().throttled;
    const coldStarts = sum(Object.values(model.lambda.stats()).map((stats) => stats.cold));
    return { modelThrottled: throttled, coldStarts };
  }

  /**
   * THE await of every cycle, of every side: the only span a figure's wall time covers, from the end of
   * `prepare` to the end of `work`. Both run inside the clock driver, so that with a modelled clock every
   * timer the cycle sets (the executions' Waits and Retries, the SDK's backoff, the scripts' polls) is
   * virtual, while the setup and the checks around it keep the real clock.
   */
  private async measure<P, T>(
    prepare: () => P,
    work: (prepared: P) => Promise<T>,
  ): Promise<{ value: T; wallMs: number }> {
    // Both ends are read inside the cycle, so with a modelled clock both are modelled time.
    let started = 0;
    let ended = 0;
    const cycle = async (): Promise<T> => {
      const prepared = prepare();
      started = performance.now();
      const value = await work(prepared);
      ended = performance.now();
      return value;
    };
    const value = await this.drive(cycle);
    return { value, wallMs: Math.round(ended - started) };
  }

  private clear(): void {
    this.local.calls.clear();
    this.timer.clear();
    this.meter.clear();
    this.lambda.clear();
    this.timer.latencyMs = this.options.latencyMs;
  }

  private common(wallMs: number, converged: boolean): RoundFigures {
    this.timer.latencyMs = 0;
    const metered = this.meter.snapshot();
    return {
      wallMs,
      converged,
      awsCalls: {
        total: this.local.calls.calls.length,
        byOperation: callsByOperation(this.local.calls.calls),
      },
      throttled: { total: metered.throttledTotal, byOperation: metered.throttled },
      dynamodb: metered.dynamodb,
    };
  }

  /** Every resource of the fleets in the cycle's end state, read with the world's clients. */
  private async converged(fleets: readonly KeyFleet[], cycle: CycleName): Promise<boolean> {
    const arns = fleets.flatMap((fleet) => fleet.resourceArns);
    const states = await this.io(() => this.states.of(arns));
    const target = cycle === 'disable' ? 'stopped' : 'running';
    return [...states.values()].every((state) => state.phase === target);
  }

  /** A fresh world: moto reset (the reactor's table with it), then K keys with a fleet of `mix` each. */
  private async world(keys: number, mix: FleetMix): Promise<KeyFleet[]> {
    const model = this.reactorOrModel;
    // The model's reset also refills its buckets and empties the warm pools.
    await (model instanceof ModelledReactor ? model.reset() : this.local.reset());
    const { clients, place, reactor } = this.local;
    // A few keys at once: at K = 1,000 one key after another is most of the scenario's setup.
    return this.io(() =>
      mapWithConcurrency(
        Array.from({ length: keys }, (_, index) => index),
        SETUP_KEYS_AT_ONCE,
        async (index) => {
          const keyArn = await createCustomerKey(clients, `Bench key ${index}`);
          const members = await createBulkFleet(clients, place.account, `fleet-${index}`, mix);
          await registerBulkFleet(reactor, clients, keyArn, members);
          return { keyArn, resourceArns: members.map((member) => member.resourceArn) };
        },
      ),
    );
  }

  private async reactorRound(fleets: readonly KeyFleet[], cycle: CycleName): Promise<ReactorRound> {
    const command = cycle === 'disable' ? DisableKeyCommand : EnableKeyCommand;
    const { clients, place, stepFunctions } = this.local;
    await this.io(() =>
      Promise.all(fleets.map(({ keyArn }) => clients.kms.send(new command({ KeyId: keyIdOf(keyArn) })))),
    );
    this.clear();
    // start() validates the definition synchronously (a few hundred ms in aws-local-stepfunctions), which
    // the service does once, when the state machine is created: the clock starts once all are started.
    const { value: executions, wallMs } = await this.measure(
      () =>
        fleets.map(({ keyArn }) =>
          stepFunctions.start(
            cycle,
            `${cycle}-${keyIdOf(keyArn).slice(0, 8)}-${randomUUID().slice(0, 8)}`,
            keyEvent(place, keyArn, cycle),
          ),
        ),
      (records) => Promise.all(records.map((record) => record.done)),
    );
    const callTime = Object.fromEntries(Object.entries(this.timer.snapshot()).slice(0, 5));
    const lambda = this.lambda.snapshot();
    const figures = executions.map(executionFigures);
    const succeeded = figures.filter((f) => f.status === 'SUCCEEDED').length;
    const common = this.common(wallMs, false);
    const failed = executions.find((execution) => execution.status !== 'SUCCEEDED');
    if (failed)
      this.options.log(
        `${failed.name} ended ${failed.status}: ${failed.error?.Error} ${failed.error?.Cause}`,
      );
    const converged = succeeded === executions.length && (await this.converged(fleets, cycle));
    const transitions = figures.map((f) => f.transitions);
    const invocations = figures.map((f) => f.taskInvocations);
    return {
      ...common,
      converged,
      executions: executions.length,
      succeeded,
      transitions: { max: Math.max(...transitions), total: sum(transitions) },
      taskInvocations: { max: Math.max(...invocations), total: sum(invocations) },
      retries: sum(figures.map((f) => f.retries)),
      polls: Math.max(...figures.map((f) => f.polls)),
      historyEvents: Math.max(...figures.map((f) => f.historyEvents)),
      lambda,
      callTime,
    };
  }

  private async baselineRound(side: 'naive' | 'batched', fleets: readonly KeyFleet[]) {
    const baseline = this.baselines[side];
    // Modelled, a start takes AWS's minutes (an RDS instance 6, 8,000 EC2 instances at 2 a second over an
    // hour): the scripts poll for up to two modelled hours, as their author would let them.
    const maxPolls = this.options.modelled
      ? Math.ceil(BASELINE_PATIENCE_MS / this.options.pollMs)
      : undefined;
    const options = { pollMs: this.options.pollMs, maxPolls };
    // One script per key, all keys at once: each key event would start its own invocation.
    this.clear();
    const disabled = await this.measure(
      () => undefined,
      () => Promise.allSettled(fleets.map(({ keyArn }) => baseline.disable(keyArn, options))),
    );
    const disable = this.common(disabled.wallMs, false);
    const memories: BaselineMemory[] = disabled.value.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value : new Map(),
    );
    const disableOk =
      disabled.value.every((o) => o.status === 'fulfilled') && (await this.converged(fleets, 'disable'));
    this.clear();
    const enabled = await this.measure(
      () => undefined,
      () =>
        Promise.allSettled(
          fleets.map(({ keyArn }, index) => baseline.enable(keyArn, memories[index] ?? new Map(), options)),
        ),
    );
    const enable = this.common(enabled.wallMs, false);
    const enableOk =
      enabled.value.every((o) => o.status === 'fulfilled') && (await this.converged(fleets, 'enable'));
    for (const outcome of [...disabled.value, ...enabled.value])
      if (outcome.status === 'rejected') this.options.log(`${side}: ${String(outcome.reason)}`);
    return { disable: { ...disable, converged: disableOk }, enable: { ...enable, converged: enableOk } };
  }

  private async sweepRun(keys: number): Promise<SweepRun> {
    this.clear();
    const { wallMs } = await this.measure(
      () => undefined,
      () => this.local.runSweep(),
    );
    const common = this.common(wallMs, true);
    return {
      keys,
      wallMs,
      awsCalls: common.awsCalls,
      dynamodb: common.dynamodb,
      lambda: this.lambda.snapshot(),
    };
  }

  async scenario(name: string, keys: number, mix: FleetMix): Promise<Scenario> {
    const { log, repeats } = this.options;
    const realStarted = realMilliseconds();
    const modelledStarted = Date.now();
    const setupStarted = realMilliseconds();
    const fleets = await this.world(keys, mix);
    const setupMs = Math.round(realMilliseconds() - setupStarted);
    const resources = sum(fleets.map((f) => f.resourceArns.length));
    const rounds = roundsFor(resources, keys, repeats);
    log(
      `${name}: ${keys} key(s), ${resources} resources set up in ${(setupMs / 1000).toFixed(1)} s; ${rounds} round(s)`,
    );
    const sides: ('naive' | 'batched')[] = [];
    if (resources <= this.options.naiveUpTo) sides.push('naive');
    if (this.options.batched) sides.push('batched');

    const arns = fleets.flatMap((fleet) => fleet.resourceArns);
    const sequence: string[] = [];
    const reactor: Record<CycleName, ReactorRound[]> = { disable: [], enable: [] };
    const baseline: Record<string, Record<CycleName, RoundFigures[]>> = {};
    for (let round = 1; round <= rounds; round++) {
      sequence.push(`reactor ${round}`);
      for (const cycle of ['disable', 'enable'] as const)
        reactor[cycle].push(await this.reactorRound(fleets, cycle));
      log(
        `${name} round ${round}: reactor ${reactor.disable.at(-1)?.wallMs} / ${reactor.enable.at(-1)?.wallMs} ms`,
      );
      // The convergence check has already read the fleet: restore only after a cycle that left it short.
      if (!reactor.enable.at(-1)?.converged)
        await this.io(() => restoreRunning(this.local.clients, this.states, arns, log));
      for (const side of sides) {
        sequence.push(`${side} ${round}`);
        const { disable, enable } = await this.baselineRound(side, fleets);
        const figures = baseline[side] ?? { disable: [], enable: [] };
        baseline[side] = figures;
        figures.disable.push(disable);
        figures.enable.push(enable);
        log(`${name} round ${round}: ${side} ${disable.wallMs} / ${enable.wallMs} ms`);
        if (!enable.converged)
          await this.io(() => restoreRunning(this.local.clients, this.states, arns, log));
      }
    }
    const reactorCycles = { disable: reactorCycle(reactor.disable), enable: reactorCycle(reactor.enable) };
    const cycles = (side: string) => {
      const figures = baseline[side];
      return (
        figures && {
          disable: baselineCycle(figures.disable, keys),
          enable: baselineCycle(figures.enable, keys),
        }
      );
    };
    const naive = cycles('naive');
    const batched = cycles('batched');
    const sweep = name.startsWith('K=') && this.options.localSweep ? await this.sweepRun(keys) : undefined;
    return {
      name,
      keys,
      resourcesPerKey: fleets[0]?.resourceArns.length ?? 0,
      resources,
      mix,
      setupMs,
      rounds,
      sequence,
      reactor: reactorCycles,
      ...(naive ? { naive } : {}),
      ...(batched ? { batched } : {}),
      ratios: {
        ...(naive ? { naive: ratios(reactorCycles, naive) } : {}),
        ...(batched ? { batched: ratios(reactorCycles, batched) } : {}),
      },
      ...(sweep ? { sweep } : {}),
      realMs: Math.round(realMilliseconds() - realStarted),
      modelledMs: Date.now() - modelledStarted,
      ...this.modelStats(),
    };
  }
}

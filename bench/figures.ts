import type { OperationTime } from './call-timer';
import type { FleetMix } from './fleet';
import type { LambdaUsage, RequestUnits } from './meter';
import { type Spread, spreadOf } from './metrics';

/**
 * What one scenario measured: each side's cycles, one set of figures per round, folded into
 * {min, median, max}. Counts that do not vary between rounds (calls by operation, Lambda usage) are
 * kept from the median round, the round whose wall time is the median, so the stored run stays small.
 */

export type Side = 'reactor' | 'naive' | 'batched';
export type CycleName = 'disable' | 'enable';

/** One side's cycle in one round. */
export interface RoundFigures {
  readonly wallMs: number;
  /** Every resource reached the cycle's end state (and, for the reactor, every execution succeeded). */
  readonly converged: boolean;
  readonly awsCalls: { readonly total: number; readonly byOperation: Record<string, number> };
  readonly throttled: { readonly total: number; readonly byOperation: Record<string, number> };
  readonly dynamodb: RequestUnits;
}

/** The reactor's cycle in one round: the common figures, plus what its executions recorded. */
export interface ReactorRound extends RoundFigures {
  readonly executions: number;
  readonly succeeded: number;
  /** Per execution, the largest, and over all executions. */
  readonly transitions: { readonly max: number; readonly total: number };
  readonly taskInvocations: { readonly max: number; readonly total: number };
  readonly retries: number;
  readonly polls: number;
  readonly historyEvents: number;
  readonly lambda: LambdaUsage;
  readonly callTime: Record<string, OperationTime>;
}

export interface BaselineCycle {
  readonly rounds: number;
  readonly wallMs: Spread;
  readonly converged: boolean;
  /** One per key: the script runs in one invocation per key event. */
  readonly invocations: number;
  readonly awsCalls: { readonly total: Spread; readonly byOperation: Record<string, number> };
  readonly throttled: { readonly total: Spread; readonly byOperation: Record<string, number> };
}

export interface ReactorCycle extends Omit<BaselineCycle, 'invocations'> {
  readonly executions: number;
  /** The fewest executions that succeeded in any round. */
  readonly succeeded: number;
  readonly transitions: { readonly max: Spread; readonly total: Spread };
  readonly taskInvocations: { readonly max: Spread; readonly total: Spread };
  readonly retries: Spread;
  readonly polls: { readonly max: Spread };
  readonly historyEvents: { readonly max: Spread };
  /** From the median round. */
  readonly dynamodb: RequestUnits;
  readonly lambda: LambdaUsage;
  readonly callTime: Record<string, OperationTime>;
}

/** reactor ÷ baseline, from the medians of the same run. */
export interface Ratios {
  readonly disableWall: number;
  readonly enableWall: number;
  readonly disableCalls: number;
  readonly enableCalls: number;
}

/** One run of the sweep over the scenario's keys, in the same world, after its rounds. */
export interface SweepRun {
  readonly keys: number;
  readonly wallMs: number;
  readonly awsCalls: { readonly total: number; readonly byOperation: Record<string, number> };
  readonly dynamodb: RequestUnits;
  readonly lambda: LambdaUsage;
}

export interface Scenario {
  readonly name: string;
  readonly keys: number;
  readonly resourcesPerKey: number;
  readonly resources: number;
  readonly mix: FleetMix;
  readonly setupMs: number;
  readonly rounds: number;
  /** What ran, in order: `reactor 1`, `naive 1`, `batched 1`, `reactor 2`, ... */
  readonly sequence: readonly string[];
  readonly reactor: { readonly disable: ReactorCycle; readonly enable: ReactorCycle };
  readonly naive?: { readonly disable: BaselineCycle; readonly enable: BaselineCycle };
  readonly batched?: { readonly disable: BaselineCycle; readonly enable: BaselineCycle };
  readonly ratios: { readonly naive?: Ratios; readonly batched?: Ratios };
  readonly sweep?: SweepRun;
  /** Real milliseconds the scenario took, setup included. */
  readonly realMs: number;
  /** Milliseconds of the process's clock over the same span: modelled time in a modelled run. */
  readonly modelledMs: number;
  /** Attempts the AWS model throttled, per Service:Operation, since the scenario's reset (modelled only). */
  readonly modelThrottled?: Readonly<Record<string, number>>;
  /** Modelled Lambda cold starts over the scenario (modelled only). */
  readonly coldStarts?: number;
}

const medianRound = <R extends RoundFigures>(rounds: readonly R[]): R => {
  const sorted = [...rounds].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor((sorted.length - 1) / 2)] as R;
};

export function baselineCycle(rounds: readonly RoundFigures[], keys: number): BaselineCycle {
  const middle = medianRound(rounds);
  return {
    rounds: rounds.length,
    wallMs: spreadOf(rounds.map((r) => r.wallMs)),
    converged: rounds.every((r) => r.converged),
    invocations: keys,
    awsCalls: {
      total: spreadOf(rounds.map((r) => r.awsCalls.total)),
      byOperation: middle.awsCalls.byOperation,
    },
    throttled: {
      total: spreadOf(rounds.map((r) => r.throttled.total)),
      byOperation: middle.throttled.byOperation,
    },
  };
}

export function reactorCycle(rounds: readonly ReactorRound[]): ReactorCycle {
  const middle = medianRound(rounds);
  const spread = (pick: (r: ReactorRound) => number) => spreadOf(rounds.map(pick));
  const { invocations: _, ...common } = baselineCycle(rounds, 0);
  return {
    ...common,
    executions: middle.executions,
    succeeded: Math.min(...rounds.map((r) => r.succeeded)),
    transitions: { max: spread((r) => r.transitions.max), total: spread((r) => r.transitions.total) },
    taskInvocations: {
      max: spread((r) => r.taskInvocations.max),
      total: spread((r) => r.taskInvocations.total),
    },
    retries: spread((r) => r.retries),
    polls: { max: spread((r) => r.polls) },
    historyEvents: { max: spread((r) => r.historyEvents) },
    dynamodb: middle.dynamodb,
    lambda: middle.lambda,
    callTime: middle.callTime,
  };
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN);

export function ratios(
  reactor: { disable: ReactorCycle; enable: ReactorCycle },
  baseline: { disable: BaselineCycle; enable: BaselineCycle },
): Ratios {
  return {
    disableWall: ratio(reactor.disable.wallMs.median, baseline.disable.wallMs.median),
    enableWall: ratio(reactor.enable.wallMs.median, baseline.enable.wallMs.median),
    disableCalls: ratio(reactor.disable.awsCalls.total.median, baseline.disable.awsCalls.total.median),
    enableCalls: ratio(reactor.enable.awsCalls.total.median, baseline.enable.awsCalls.total.median),
  };
}

/**
 * Rounds for a scenario of `resources` resources over `keys` keys when `repeats` are asked: all of them
 * for small scenarios, at most 2 from 1,000 resources or 100 keys, 1 from 5,000 resources or 1,000 keys
 * (each execution costs the local interpreter a definition check of its own), so that the full run fits
 * its 20 minutes on 2 cores.
 */
export function roundsFor(resources: number, keys: number, repeats: number): number {
  if (resources >= 5000 || keys >= 1000) return Math.min(repeats, 1);
  if (resources >= 1000 || keys >= 100) return Math.min(repeats, 2);
  return repeats;
}

export const ROUNDS_POLICY =
  'every --repeats round below 1,000 resources and 100 keys; at most 2 from 1,000 resources or 100 keys; 1 from 5,000 resources or 1,000 keys';

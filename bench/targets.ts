import type { BundleFigures } from './bundles';
import type { Scenario } from './figures';

/**
 * The targets issue 16 names, judged from one run. Every name is always present: a target whose
 * scenario did not run is `not measured` (actual null, met false), so a partial run never looks complete.
 */

export interface Target {
  readonly target: string;
  readonly limit: number;
  /** null: its scenario did not run in this run. */
  readonly actual: number | null;
  readonly met: boolean;
}

/** The figures measured outside the scenarios, each null when not measured. */
export interface ExtraFigures {
  readonly enableToFirstStartS: number | null;
  readonly graceEndToFirstStopS: number | null;
  readonly sweepOf10000KeysS: number | null;
}

export const NOT_MEASURED: ExtraFigures = {
  enableToFirstStartS: null,
  graceEndToFirstStopS: null,
  sweepOf10000KeysS: null,
};

export const TARGET_NAMES = {
  converged: 'converged at N = 10,000',
  batchedRatio: 'ratio to the batched baseline at N = 10,000',
  naiveRatio: 'ratio to 100 naive loops at K = 100',
  enableToFirstStart: 'enable event to first start, s',
  graceEndToFirstStop: 'grace end to first stop, s',
  sweep: 'sweep of 10,000 keys, s',
  transitions: 'transitions per disable at N = 10,000',
  bundleBytes: 'largest bundle, minified bytes (1 MiB)',
  initMs: 'slowest module init, median ms',
} as const;

/** The seven, in its order: the smoke test and the report check these are all present. */
export const REQUIRED_TARGETS: readonly string[] = [
  TARGET_NAMES.converged,
  TARGET_NAMES.batchedRatio,
  TARGET_NAMES.naiveRatio,
  TARGET_NAMES.enableToFirstStart,
  TARGET_NAMES.graceEndToFirstStop,
  TARGET_NAMES.sweep,
  TARGET_NAMES.transitions,
];

export const LIMITS = {
  converged: 1,
  batchedRatio: 1.1,
  naiveRatio: 1.0,
  enableToFirstStart: 2,
  graceEndToFirstStop: 3,
  sweep: 60,
  transitions: 100,
  bundleBytes: 1024 * 1024,
  initMs: 150,
} as const;

/** The single-key scenario with `resources` resources, and the `keys`-key scenario. */
const single = (scenarios: readonly Scenario[], resources: number) =>
  scenarios.find((s) => s.keys === 1 && s.resourcesPerKey === resources);
const many = (scenarios: readonly Scenario[], keys: number) =>
  scenarios.find((s) => s.keys === keys && s.name.startsWith('K='));

/** Whether the reactor and the `side` baseline both converged, disabling and enabling, in a scenario. */
const bothConverged = (scenario: Scenario | undefined, side: 'naive' | 'batched'): boolean => {
  const baseline = scenario?.[side];
  return (
    scenario !== undefined &&
    baseline !== undefined &&
    scenario.reactor.disable.converged &&
    scenario.reactor.enable.converged &&
    baseline.disable.converged &&
    baseline.enable.converged
  );
};

const atMost = (target: string, limit: number, actual: number | null | undefined): Target => {
  const value = actual === undefined || actual === null || Number.isNaN(actual) ? null : actual;
  return { target, limit, actual: value, met: value !== null && value <= limit };
};

export function evaluateTargets(
  scenarios: readonly Scenario[],
  bundles: readonly BundleFigures[],
  extras: ExtraFigures,
): Target[] {
  const tenThousand = single(scenarios, 10_000);
  const converged = tenThousand
    ? tenThousand.reactor.disable.converged && tenThousand.reactor.enable.converged
      ? 1
      : 0
    : null;
  // The worse of the two cycles: a reactor that is fast to stop but slow to start is not "within 1.1". A
  // ratio means nothing unless both sides converged in both cycles (a side that gave up ends early).
  const batched = bothConverged(tenThousand, 'batched') ? tenThousand?.ratios.batched : undefined;
  const hundredKeys = many(scenarios, 100);
  const naive = bothConverged(hundredKeys, 'naive') ? hundredKeys?.ratios.naive : undefined;
  return [
    { target: TARGET_NAMES.converged, limit: LIMITS.converged, actual: converged, met: converged === 1 },
    atMost(
      TARGET_NAMES.batchedRatio,
      LIMITS.batchedRatio,
      batched && Math.max(batched.disableWall, batched.enableWall),
    ),
    atMost(
      TARGET_NAMES.naiveRatio,
      LIMITS.naiveRatio,
      naive && Math.max(naive.disableWall, naive.enableWall),
    ),
    atMost(TARGET_NAMES.enableToFirstStart, LIMITS.enableToFirstStart, extras.enableToFirstStartS),
    atMost(TARGET_NAMES.graceEndToFirstStop, LIMITS.graceEndToFirstStop, extras.graceEndToFirstStopS),
    atMost(TARGET_NAMES.sweep, LIMITS.sweep, extras.sweepOf10000KeysS),
    atMost(TARGET_NAMES.transitions, LIMITS.transitions, tenThousand?.reactor.disable.transitions.max.median),
    atMost(
      TARGET_NAMES.bundleBytes,
      LIMITS.bundleBytes,
      bundles.length > 0 ? Math.max(...bundles.map((b) => b.bytes)) : null,
    ),
    atMost(
      TARGET_NAMES.initMs,
      LIMITS.initMs,
      bundles.length > 0 ? Math.max(...bundles.map((b) => b.initMs.median)) : null,
    ),
  ];
}

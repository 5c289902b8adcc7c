import { LIMITS } from '../contract';
import type { Target } from '../decision';
import { RESOURCE_KINDS, type ResourceKind } from '../model';
import { type ApiLimit, RATE_LIMITS } from '../rate-limits';
import { DEFAULT_TIME_BOX, type TimeBox } from '../time-box';
import { fansOut, issueSeconds, type KindCounts, resourcesPerCall, tokensToMove } from './plan';

/**
 * How many state transitions (states entered, what Step Functions bills) a key-disabled or key-enabled
 * run takes, from the shape of its run (`layerTransitions`), and what shape the rate model predicts for a
 * fleet (`planRun`). docs/workflows.md writes the arithmetic out for 10,000 resources.
 */

/** One time-boxed pass over a layer or a lane: its invocations, and the waits for the rate limits between them. */
export interface PassShape {
  readonly invocations: number;
  readonly paceWaits: number;
}

/** What one layer's part of the run went through. */
export interface LayerShape {
  /** The layer fanned out: one pass per kind, in a Map. */
  readonly lanes?: readonly PassShape[];
  /** The layer acted on by its first step and its continuations. */
  readonly pass?: PassShape;
  /** Turns of the poll loop: "Check whether …" steps. */
  readonly checks: number;
  /** Continuations of those checks, when one check's pass outlasts its time box. */
  readonly checkContinuations?: number;
}

/**
 * The states a layer enters. Acted on directly: the first step and its Choice (2), each continuation and
 * its Choice (2), each Wait for the rate limits (1), and each check with its Wait and Choice (3). Fanned
 * out: the first step and its Choice (2), the Map (1), per lane its steps and Choices (2 each), its Waits
 * (1 each) and its end (1), the Pass after the Map (1), a first check at once (Check and Choice, 2) and
 * every later check with its Wait (3).
 */
export function layerTransitions({ lanes, pass, checks, checkContinuations = 0 }: LayerShape): number {
  const ofPass = ({ invocations, paceWaits }: PassShape) => 2 * invocations + paceWaits;
  const continued = 2 * checkContinuations;
  if (lanes) {
    const ofLanes = lanes.reduce((sum, lane) => sum + ofPass(lane) + 1, 0);
    return 2 + 1 + ofLanes + 1 + (checks > 0 ? 2 + 3 * (checks - 1) : 0) + continued;
  }
  return (pass ? ofPass(pass) : 0) + 3 * checks + continued;
}

/**
 * The states every run that acts enters besides its layers. key-disabled: finding the resources, two
 * Choices, the grace email and its Wait, the lease and key step and three Choices (9), then the ledger,
 * the lease, the email and the end (4). key-enabled: the lease and key step and four Choices (5), then
 * the same four.
 */
export const FIXED_TRANSITIONS = { disable: 13, enable: 9 } as const;

export interface PlanOptions {
  readonly timeBox?: TimeBox;
  /** The model's buckets. @default RATE_LIMITS */
  readonly limits?: readonly ApiLimit[];
  /** The longest a call waits in a Lambda before the pass hands the wait over. @default 20,000 */
  readonly maxWaitMs?: number;
  /** The step Lambda's timeout, seconds. @default LIMITS.stepTimeoutSeconds */
  readonly stepSeconds?: number;
  /**
   * Checks per layer once its calls are made. @default 2: one after the settle time of the slowest kind
   * (the wait is sized so that one usually finds it done), one for a straggler; a fanned-out layer adds
   * the check made at once after its lanes.
   */
  readonly checks?: number;
}

/** The longest Wait for the rate limits (converge.ts). */
const MAX_PACE_SECONDS = 600;

/** Requests the drivers keep in flight for kinds moved one call per resource (drivers/*.ts: CONCURRENCY). */
const CALLS_IN_FLIGHT = 5;

/**
 * One pass over `counts`. A kind whose call waits no longer than `maxWaitMs` for its tokens sleeps in
 * the pacer, so the pass takes the buckets' time in time boxes (the chunks' own work is left out: the
 * buckets bind at the sizes that matter). A kind whose call would wait longer is paced out: each round
 * issues what its bucket holds, then the workflow waits until it holds a chunk's worth again.
 */
export function planPass(counts: KindCounts, target: Target, options: PlanOptions = {}): PassShape {
  const box = options.timeBox ?? DEFAULT_TIME_BOX;
  const limits = options.limits ?? RATE_LIMITS;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  // What one invocation may use: its test budget, or its Lambda's timeout less the margin (time-box.ts).
  const budgetSeconds =
    box.budgetMs === undefined
      ? (options.stepSeconds ?? LIMITS.stepTimeoutSeconds) - box.safetyMarginMs / 1000
      : box.budgetMs / 1000;
  let sleptSeconds = 0;
  let chunks = 0;
  let paceWaits = 0;
  for (const kind of RESOURCE_KINDS) {
    const count = counts[kind] ?? 0;
    if (count <= 0) continue;
    const kindChunks = Math.ceil(count / box.chunkSize);
    chunks += kindChunks;
    const rounds = pacedOutRounds(kind, target, count, { box, limits, maxWaitMs });
    if (rounds === undefined)
      sleptSeconds += issueSeconds({ [kind]: count }, target, { lanes: true, limits }).seconds;
    else paceWaits += rounds - 1;
  }
  const byTime = budgetSeconds > 0 ? Math.max(1, Math.ceil(sleptSeconds / budgetSeconds)) : chunks;
  return { invocations: byTime + paceWaits, paceWaits };
}

/**
 * The rounds a kind takes when its calls are paced out (undefined when the pacer sleeps them through):
 * the first from full buckets; the step then asks to wait until the bucket is full again (converge.ts,
 * at most 600 s, in whole seconds), and each later round issues what refilled.
 */
function pacedOutRounds(
  kind: ResourceKind,
  target: Target,
  count: number,
  { box, limits, maxWaitMs }: { box: TimeBox; limits: readonly ApiLimit[]; maxWaitMs: number },
): number | undefined {
  const perCall = resourcesPerCall(kind, target);
  let rounds: number | undefined;
  for (const { bucket, name } of tokensToMove(kind, target, count, limits)) {
    // What one call draws: its resources from a resource bucket, one token (times the calls in flight) else.
    const perDraw = name.endsWith(':resource')
      ? Math.min(box.chunkSize, perCall)
      : perCall === 1
        ? Math.min(CALLS_IN_FLIGHT, box.chunkSize)
        : 1;
    const drawnPerChunk = name.endsWith(':resource') ? box.chunkSize : Math.ceil(box.chunkSize / perCall);
    if ((Math.min(perDraw, bucket.burst) / bucket.refillPerSecond) * 1000 <= maxWaitMs) continue;
    const chunks = Math.ceil(count / box.chunkSize);
    const waitSeconds = Math.min(MAX_PACE_SECONDS, Math.ceil(bucket.burst / bucket.refillPerSecond));
    const first = Math.max(1, Math.floor(bucket.burst / drawnPerChunk));
    const later = Math.max(
      1,
      Math.floor(Math.min(bucket.burst, waitSeconds * bucket.refillPerSecond) / drawnPerChunk),
    );
    const needed = chunks <= first ? 1 : 1 + Math.ceil((chunks - first) / later);
    rounds = Math.max(rounds ?? 0, needed);
  }
  return rounds;
}

/** One layer's shape by the plan: fanned out by kind when the first step would, else one pass. */
export function planLayer(counts: KindCounts, target: Target, options: PlanOptions = {}): LayerShape {
  const box = options.timeBox ?? DEFAULT_TIME_BOX;
  const kinds = RESOURCE_KINDS.filter((kind) => (counts[kind] ?? 0) > 0);
  const total = kinds.reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
  if (total === 0) return { pass: { invocations: 1, paceWaits: 0 }, checks: 0 };
  const checks = options.checks ?? 2;
  if (fansOut(total, kinds.length, box.batchSize)) {
    return {
      lanes: kinds.map((kind) => planPass({ [kind]: counts[kind] }, target, options)),
      checks: checks + 1,
    };
  }
  return { pass: planPass(counts, target, options), checks };
}

/** The fleet of one key, by layer and kind. */
export interface FleetCounts {
  readonly service: KindCounts;
  readonly server: KindCounts;
}

/** A whole run by the plan: its layers' shapes (in the order the run takes them) and its transitions. */
export function planRun(
  workflow: 'disable' | 'enable',
  fleet: FleetCounts,
  options: PlanOptions = {},
): { readonly layers: readonly LayerShape[]; readonly transitions: number } {
  const target: Target = workflow === 'disable' ? 'stopped' : 'running';
  const order = workflow === 'disable' ? (['service', 'server'] as const) : (['server', 'service'] as const);
  const layers = order.map((layer) => planLayer(fleet[layer], target, options));
  return {
    layers,
    transitions:
      FIXED_TRANSITIONS[workflow] + layers.reduce((sum, layer) => sum + layerTransitions(layer), 0),
  };
}

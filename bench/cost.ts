import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LIMITS as CONTRACT } from '../lambdas/shared/contract';
import { ROOT_DIR } from '../lib/catalog';
import type { ReactorCycle, Scenario, SweepRun } from './figures';
import type { LambdaUsage, RequestUnits } from './meter';

/**
 * What the reactor costs on AWS, from what the bench counted: state transitions, Lambda requests and
 * GB-seconds (measured durations × the functions' memory sizes in lib/), DynamoDB request units, KMS
 * requests, SES emails, SNS and EventBridge messages, at public us-east-1 prices. EC2, RDS, ECS, STS and
 * tagging API calls cost nothing. Free tiers are left out: the figures are the marginal cost.
 */

/** `usd` for every `per` units, as the price pages state them; unitPrice() divides. */
export interface Price {
  readonly item: string;
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

export const unitPrice = (price: Price): number => price.usd / price.per;

/** us-east-1, on-demand, as published on each page (read December 2026). */
export const PRICES = {
  transition: {
    item: 'Step Functions Standard, state transition',
    usd: 0.025,
    per: 1000,
    unit: 'transitions',
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  lambdaRequest: {
    item: 'Lambda, request',
    usd: 0.2,
    per: 1_000_000,
    unit: 'requests',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaArm: {
    item: 'Lambda, duration on Arm (arm64, first 7.5 billion GB-s a month)',
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-s',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaX86: {
    item: 'Lambda, duration on x86 (first 6 billion GB-s a month)',
    usd: 0.0000166667,
    per: 1,
    unit: 'GB-s',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  write: {
    item: 'DynamoDB on-demand, write request unit (since November 2024)',
    usd: 0.625,
    per: 1_000_000,
    unit: 'WRU',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  read: {
    item: 'DynamoDB on-demand, read request unit (since November 2024)',
    usd: 0.125,
    per: 1_000_000,
    unit: 'RRU',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  kms: {
    item: 'KMS, API request',
    usd: 0.03,
    per: 10_000,
    unit: 'requests',
    source: 'https://aws.amazon.com/kms/pricing/',
  },
  ses: {
    item: 'SES, outbound email',
    usd: 0.1,
    per: 1000,
    unit: 'emails',
    source: 'https://aws.amazon.com/ses/pricing/',
  },
  sns: {
    item: 'SNS, publish (64 KB chunk)',
    usd: 0.5,
    per: 1_000_000,
    unit: 'requests',
    source: 'https://aws.amazon.com/sns/pricing/',
  },
  events: {
    item: 'EventBridge, custom event put',
    usd: 1,
    per: 1_000_000,
    unit: 'events',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  controlPlane: {
    item: 'EC2, RDS, ECS, STS and tagging API calls',
    usd: 0,
    per: 1,
    unit: 'calls',
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/ (API requests are not billed)',
  },
} as const satisfies Record<string, Price>;

export class LibSettingNotFoundError extends Error {
  constructor(file: string, what: string) {
    super(`Could not read ${what} from ${file}: the cost model needs it; update bench/cost.ts`);
    this.name = 'LibSettingNotFoundError';
  }
}

/** The functions' memory sizes and architecture, read from lib/ so the cost follows the deployed settings. */
export interface FunctionSettings {
  readonly defaultMemoryMb: number;
  readonly sweepMemoryMb: number;
  readonly arm64: boolean;
  readonly sweepMinutes: number;
}

export function functionSettings(): FunctionSettings {
  const read = (file: string, pattern: RegExp, what: string): string => {
    const match = pattern.exec(readFileSync(path.join(ROOT_DIR, 'lib', file), 'utf8'));
    if (!match) throw new LibSettingNotFoundError(file, what);
    return match[1] ?? match[0];
  };
  return {
    defaultMemoryMb: Number(
      read('reactor-function.ts', /memorySize: props\.memorySize \?\? (\d+)/, 'the default memory'),
    ),
    sweepMemoryMb: Number(read('reactor-sweep.ts', /memorySize: (\d+)/, 'the sweep memory')),
    arm64: read('reactor-function.ts', /architecture: Architecture\.(\w+)/, 'the architecture') === 'ARM_64',
    // lib/reactor-settings.ts defaults sweepInterval to this.
    sweepMinutes: CONTRACT.defaultSweepMinutes,
  };
}

export interface CostBreakdown {
  readonly stepFunctions: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly dynamodb: number;
  readonly kms: number;
  readonly ses: number;
  readonly sns: number;
  readonly eventBridge: number;
  readonly total: number;
}

/** What one cycle or run used, in billable units. */
export interface Usage {
  readonly transitions: number;
  readonly lambdaRequests: number;
  readonly gbSeconds: number;
  readonly units: RequestUnits;
  readonly byOperation: Record<string, number>;
}

const count = (byOperation: Record<string, number>, prefix: string): number =>
  Object.entries(byOperation)
    .filter(([name]) => name.startsWith(prefix))
    .reduce((total, [, calls]) => total + calls, 0);

export function costOf(usage: Usage, settings: FunctionSettings): CostBreakdown {
  const gbSecond = unitPrice(settings.arm64 ? PRICES.lambdaArm : PRICES.lambdaX86);
  const parts = {
    stepFunctions: usage.transitions * unitPrice(PRICES.transition),
    lambdaRequests: usage.lambdaRequests * unitPrice(PRICES.lambdaRequest),
    lambdaDuration: usage.gbSeconds * gbSecond,
    dynamodb: usage.units.read * unitPrice(PRICES.read) + usage.units.write * unitPrice(PRICES.write),
    kms: count(usage.byOperation, 'KMS:') * unitPrice(PRICES.kms),
    ses:
      (count(usage.byOperation, 'SES:SendEmail') + count(usage.byOperation, 'SES:SendRawEmail')) *
      unitPrice(PRICES.ses),
    sns: count(usage.byOperation, 'SNS:Publish') * unitPrice(PRICES.sns),
    eventBridge: count(usage.byOperation, 'EventBridge:PutEvents') * unitPrice(PRICES.events),
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

const gbSeconds = (lambda: LambdaUsage, memoryMb: (folder: string) => number): number =>
  Object.entries(lambda).reduce(
    (total, [folder, { ms }]) => total + (ms / 1000) * (memoryMb(folder) / 1024),
    0,
  );

/**
 * assumption: the dispatcher (one invocation per key event, outside the workflows the bench starts)
 * runs 100 ms at the default memory; it is counted as a request and that duration.
 */
export const DISPATCHER_MS = 100;

function cycleUsage(cycle: ReactorCycle, keys: number, settings: FunctionSettings): Usage {
  const memory = (folder: string) => (folder === 'sweep' ? settings.sweepMemoryMb : settings.defaultMemoryMb);
  return {
    transitions: cycle.transitions.total.median,
    lambdaRequests: cycle.taskInvocations.total.median + keys,
    gbSeconds:
      gbSeconds(cycle.lambda, memory) + keys * (DISPATCHER_MS / 1000) * (settings.defaultMemoryMb / 1024),
    units: cycle.dynamodb,
    byOperation: cycle.awsCalls.byOperation,
  };
}

export interface CycleCost {
  readonly scenario: string;
  readonly keys: number;
  readonly resourcesPerKey: number;
  /** One key's disable and enable cycles together, in US dollars. */
  readonly perKeyCycle: CostBreakdown;
}

const scale = (cost: CostBreakdown, factor: number): CostBreakdown =>
  Object.fromEntries(
    Object.entries(cost).map(([name, usd]) => [name, usd * factor]),
  ) as unknown as CostBreakdown;

const add = (a: CostBreakdown, b: CostBreakdown): CostBreakdown =>
  Object.fromEntries(
    Object.entries(a).map(([name, usd]) => [name, usd + (b[name as keyof CostBreakdown] ?? 0)]),
  ) as unknown as CostBreakdown;

export function cycleCost(scenario: Scenario, settings: FunctionSettings): CycleCost {
  const { disable, enable } = scenario.reactor;
  const both = add(
    costOf(cycleUsage(disable, scenario.keys, settings), settings),
    costOf(cycleUsage(enable, scenario.keys, settings), settings),
  );
  return {
    scenario: scenario.name,
    keys: scenario.keys,
    resourcesPerKey: scenario.resourcesPerKey,
    perKeyCycle: scale(both, 1 / scenario.keys),
  };
}

export interface SweepCost {
  readonly keys: number;
  readonly runsPerMonth: number;
  readonly perRun: CostBreakdown;
  readonly perMonth: CostBreakdown;
}

export const SWEEP_COST_KEYS = [10, 1000, 10_000] as const;

/**
 * The sweep's monthly cost at 10, 1,000 and 10,000 keys, from one measured sweep over `measured.keys`
 * keys: one Lambda request a run, and its duration, request units and calls scaled by keys (the sweep
 * reads each key and its resources, so they grow with the keys). 30-day months.
 */
export function sweepCosts(measured: SweepRun, settings: FunctionSettings): SweepCost[] {
  const runsPerMonth = (30 * 24 * 60) / settings.sweepMinutes;
  return SWEEP_COST_KEYS.map((keys) => {
    const factor = keys / measured.keys;
    const usage: Usage = {
      transitions: 0,
      lambdaRequests: 1,
      gbSeconds: gbSeconds(measured.lambda, () => settings.sweepMemoryMb) * factor,
      units: { read: measured.dynamodb.read * factor, write: measured.dynamodb.write * factor },
      byOperation: Object.fromEntries(
        Object.entries(measured.awsCalls.byOperation).map(([name, calls]) => [name, calls * factor]),
      ),
    };
    const perRun = costOf(usage, settings);
    return { keys, runsPerMonth, perRun, perMonth: scale(perRun, runsPerMonth) };
  });
}

export interface CostReport {
  readonly settings: FunctionSettings;
  readonly prices: readonly Price[];
  readonly cycles: readonly CycleCost[];
  /** From the sweep of many keys when it ran, else the scenario with the most keys whose sweep ran; none when no sweep ran. */
  readonly sweep: { readonly measuredOn: string; readonly costs: readonly SweepCost[] } | null;
}

/**
 * The cost of each scenario's cycle, and the sweep's: from the sweep of many keys (`manyKeys`, bench/optional.ts)
 * when it ran, the largest measured, else from the scenario with the most keys whose sweep ran.
 */
export function costReport(scenarios: readonly Scenario[], manyKeys?: SweepRun): CostReport {
  const settings = functionSettings();
  const swept = [...scenarios].filter((s) => s.sweep).sort((a, b) => b.keys - a.keys)[0];
  const sweep = manyKeys
    ? { measuredOn: `sweep of ${manyKeys.keys} keys`, costs: sweepCosts(manyKeys, settings) }
    : swept?.sweep
      ? { measuredOn: swept.name, costs: sweepCosts(swept.sweep, settings) }
      : null;
  return {
    settings,
    prices: Object.values(PRICES),
    cycles: scenarios.map((scenario) => cycleCost(scenario, settings)),
    sweep,
  };
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SWEEP_COST_KEYS } from '../../bench/cost';
import { type BenchReport, runBenchmark } from '../../bench/harness';
import { TRANSITIONS } from '../../bench/model/transitions';
import { formatReport } from '../../bench/report';
import { runFileName, storeRun } from '../../bench/store';
import { LIMITS, REQUIRED_TARGETS, TARGET_NAMES } from '../../bench/targets';

// The benchmark harness at tiny sizes, 2 rounds each, in modelled time as `npm run bench` runs it, so
// that it cannot rot between runs: the sides run interleaved, every cycle converges, the batched
// baseline is really batched, the figures are modelled (a cycle lasts at least the AWS transitions it
// waits for), the cold path is measured, the stored run is written, and the targets these sizes cannot
// reach read "not measured".

let report: BenchReport;
/** Cycles handed to the clock driver: every measured await must go through it. */
let driven = 0;

beforeAll(async () => {
  report = await runBenchmark({
    sizes: [10],
    keyCounts: [2],
    smallFleet: { services: 1, instances: 3, databases: 1 },
    repeats: 2,
    bundles: { initRuns: 1, functions: ['describe-key'] },
    sweep10k: false,
    coldPathRepeats: 1,
    drive: async (cycle) => {
      driven++;
      return cycle();
    },
  });
}, 600_000);

const scenario = (name: string) => {
  const found = report.scenarios.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

describe('the benchmark harness', () => {
  it('runs the reactor and both baselines interleaved, round after round', () => {
    expect(report.scenarios.map((s) => [s.name, s.keys, s.resources, s.rounds])).toEqual([
      ['N=10', 1, 10, 2],
      ['K=2', 2, 10, 2],
    ]);
    for (const { sequence } of report.scenarios)
      expect(sequence).toEqual(['reactor 1', 'naive 1', 'batched 1', 'reactor 2', 'naive 2', 'batched 2']);
  });

  it('hands every measured cycle to the clock driver: 2 rounds x 3 sides x 2 cycles a scenario, and the sweep', () => {
    expect(driven).toBe(2 * (2 * 3 * 2) + 1);
    expect(report.settings.modelled).toBe(true);
  });

  it('reports modelled time: each cycle waits at least the AWS transitions it made, and far more than it took', () => {
    for (const s of report.scenarios) {
      // Every fleet has a database: a disable lasts at least its modelled stop, an enable its start.
      for (const side of [s.reactor, s.naive, s.batched]) {
        expect(side?.disable.wallMs.min).toBeGreaterThanOrEqual(TRANSITIONS.rdsStop.ms);
        expect(side?.enable.wallMs.min).toBeGreaterThanOrEqual(TRANSITIONS.rdsStart.ms);
      }
      expect(s.modelledMs).toBeGreaterThan(s.realMs);
      expect(s.coldStarts).toBeGreaterThan(0);
    }
  });

  it('measures the cold path in modelled time, so both of its targets have a figure', () => {
    for (const name of [TARGET_NAMES.enableToFirstStart, TARGET_NAMES.graceEndToFirstStop])
      expect(report.targets.find((target) => target.target === name)?.actual).toBeGreaterThan(0);
    expect(report.coldPath?.repeats).toBe(1);
  });

  it('reports every side of every cycle as {min, median, max} over the rounds, converged', () => {
    for (const s of report.scenarios) {
      for (const cycle of [s.reactor.disable, s.reactor.enable, s.naive?.disable, s.batched?.enable]) {
        expect(cycle?.rounds).toBe(2);
        expect(cycle?.converged).toBe(true);
        const wall = cycle?.wallMs ?? { min: Number.NaN, median: Number.NaN, max: Number.NaN };
        expect(wall.min).toBeLessThanOrEqual(wall.median);
        expect(wall.median).toBeLessThanOrEqual(wall.max);
        expect(cycle?.throttled.total.median).toBe(0);
      }
      expect(s.reactor.disable.succeeded).toBe(s.keys);
      expect(s.reactor.disable.transitions.max.median).toBeGreaterThan(0);
      expect(s.reactor.disable.lambda['stop-resources']?.invocations).toBeGreaterThan(0);
      // Ratios come from the medians measured in this run.
      expect(s.ratios.batched?.disableWall).toBeCloseTo(
        s.reactor.disable.wallMs.median / (s.batched?.disable.wallMs.median ?? Number.NaN),
        2,
      );
    }
  });

  it('batches: the batched script makes fewer calls than the naive loop at N = 10, one StopInstances for all', () => {
    const ten = scenario('N=10');
    for (const cycle of ['disable', 'enable'] as const)
      expect(ten.batched?.[cycle].awsCalls.total.median).toBeLessThan(
        ten.naive?.[cycle].awsCalls.total.median ?? 0,
      );
    expect(ten.batched?.disable.awsCalls.byOperation['EC2:StopInstances']).toBe(1);
    expect(ten.naive?.disable.awsCalls.byOperation['EC2:StopInstances']).toBe(ten.mix.instances);
    expect(ten.batched?.disable.awsCalls.byOperation).toHaveProperty([
      'ResourceGroupsTaggingAPI:GetResources',
    ]);
  });

  it('names every target, and reports those whose scenario did not run as not measured', () => {
    const names = report.targets.map((target) => target.target);
    expect(names).toEqual(expect.arrayContaining([...REQUIRED_TARGETS]));
    const coldPath: readonly string[] = [TARGET_NAMES.enableToFirstStart, TARGET_NAMES.graceEndToFirstStop];
    for (const name of REQUIRED_TARGETS.filter((required) => !coldPath.includes(required)))
      expect(report.targets.find((target) => target.target === name)).toMatchObject({
        actual: null,
        met: false,
      });
    expect(report.targets.find((t) => t.target === 'transitions per disable at N = 10,000')?.limit).toBe(
      LIMITS.transitions,
    );
    expect(report.targets.find((t) => t.target.startsWith('largest bundle'))?.actual).toEqual(
      expect.any(Number),
    );
  });

  it('costs a cycle from counted usage, and the sweep at 10, 1,000 and 10,000 keys', () => {
    const cycle = report.cost.cycles.find((c) => c.scenario === 'N=10')?.perKeyCycle;
    // Transitions at $0.025 per 1,000, both cycles of one key.
    const transitions =
      scenario('N=10').reactor.disable.transitions.total.median +
      scenario('N=10').reactor.enable.transitions.total.median;
    expect(cycle?.stepFunctions).toBeCloseTo((transitions * 0.025) / 1000, 10);
    expect(cycle?.kms).toBeGreaterThan(0);
    expect(report.cost.sweep?.measuredOn).toBe('K=2');
    expect(report.cost.sweep?.costs.map((c) => c.keys)).toEqual([...SWEEP_COST_KEYS]);
    expect(report.cost.sweep?.costs[0]?.runsPerMonth).toBe(
      (30 * 24 * 60) / report.cost.settings.sweepMinutes,
    );
    expect(report.cost.settings.arm64).toBe(true);
  });

  it('stores the run, small, and prints the tables', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-runs-'));
    try {
      const [file] = storeRun(report, dir);
      expect(file).toBe(path.join(dir, runFileName(report.generatedAt)));
      expect(existsSync(file as string)).toBe(true);
      const text = readFileSync(file as string, 'utf8');
      expect(text.length).toBeLessThan(100_000);
      expect((JSON.parse(text) as BenchReport).targets).toEqual(report.targets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const printed = formatReport(report);
    expect(printed).toContain('N=10 disable');
    expect(printed).toContain('not measured');
    expect(printed).toContain('https://aws.amazon.com/step-functions/pricing/');
  });
});

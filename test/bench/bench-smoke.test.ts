import { type BenchReport, runBenchmark, TARGETS } from '../../bench/harness';
import { formatReport } from '../../bench/report';

// The benchmark harness at tiny sizes, so that it cannot rot between `npm run bench` runs: the report
// has its shape, every execution succeeds, and the workflow's state transitions per disable cycle stay
// within the target and do not grow with the fleet. Behaviour only: no timing is asserted.

let report: BenchReport;

beforeAll(async () => {
  report = await runBenchmark({
    sizes: [2, 5, 8],
    keyCounts: [2],
    smallFleet: { services: 1, instances: 3, databases: 1 },
    baseline: true,
    bundles: { initRuns: 1, functions: ['describe-key'] },
    pollMs: 5,
  });
}, 300_000);

describe('the benchmark harness', () => {
  it('runs every scenario, reactor and baseline, and both cycles succeed', () => {
    expect(report.scenarios.map((scenario) => [scenario.name, scenario.keys, scenario.resources])).toEqual([
      ['N=2', 1, 2],
      ['N=5', 1, 5],
      ['N=8', 1, 8],
      ['K=2', 2, 10],
    ]);
    for (const scenario of report.scenarios) {
      for (const cycle of [scenario.reactor.disable, scenario.reactor.enable]) {
        expect(cycle.succeeded).toBe(scenario.keys);
        expect(cycle.transitions.max).toBeGreaterThan(0);
        expect(cycle.taskInvocations.total).toBeGreaterThanOrEqual(cycle.executions);
        expect(cycle.awsCalls.total).toBe(
          Object.values(cycle.awsCalls.byOperation).reduce((a, b) => a + b, 0),
        );
      }
      expect(scenario.baseline?.disable.awsCalls.byOperation).toEqual(
        expect.objectContaining({ 'EC2:StopInstances': expect.any(Number) }),
      );
      expect(scenario.ratio).toEqual({
        disableWall: expect.any(Number),
        enableWall: expect.any(Number),
        disableCalls: expect.any(Number),
        enableCalls: expect.any(Number),
      });
    }
  });

  it('batches by kind: one StopInstances call for all of a key’s instances, one UpdateService per service', () => {
    const eight = report.scenarios.find((scenario) => scenario.name === 'N=8');
    expect(eight?.mix).toEqual({ services: 1, instances: 6, databases: 1 });
    expect(eight?.reactor.disable.awsCalls.byOperation['EC2:StopInstances']).toBe(1);
    expect(eight?.baseline?.disable.awsCalls.byOperation['EC2:StopInstances']).toBe(6);
  });

  it('keeps state transitions per disable cycle within the target, and they do not grow with the fleet', () => {
    const transitions = (name: string) =>
      report.scenarios.find((scenario) => scenario.name === name)?.reactor.disable.transitions.max ??
      Number.NaN;
    expect(transitions('N=8')).toBeLessThanOrEqual(TARGETS.transitionsPerDisableCycle);
    expect(transitions('N=8')).toBeLessThanOrEqual(transitions('N=2'));
  });

  it('measures the bundles and judges the targets it has figures for', () => {
    expect(report.bundles).toEqual([
      {
        function: 'describe-key',
        bytes: expect.any(Number),
        largest: expect.any(Array),
        initMs: { median: expect.any(Number), runs: [expect.any(Number)] },
      },
    ]);
    expect(report.targets.map((target) => target.target)).toEqual([
      'state transitions per disable cycle, any scenario',
      'largest bundle, minified bytes (1 MiB)',
      'slowest module init, median ms',
    ]);
    expect(formatReport(report)).toContain('N=8 disable');
  });
});

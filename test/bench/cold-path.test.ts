import { type ColdPathFigures, measureColdPath } from '../../bench/cold-path';
import { workerMoto } from '../support/moto';

// The cold path in modelled time on a small fleet: the real workflows and handlers on moto, every function
// cold, the AWS and Lambda models in between. Figures are modelled seconds; only their sanity is asserted.

let figures: ColdPathFigures;

beforeAll(async () => {
  figures = await measureColdPath({
    repeats: 2,
    // Servers only: one layer, so that each repeat stays a few seconds of real time.
    fleet: { services: 0, instances: 2, databases: 0 },
    moto: await workerMoto(),
    bundles: [
      { function: 'dispatcher', bytes: 0, largest: [], initMs: { median: 120, runs: [120] } },
      { function: 'describe-key', bytes: 0, largest: [], initMs: { median: 90, runs: [90] } },
      { function: 'start-resources', bytes: 0, largest: [], initMs: { median: 140, runs: [140] } },
      { function: 'stop-resources', bytes: 0, largest: [], initMs: { median: 140, runs: [140] } },
    ],
  });
}, 120_000);

describe('the cold path in modelled time', () => {
  it.each(['enableToFirstStartS', 'graceEndToFirstStopS'] as const)(
    '%s is positive, finite and ordered',
    (name) => {
      const { min, median, max } = figures[name];
      for (const value of [min, median, max]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThan(0);
      }
      expect(min).toBeLessThanOrEqual(median);
      expect(median).toBeLessThanOrEqual(max);
    },
  );

  it('pays a cold start for the dispatcher, the key check and the start before the first start', () => {
    // Three functions run cold before the first start (test/workflow/cold-path.test.ts): at least their
    // cold starts (150 ms of runtime each, and the module inits above) are in the figure.
    expect(figures.enableToFirstStartS.min).toBeGreaterThan((3 * 150 + 120 + 90 + 140) / 1000);
    expect(figures.coldStarts.every((count) => count > 0)).toBe(true);
  });
});

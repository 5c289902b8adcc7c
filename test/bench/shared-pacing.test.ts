import { measureColdPath } from '../../bench/cold-path';
import { workerMoto } from '../support/moto';

it('runs a modelled disable and enable with shared pacing', async () => {
  const figures = await measureColdPath({
    repeats: 1,
    fleet: { services: 1, instances: 2, databases: 1 },
    moto: await workerMoto(),
    graceSeconds: 0,
    settings: { pacing: 'shared' },
    bundles: [
      { function: 'dispatcher', bytes: 0, largest: [], initMs: { median: 120, runs: [120] } },
      { function: 'describe-key', bytes: 0, largest: [], initMs: { median: 90, runs: [90] } },
      { function: 'start-resources', bytes: 0, largest: [], initMs: { median: 140, runs: [140] } },
      { function: 'stop-resources', bytes: 0, largest: [], initMs: { median: 140, runs: [140] } },
    ],
  });
  expect(figures.graceEndToFirstStopS.min).toBeGreaterThan(0);
}, 180_000);

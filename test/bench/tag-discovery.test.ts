import { formatTagDiscovery, runTagDiscovery, type TagDiscoveryReport } from '../../bench/tag-discovery';
import { workerMoto } from '../support/moto';

// `npm run bench:tags` at a small N on the worker's moto, so that it cannot rot between runs: every
// resource tagged for the key is found, the other keys' are not, and the calls are the pages (moto's
// GetResources stops a page at 100 tags, so 49 resources with our two tags each, plus one
// DescribeAutoScalingGroups). Behaviour only: no timing is asserted.

let report: TagDiscoveryReport;

beforeAll(async () => {
  report = await runTagDiscovery(await workerMoto(), { count: 60, othersPerKey: 5, otherKeys: 2, runs: 2 });
}, 300_000);

describe('the tag discovery bench', () => {
  it('finds every resource tagged for the key, and only those, in one call per page', () => {
    expect(report.mix).toEqual({ services: 6, instances: 48, databases: 6 });
    expect(report.list).toMatchObject({ found: 60, calls: 3 });
  });

  it('finds every key’s resources in one read of the account', () => {
    expect(report.all).toMatchObject({ found: 70, keys: 3, calls: 3 });
    expect(report.all.ms.min).toBeLessThanOrEqual(report.all.ms.median);
    expect(report.all.ms.median).toBeLessThanOrEqual(report.all.ms.max);
  });

  it('prints the figure', () => {
    expect(formatTagDiscovery(report)).toMatch(/list\(key\): found 60 in 3 calls, [\d.]+ ms median/);
  });
});

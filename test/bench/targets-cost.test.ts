import { costOf, costReport, functionSettings, PRICES, sweepCosts, unitPrice } from '../../bench/cost';
import { type BaselineCycle, type ReactorCycle, roundsFor, type Scenario } from '../../bench/figures';
import { mixOf } from '../../bench/fleet';
import { requestUnits } from '../../bench/meter';
import { spreadOf } from '../../bench/metrics';
import { evaluateTargets, NOT_MEASURED, TARGET_NAMES } from '../../bench/targets';

// The bench's arithmetic without a moto server: how targets are judged from a run's scenarios, how
// DynamoDB request units are estimated, how usage is priced, and how rounds shrink with size.

const one = (value: number) => spreadOf([value]);

function cycle(wallMs: number, converged = true): ReactorCycle & BaselineCycle {
  return {
    rounds: 1,
    wallMs: one(wallMs),
    converged,
    invocations: 1,
    executions: 1,
    succeeded: 1,
    awsCalls: { total: one(10), byOperation: { 'KMS:DescribeKey': 2, 'SES:SendEmail': 1 } },
    throttled: { total: one(0), byOperation: {} },
    transitions: { max: one(80), total: one(80) },
    taskInvocations: { max: one(10), total: one(10) },
    retries: one(0),
    polls: { max: one(1) },
    historyEvents: { max: one(200) },
    dynamodb: { read: 4, write: 8 },
    lambda: { 'stop-resources': { invocations: 2, ms: 1024 } },
    callTime: {},
  };
}

function scenario(name: string, keys: number, resourcesPerKey: number, enableConverged = true): Scenario {
  const reactor = { disable: cycle(900), enable: cycle(1300, enableConverged) };
  const baseline = { disable: cycle(1000), enable: cycle(1000) };
  const ratios = { disableWall: 0.9, enableWall: 1.3, disableCalls: 1, enableCalls: 1 };
  return {
    name,
    keys,
    resourcesPerKey,
    resources: keys * resourcesPerKey,
    mix: mixOf(resourcesPerKey),
    setupMs: 0,
    realMs: 0,
    modelledMs: 0,
    rounds: 1,
    sequence: ['reactor 1', 'batched 1'],
    reactor,
    naive: baseline,
    batched: baseline,
    ratios: { naive: ratios, batched: ratios },
  };
}

const actual = (targets: ReturnType<typeof evaluateTargets>, name: string) =>
  targets.find((target) => target.target === name);

describe('targets', () => {
  it('takes the worse of disable and enable for the ratios, and judges each against its limit', () => {
    const targets = evaluateTargets([scenario('N=10000', 1, 10_000), scenario('K=100', 100, 5)], [], {
      ...NOT_MEASURED,
      enableToFirstStartS: 1.5,
    });
    expect(actual(targets, TARGET_NAMES.converged)).toMatchObject({ actual: 1, met: true });
    expect(actual(targets, TARGET_NAMES.batchedRatio)).toMatchObject({ actual: 1.3, limit: 1.1, met: false });
    expect(actual(targets, TARGET_NAMES.naiveRatio)).toMatchObject({ actual: 1.3, met: false });
    expect(actual(targets, TARGET_NAMES.transitions)).toMatchObject({ actual: 80, met: true });
    expect(actual(targets, TARGET_NAMES.enableToFirstStart)).toMatchObject({ actual: 1.5, met: true });
    expect(actual(targets, TARGET_NAMES.sweep)).toMatchObject({ actual: null, met: false });
  });

  it('is not converged at N = 10,000 when the enable cycle left a resource behind', () => {
    const targets = evaluateTargets([scenario('N=10000', 1, 10_000, false)], [], NOT_MEASURED);
    expect(actual(targets, TARGET_NAMES.converged)).toMatchObject({ actual: 0, met: false });
  });

  it('gives no ratio against a baseline that did not converge: one that gave up ends early', () => {
    const gaveUp = scenario('N=10000', 1, 10_000);
    const batched = { ...gaveUp.batched, enable: cycle(30, false) } as Scenario['batched'];
    const targets = evaluateTargets([{ ...gaveUp, batched }], [], NOT_MEASURED);
    expect(actual(targets, TARGET_NAMES.batchedRatio)).toMatchObject({ actual: null, met: false });
    expect(actual(targets, TARGET_NAMES.converged)).toMatchObject({ actual: 1, met: true });
  });
});

describe('DynamoDB request units', () => {
  it('counts reads in 4 KB units (half when eventually consistent) and writes in 1 KB units', () => {
    expect(requestUnits('GetItem', {}, { Item: { pk: { S: 'a' } } })).toEqual({ read: 0.5, write: 0 });
    const big = { blob: { S: 'x'.repeat(5000) } };
    expect(requestUnits('Query', { ConsistentRead: true }, { Items: [big, big] })).toEqual({
      read: 3,
      write: 0,
    });
    const put = (item: object) => ({ PutRequest: { Item: item } });
    expect(
      requestUnits(
        'BatchWriteItem',
        { RequestItems: { t: [put({ a: 1 }), put(big), { DeleteRequest: {} }] } },
        {},
      ),
    ).toEqual({ read: 0, write: 1 + 5 + 1 });
    expect(requestUnits('TransactWriteItems', { TransactItems: [{}, {}] }, {})).toEqual({
      read: 0,
      write: 4,
    });
  });
});

describe('cost', () => {
  const settings = { defaultMemoryMb: 256, sweepMemoryMb: 512, arm64: true, sweepMinutes: 5 };

  it('reads the functions’ memory, architecture and the sweep interval from lib/', () => {
    expect(functionSettings()).toEqual(settings);
  });

  it('prices counted usage at the public prices', () => {
    const cost = costOf(
      {
        transitions: 1000,
        lambdaRequests: 1_000_000,
        gbSeconds: 1,
        units: { read: 1_000_000, write: 1_000_000 },
        byOperation: { 'KMS:DescribeKey': 10_000, 'SES:SendEmail': 1000, 'EC2:StopInstances': 5 },
      },
      settings,
    );
    expect(cost.stepFunctions).toBeCloseTo(0.025, 10);
    expect(cost.lambdaRequests).toBeCloseTo(0.2, 10);
    expect(cost.lambdaDuration).toBeCloseTo(unitPrice(PRICES.lambdaArm), 12);
    expect(cost.dynamodb).toBeCloseTo(0.125 + 0.625, 10);
    expect(cost.kms).toBeCloseTo(0.03, 10);
    expect(cost.ses).toBeCloseTo(0.1, 10);
    expect(cost.total).toBeCloseTo(0.025 + 0.2 + 0.0000133334 + 0.75 + 0.03 + 0.1, 8);
  });

  it('runs the sweep 8,640 times a month and scales one measured sweep by keys', () => {
    const measured = {
      keys: 10,
      wallMs: 1000,
      awsCalls: { total: 20, byOperation: { 'KMS:DescribeKey': 20 } },
      dynamodb: { read: 10, write: 0 },
      lambda: { sweep: { invocations: 1, ms: 1000 } },
    };
    const [ten, thousand] = sweepCosts(measured, settings);
    expect(ten?.runsPerMonth).toBe(8640);
    expect(ten?.perRun.kms).toBeCloseTo(20 * 0.000003, 12);
    expect(thousand?.perRun.kms).toBeCloseTo(2000 * 0.000003, 12);
    // One request a run whatever the keys; the duration grows with them.
    expect(thousand?.perRun.lambdaRequests).toBeCloseTo(ten?.perRun.lambdaRequests ?? 0, 15);
    expect(thousand?.perRun.lambdaDuration).toBeCloseTo((ten?.perRun.lambdaDuration ?? 0) * 100, 12);
  });

  it('takes the sweep of many keys, when it ran, for the sweep cost at 10, 1,000 and 10,000 keys', () => {
    const manyKeys = {
      keys: 10_000,
      wallMs: 40_000,
      awsCalls: { total: 20_000, byOperation: { 'KMS:DescribeKey': 10_000 } },
      dynamodb: { read: 500, write: 0 },
      lambda: { sweep: { invocations: 1, ms: 40_000 } },
    };
    const report = costReport([], manyKeys);
    expect(report.sweep?.measuredOn).toBe('sweep of 10000 keys');
    expect(report.sweep?.costs.map((cost) => cost.keys)).toEqual([10, 1000, 10_000]);
    expect(report.sweep?.costs[2]?.perRun.kms).toBeCloseTo(10_000 * 0.000003, 12);
    expect(costReport([]).sweep).toBeNull();
  });
});

describe('rounds', () => {
  it('keeps every repeat for small scenarios and shrinks them for large ones', () => {
    expect([10, 999, 1000, 4999, 5000, 10_000].map((resources) => roundsFor(resources, 1, 3))).toEqual([
      3, 3, 2, 2, 1, 1,
    ]);
    expect([1, 10, 100, 1000].map((keys) => roundsFor(keys * 5, keys, 3))).toEqual([3, 3, 2, 1]);
    expect(roundsFor(2000, 1, 1)).toBe(1);
  });
});

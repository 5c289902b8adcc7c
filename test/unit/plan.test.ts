import { LocalBuckets } from '../../lambdas/shared/pacing/buckets';
import { PacedOutError, Pacer } from '../../lambdas/shared/pacing/pacer';
import { estimateLayer, issueSeconds, pollWaitSeconds } from '../../lambdas/shared/pacing/plan';
import { layerTransitions, planPass, planRun } from '../../lambdas/shared/pacing/transitions';
import { limitFor, withOverrides } from '../../lambdas/shared/rate-limits';

/** One key's fleet of `n`: 10 % ECS services, 80 % EC2 instances, 10 % RDS instances. */
const fleetOf = (n: number) => ({
  service: { 'ecs-service': n / 10 },
  server: { 'ec2-instance': (n * 8) / 10, 'rds-instance': n / 10 },
});

describe('the time the rate model gives a layer', () => {
  it("is the tokens past each bucket's burst at its refill rate, the slowest bucket when kinds run side by side", () => {
    // 8,000 instances: 7,000 past StopInstances' 1,000 at 20 a second; 1,000 databases: 980 past 20 at 5.
    const counts = { 'ec2-instance': 8_000, 'rds-instance': 1_000 };

    expect(issueSeconds(counts, 'stopped', { lanes: true })).toMatchObject({
      seconds: 350,
      operation: 'StopInstances',
      refillPerSecond: 20,
    });
    expect(issueSeconds(counts, 'stopped', { lanes: false }).seconds).toBe(350 + 196);
    // Starting is EC2's tightest bucket: 2 instances a second after the first 1,000.
    expect(issueSeconds(counts, 'running', { lanes: true }).seconds).toBe(3_500);
  });

  it('adds up kinds that share a bucket (RDS instances and clusters)', () => {
    expect(issueSeconds({ 'rds-instance': 20, 'rds-cluster': 5 }, 'stopped', { lanes: true }).seconds).toBe(
      1,
    );
  });

  it('adds the settle time of the slowest kind, and nothing past the bursts for a small fleet', () => {
    expect(
      estimateLayer({ 'ec2-instance': 10, 'rds-instance': 1 }, 'stopped', { batchSize: 500 }),
    ).toMatchObject({
      seconds: 0,
      settleSeconds: 240,
      totalSeconds: 240,
    });
    expect(estimateLayer(fleetOf(10_000).server, 'stopped', { batchSize: 500 }).totalSeconds).toBe(350 + 240);
  });

  it('reads overridden buckets, and refuses a bucket the model does not know', () => {
    const limits = withOverrides({ 'ec2:StopInstances': { resource: { burst: 10, refillPerSecond: 1 } } });

    expect(limitFor('ec2', 'StopInstances', limits)?.resource).toEqual({ burst: 10, refillPerSecond: 1 });
    expect(issueSeconds({ 'ec2-instance': 20 }, 'stopped', { lanes: true, limits }).seconds).toBe(10);
    expect(() => withOverrides({ 'ec2:StopInstance': {} })).toThrow(RangeError);
  });
});

describe('the poll wait', () => {
  it('waits out the slowest pending kind first, then looks every quarter of it, 15 to 60 s', () => {
    // The settle times are the shared table's (settle-times.ts): an EC2 stop 45 s, an RDS stop 4 min.
    expect(pollWaitSeconds(['ec2-instance'], 'stopped', 0)).toBe(45);
    expect(pollWaitSeconds(['ec2-instance', 'rds-instance'], 'stopped', 0)).toBe(240);
    // After a check that found it still under way: a quarter of the settle time, not the whole of it again.
    expect(pollWaitSeconds(['ec2-instance', 'rds-instance'], 'stopped', 1)).toBe(60);
    expect(pollWaitSeconds(['rds-instance'], 'running', 2)).toBe(60);
    expect(pollWaitSeconds(['ec2-instance'], 'stopped', 5)).toBe(15);
  });
});

describe('the transitions of a run', () => {
  it('count each state a layer enters, acted on directly or fanned out', () => {
    // Step and Choice, one continuation (2), one Wait for the rate limits, two checks of 3.
    expect(layerTransitions({ pass: { invocations: 2, paceWaits: 1 }, checks: 2 })).toBe(4 + 1 + 6);
    // Step, Choice, Map; lanes of 2 steps (4 + end) and 1 step (2 + end); Pass; check at once (2), one more (3).
    expect(
      layerTransitions({
        lanes: [
          { invocations: 2, paceWaits: 0 },
          { invocations: 1, paceWaits: 0 },
        ],
        checks: 2,
      }),
    ).toBe(3 + 5 + 3 + 1 + 2 + 3);
  });

  it('paces a kind out when one call would wait past the limit: a round per burst, not per call', () => {
    // Starting 8,000 instances: a call of 100 owes 50 s at 2 a second, past 20 s. The first round issues
    // the burst of 1,000; each later one waits 500 s for the bucket to fill, then issues 1,000 more.
    expect(planPass({ 'ec2-instance': 8_000 }, 'running')).toEqual({ invocations: 8, paceWaits: 7 });
    // Stopping them: a call owes 5 s, which the pacer sleeps; 350 s of tokens, 105 s an invocation.
    expect(planPass({ 'ec2-instance': 8_000 }, 'stopped')).toEqual({ invocations: 4, paceWaits: 0 });
  });

  it('grow with the fleet over what one invocation carries, not with the fleet', () => {
    const fixed = planRun('disable', fleetOf(10)).transitions;
    const at = (n: number) => planRun('disable', fleetOf(n)).transitions;

    // Nothing grows while each layer fits one invocation's burst.
    expect(at(100)).toBe(fixed);
    expect(at(10_000)).toBeLessThanOrEqual(100);
    // Ten times the fleet, about ten times the invocations: 2,100 instances an invocation (1,000 + 105 s
    // at 20 a second) is the batch, and the transitions past the fixed part stay under 2 per 100 resources.
    expect(at(100_000) - fixed).toBeLessThan((100_000 / 2_100) * 2 * 2);
    expect(at(100_000)).toBeGreaterThan(at(10_000));
  });
});

describe('the pacer, past its longest wait', () => {
  it('makes no call and says how long its tokens, and a full bucket, are owed', async () => {
    // Prepare: 2 tokens, 1 a second; the first draw empties the bucket.
    let now = 0;
    const limits = withOverrides({ 'ec2:StopInstances': { resource: { burst: 2, refillPerSecond: 1 } } });
    const pacer = new Pacer({
      buckets: new LocalBuckets(),
      clock: () => new Date(now),
      sleep: async (ms) => {
        now += ms;
      },
      maxWaitMs: 500,
      limits,
    });
    await pacer.acquire('ec2', 'StopInstances', 2);
    now += 500;

    // Act
    const refused = await pacer.acquire('ec2', 'StopInstances', 2).catch((error: unknown) => error);

    // Assess: a ThrottlingError by name, so a Task anywhere else retries it as before.
    expect(refused).toBeInstanceOf(PacedOutError);
    expect(refused).toMatchObject({ name: 'ThrottlingError', waitMs: 1_500, fullMs: 1_500 });
  });
});

import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  type BaselineRetryOptions,
  BaselineRetryStrategy,
  baselineClient,
  RetryRefusedError,
} from '../../bench/baseline-retry';
import { AwsModel } from '../../bench/model/aws-model';
import { realMilliseconds, VirtualClock } from '../../bench/model/virtual-clock';
import type { ApiLimit } from '../../lambdas/shared/rate-limits';
import type { MotoServer } from '../../sandbox/moto';
import { SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The baselines' retry in modelled time: a throttled call is retried until the bucket has refilled, long
// after the SDK's standard mode would have given up, but no longer than the script's patience; every
// other error fails fast; and every wait is on the virtual clock.

let moto: MotoServer;
let clock: VirtualClock | undefined;

beforeAll(async () => {
  moto = await workerMoto();
});

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

/** A bucket of one DescribeInstances that takes 100 s to refill: far past the SDK's 3 attempts (~3 s). */
const SLOW_BUCKET: ApiLimit = {
  service: 'ec2',
  bucket: 'slow describes',
  operations: ['DescribeInstances'],
  request: { burst: 1, refillPerSecond: 0.01 },
  source: 'test',
};

function ec2(model: AwsModel, retry: BaselineRetryOptions): EC2Client {
  return baselineClient(EC2Client, {
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    instrument: [model.instrument],
    retry,
  });
}

const outcome = (call: Promise<{ $metadata: { attempts?: number } }>) =>
  call.then(
    (output) => ({ name: 'ok', attempts: output.$metadata.attempts }),
    (error: Error & { $metadata?: { attempts?: number } }) => ({
      name: error.name,
      attempts: error.$metadata?.attempts,
    }),
  );

describe("the baselines' retry", () => {
  it('waits out a throttled bucket in modelled time', async () => {
    // Prepare: two calls on a bucket of one that refills in 100 s.
    const model = new AwsModel({ limits: [SLOW_BUCKET] });
    const client = ec2(model, { patienceMs: 10 * 60_000 });
    clock = VirtualClock.install();
    const installed = clock;
    const realStarted = realMilliseconds();

    // Act
    const { outcomes, tookMs } = await installed.run(async () => {
      const started = Date.now();
      const send = () => outcome(client.send(new DescribeInstancesCommand({})));
      const outcomes = await Promise.all([send(), send()]);
      return { outcomes, tookMs: Date.now() - started };
    });

    // Assess: both served, the second after the refill and many more attempts than the standard mode's 3,
    // all of it modelled time.
    expect(outcomes.map((o) => o.name)).toEqual(['ok', 'ok']);
    const throttled = model.stats().throttled['EC2:DescribeInstances'] ?? 0;
    expect(throttled).toBeGreaterThan(3);
    expect(Math.max(...outcomes.map((o) => o.attempts ?? 0))).toBe(throttled + 1);
    expect(tookMs).toBeGreaterThanOrEqual(100_000);
    // Backoff capped at 20 s: served within a capped backoff of the refill.
    expect(tookMs).toBeLessThan(100_000 + 2 * 20_000 + 5_000);
    expect(realMilliseconds() - realStarted).toBeLessThan(30_000);
  });

  it('gives up on a throttled call once its patience has run out, with the throttling error', async () => {
    // Prepare: 30 s of patience against a 100 s refill.
    const model = new AwsModel({ limits: [SLOW_BUCKET] });
    const client = ec2(model, { patienceMs: 30_000 });
    clock = VirtualClock.install();
    const installed = clock;

    // Act
    const { outcomes, tookMs } = await installed.run(async () => {
      const started = Date.now();
      const send = () => outcome(client.send(new DescribeInstancesCommand({})));
      const outcomes = await Promise.all([send(), send()]);
      return { outcomes, tookMs: Date.now() - started };
    });

    // Assess: the second gave up after its patience plus at most one capped backoff.
    expect(outcomes.map((o) => o.name)).toEqual(['ok', 'RequestLimitExceeded']);
    expect(tookMs).toBeGreaterThanOrEqual(30_000);
    expect(tookMs).toBeLessThan(30_000 + 20_000 + 5_000);
  });

  it('fails fast on an error that is not throttling: one attempt', async () => {
    // Prepare: a bucket that never runs short; an instance moto does not know.
    const client = ec2(new AwsModel(), { patienceMs: 10 * 60_000 });

    // Act
    const result = await outcome(
      client.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    );

    // Assess
    expect(result).toEqual({ name: 'InvalidInstanceID.NotFound', attempts: 1 });
  });

  it('retries a transient error up to 3 attempts in all, and refuses server and client errors at once', async () => {
    // Prepare
    const strategy = new BaselineRetryStrategy({ patienceMs: 10 * 60_000 });
    clock = VirtualClock.install();
    const installed = clock;

    // Act
    const refusals = await installed.run(async () => {
      const first = await strategy.acquireInitialRetryToken();
      const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT' });
      const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'TRANSIENT' });
      const refused = (errorType: 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR', token = first) =>
        strategy.refreshRetryTokenForRetry(token, { errorType }).then(
          () => 'retried',
          (error: Error) => error,
        );
      return {
        retries: third.getRetryCount(),
        fourth: await refused('TRANSIENT', third),
        server: await refused('SERVER_ERROR'),
        client: await refused('CLIENT_ERROR'),
      };
    });

    // Assess
    expect(refusals.retries).toBe(2);
    for (const refusal of [refusals.fourth, refusals.server, refusals.client])
      expect(refusal).toBeInstanceOf(RetryRefusedError);
  });
});

import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsModel } from '../../bench/model/aws-model';
import { latencyOf } from '../../bench/model/latencies';
import { VirtualClock } from '../../bench/model/virtual-clock';
import { awsClient } from '../../lambdas/shared/aws';
import { KeySessions } from '../../lambdas/shared/key-session';
import { limitFor } from '../../lambdas/shared/rate-limits';
import type { MotoServer } from '../../sandbox/moto';
import { SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The bench's AWS model on moto, in modelled time: each call waits its operation's latency, and EC2's
// non-mutating bucket throttles at its documented burst, refills at its documented rate, and the SDK's
// retry gets through once it has; STS sessions expire on the modelled clock.

let moto: MotoServer;
let clock: VirtualClock | undefined;

beforeAll(async () => {
  moto = await workerMoto();
});

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeBucket = limitFor('ec2', 'DescribeInstances');

function ec2(model: AwsModel, maxAttempts: number): EC2Client {
  return awsClient(EC2Client, {
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts,
    instrument: [model.instrument],
  });
}

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'ok',
    (error: Error) => error.name,
  );

describe('the AWS model', () => {
  it('throttles at the documented burst, refills at the documented rate, in modelled time', async () => {
    // Prepare: no SDK retry, so each throttled attempt shows; the clock two hours ahead of moto's, which
    // must not matter to the signature.
    const model = new AwsModel();
    const client = ec2(model, 1);
    clock = VirtualClock.install({ now: Date.now() + 2 * 3_600_000 });
    const installed = clock;
    const burst = describeBucket?.request.burst ?? 0;
    const refill = describeBucket?.request.refillPerSecond ?? 0;
    expect([burst, refill]).toEqual([100, 20]);

    // Act: a burst one over the bucket, at once; then, a second later, one second's refill and one more.
    const latencyMs = latencyOf('EC2', 'DescribeInstances').ms;
    const { first, second, tookMs } = await installed.run(async () => {
      const started = Date.now();
      const send = () => outcome(client.send(new DescribeInstancesCommand({})));
      const first = await Promise.all(Array.from({ length: burst + 1 }, send));
      // The second round reaches the bucket one latency after it is sent.
      await sleep(1_000 - latencyMs);
      const second = await Promise.all(Array.from({ length: refill + 1 }, send));
      return { first, second, tookMs: Date.now() - started };
    });

    // Assess
    const count = (outcomes: string[], name: string) => outcomes.filter((o) => o === name).length;
    expect([count(first, 'ok'), count(first, 'RequestLimitExceeded')]).toEqual([burst, 1]);
    expect([count(second, 'ok'), count(second, 'RequestLimitExceeded')]).toEqual([refill, 1]);
    expect(model.stats().throttled).toEqual({ 'EC2:DescribeInstances': 2 });
    // The calls of a round went side by side: each round took one latency.
    expect(tookMs).toBe(latencyMs + 1_000);
  });

  it('sends unmodelled calls straight on: no latency, no tokens taken, nothing counted', async () => {
    const model = new AwsModel();
    const client = ec2(model, 1);
    clock = VirtualClock.install();
    const installed = clock;
    const burst = describeBucket?.request.burst ?? 0;

    // A setup of twice the bucket, unmodelled, then a full burst, modelled.
    const { setupMs, outcomes } = await installed.run(async () => {
      const started = Date.now();
      const setup = await model.unmodelled(() =>
        Promise.all(
          Array.from({ length: 2 * burst }, () => outcome(client.send(new DescribeInstancesCommand({})))),
        ),
      );
      const setupMs = Date.now() - started;
      const measured = await Promise.all(
        Array.from({ length: burst }, () => outcome(client.send(new DescribeInstancesCommand({})))),
      );
      return { setupMs, outcomes: [...setup, ...measured] };
    });

    expect(setupMs).toBe(0);
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    expect(model.stats()).toEqual({ attempts: { 'EC2:DescribeInstances': burst }, throttled: {} });
  });

  it("lets the SDK's retry get through a throttled call once the bucket has refilled", async () => {
    // Prepare: five attempts, so that the SDK's jittered backoff cannot land every retry on an empty bucket.
    const model = new AwsModel();
    const client = ec2(model, 5);
    clock = VirtualClock.install();
    const installed = clock;
    const calls = (describeBucket?.request.burst ?? 0) + 2;

    // Act: two calls more than the bucket holds, at once.
    const outcomes = await installed.run(() =>
      Promise.all(
        Array.from({ length: calls }, () => outcome(client.send(new DescribeInstancesCommand({})))),
      ),
    );

    // Assess: the two over were throttled, then served after the SDK's backoff.
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    const throttled = model.stats().throttled['EC2:DescribeInstances'] ?? 0;
    expect(throttled).toBeGreaterThanOrEqual(2);
    expect(model.stats().attempts['EC2:DescribeInstances']).toBe(calls + throttled);
  });

  it('renews a key role session when the modelled clock passes its expiry, not before', async () => {
    // Prepare: the reactor's key sessions on the reactor's clock (Date, so the virtual one).
    const model = new AwsModel();
    const sts = awsClient(STSClient, {
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      instrument: [model.instrument],
    });
    const sessions = new KeySessions({
      roleArn: 'arn:aws:iam::123456789012:role/key-reactor-key-action',
      required: true,
      roleArnVariable: 'KEY_ROLE_ARN',
      sts,
      build: (credentials) => credentials?.accessKeyId,
      clock: () => new Date(),
    });
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    clock = VirtualClock.install({ now: Date.now() + 3_600_000 });
    const installed = clock;

    // Act: a session, the same 9 minutes later, a new one 11 minutes after the first (900 s, minus 5
    // minutes kept back).
    const ids = await installed.run(async () => {
      const first = await sessions.forKey(keyArn);
      await sleep(9 * 60_000);
      const reused = await sessions.forKey(keyArn);
      await sleep(2 * 60_000);
      const renewed = await sessions.forKey(keyArn);
      return { first, reused, renewed };
    });

    // Assess
    expect(model.stats().attempts['STS:AssumeRole']).toBe(2);
    expect(ids.reused).toBe(ids.first);
    expect(ids.renewed).not.toBe(ids.first);
  });
});

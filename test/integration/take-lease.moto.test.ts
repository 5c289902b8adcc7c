import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createDescribeKeyHandler } from '../../lambdas/describe-key/describe-key-handler';
import { Reactor } from '../../lambdas/shared/reactor';
import { defaultSettings } from '../../lambdas/shared/settings';
import { AwsCallLog } from '../../sandbox/aws-calls';
import {
  createCustomerKey,
  createReactorTable,
  DEMO,
  SANDBOX_CREDENTIALS,
  worldClients,
} from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The enable and disable runs' one step before they act, "Take the lease and check the key": the
// describe-key function taking the key's lease (lambdas/shared/take-lease.ts), on moto's DynamoDB and
// KMS. Step Functions, asked whether a lease's holder still runs, is mocked: moto has no executions.

const REGION = 'us-east-1';
const context = { awsRequestId: 'lease-test', functionName: 'key-reactor-describe-key' } as Context;
const EXECUTIONS = `arn:aws:states:${REGION}:123456789012:execution:key-reactor-enable`;

interface StepAnswer {
  readonly lease: { readonly owner: string; readonly current: boolean };
  readonly usable?: boolean;
  readonly stopped?: { readonly services: number; readonly servers: number; readonly total: number };
}

describe('describe-key taking the lease', () => {
  const stepFunctions = mockClient(SFNClient);
  let reactor: Reactor;
  let calls: AwsCallLog;
  let keyArn: string;

  /** A run of the step for `executionName`, handling a change of the key at `eventTime`. */
  const run = (executionName: string, eventTime: string, extra: Record<string, unknown> = {}) =>
    createDescribeKeyHandler(reactor)(
      {
        keyArn,
        executionName,
        trigger: 'EnableKey',
        workflow: 'enable',
        lease: { executionArn: `${EXECUTIONS}:${executionName}`, eventTime },
        ...extra,
      },
      context,
    ) as Promise<StepAnswer>;

  beforeEach(async () => {
    const moto = await workerMoto();
    const clients = worldClients(moto.endpoint, REGION);
    await createReactorTable(clients);
    calls = new AwsCallLog();
    reactor = new Reactor(defaultSettings({ tableName: DEMO.tableName }), {
      endpoint: moto.endpoint,
      region: REGION,
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
      instrument: [calls.instrument],
    });
    keyArn = await createCustomerKey(clients);
    stepFunctions.reset();
  });

  afterAll(() => stepFunctions.restore());

  it('takes a free lease, reads the key and counts what the reactor stopped, in one call', async () => {
    // Prepare: the reactor stopped one service and two servers of the key.
    const entry = (resourceArn: string, layer: 'service' | 'server') => ({
      keyArn,
      resourceArn,
      kind: resourceArn.includes(':ecs:') ? ('ecs-service' as const) : ('ec2-instance' as const),
      layer,
      restore: {},
      stoppedAt: '2026-12-01T10:00:00.000Z',
      stoppedBy: 'disable-run',
    });
    await reactor.store.ledger.recordStopping([
      entry(`arn:aws:ecs:${REGION}:123456789012:service/customer-data/api`, 'service'),
      entry(`arn:aws:ec2:${REGION}:123456789012:instance/i-0123456789abcdef0`, 'server'),
      entry(`arn:aws:ec2:${REGION}:123456789012:instance/i-0123456789abcdef1`, 'server'),
    ]);

    // Act
    const answer = await run('enable-run', '2026-12-01T11:00:00Z', { countStopped: true });

    // Assess
    expect(answer).toMatchObject({
      lease: { owner: 'enable-run', current: true },
      usable: true,
      stopped: { services: 1, servers: 2, total: 3 },
    });
    expect((await reactor.store.leases.read(keyArn))?.owner).toBe('enable-run');
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('answers a run made stale by a newer change with the lease alone, reading no key', async () => {
    // Prepare: the dispatcher recorded a newer change of the key, handled by another run.
    await reactor.store.keyEvents.noteChange(keyArn, {
      eventTime: '2026-12-01T11:05:00Z',
      executionName: 'enable-newer',
    });

    // Act
    const answer = await run('enable-older', '2026-12-01T11:00:00Z', { countStopped: true });

    // Assess: no DescribeKey, no probe, no ledger count; the lease is this run's, to give back.
    expect(answer).toEqual({ lease: expect.objectContaining({ owner: 'enable-older', current: false }) });
    expect(calls.calls.filter((call) => call.service === 'KMS')).toEqual([]);
    expect(calls.of('Query')).toEqual([]);
  });

  it('refuses a lease whose holder still runs, and takes over one whose holder has ended', async () => {
    // Prepare: a first run holds the lease.
    await run('enable-first', '2026-12-01T11:00:00Z');
    stepFunctions
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'ABORTED' });

    // Act
    const refused = run('enable-second', '2026-12-01T11:00:00Z');
    await expect(refused).rejects.toMatchObject({ name: 'LeaseTakenError' });
    const taken = await run('enable-second', '2026-12-01T11:00:00Z');

    // Assess
    expect(taken.lease).toMatchObject({ owner: 'enable-second', current: true });
    expect(stepFunctions.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: `${EXECUTIONS}:enable-first` },
      { executionArn: `${EXECUTIONS}:enable-first` },
    ]);
  });
});

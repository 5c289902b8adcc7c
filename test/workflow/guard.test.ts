import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import { LocalReactor } from '../../sandbox/reactor';
import {
  createCluster,
  createCustomerKey,
  createManagedService,
  type FleetMember,
  registerFleet,
  SANDBOX_CREDENTIALS,
} from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The real workflows, run locally, with the pause switch and an ECS service that Application Auto
// Scaling manages: paused, a disable run stops nothing; resumed, the sweep's run stops the service with
// its scaling suspended; enabled again, the service and its scaling come back as they were.

jest.setTimeout(60_000);

describe('the workflows with the guard', () => {
  let reactor: LocalReactor;
  let scaling: ApplicationAutoScalingClient;
  let keyArn: string;
  let service: FleetMember;

  const desiredCount = async () => {
    // arn:aws:ecs:<region>:<account>:service/<cluster>/<name>
    const [cluster, name = ''] = service.resourceArn.split('/').slice(-2);
    const { services } = await reactor.clients.ecs.send(
      new DescribeServicesCommand({ cluster, services: [name] }),
    );
    return services?.[0]?.desiredCount;
  };
  const suspendedState = async () => {
    const resourceId = `service/${service.resourceArn.split('/').slice(-2).join('/')}`;
    const { ScalableTargets } = await scaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }),
    );
    return ScalableTargets?.[0]?.SuspendedState;
  };
  /** One sweep, and every execution it started run to its end; their names, workflows and outcomes. */
  const sweepAndSettle = async () => {
    const before = reactor.executions.length;
    await reactor.sweep();
    await reactor.settle();
    return reactor.executions
      .slice(before)
      .map(({ workflow, status, output }) => ({ workflow, status, key: (output as { key?: unknown })?.key }));
  };

  beforeAll(async () => {
    reactor = await LocalReactor.start({
      graceMs: 10,
      graceSeconds: 600,
      pollMs: 5,
      retryMs: 20,
      moto: await workerMoto(),
    });
    scaling = new ApplicationAutoScalingClient({
      endpoint: reactor.moto.endpoint,
      region: reactor.place.region,
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });
    keyArn = await createCustomerKey(reactor.clients);
    const taskDefinition = await createCluster(reactor.clients, 'guarded', 'api');
    service = await createManagedService(reactor.clients, 'guarded', 'api', taskDefinition);
    await registerFleet(reactor, keyArn, [service]);
    await scaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: 'service/guarded/api',
        MinCapacity: 2,
        MaxCapacity: 4,
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      }),
    );
  });

  afterAll(async () => {
    await reactor?.stop();
  });

  it('holds back while paused, acts on the drift once resumed, and restores the scaling', async () => {
    // Paused: the disable run the sweep starts ends as alert-only, and the service keeps running.
    await reactor.reactor.guard.pause('alice', 'game day');
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const paused = await sweepAndSettle();
    expect(paused).toEqual([
      expect.objectContaining({
        workflow: 'disable',
        status: 'SUCCEEDED',
        key: expect.objectContaining({ action: 'alert-only', heldBack: 'paused' }),
      }),
    ]);
    expect(await desiredCount()).toBe(2);

    // Resumed: the next sweep still sees the drift, and its run stops the service, scaling suspended.
    await reactor.reactor.guard.resume('alice');
    const resumed = await sweepAndSettle();
    expect(resumed).toEqual([expect.objectContaining({ workflow: 'disable', status: 'SUCCEEDED' })]);
    expect(await desiredCount()).toBe(0);
    expect(await suspendedState()).toEqual({
      DynamicScalingInSuspended: true,
      DynamicScalingOutSuspended: true,
      ScheduledScalingSuspended: true,
    });

    // Enabled again: the enable run brings back the count, then the scaling.
    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const enabled = await sweepAndSettle();
    expect(enabled).toEqual([expect.objectContaining({ workflow: 'enable', status: 'SUCCEEDED' })]);
    expect(await desiredCount()).toBe(2);
    expect(await suspendedState()).toEqual({
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false,
    });
    expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
  });
});

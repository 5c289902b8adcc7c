import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { EcsServiceDriver } from '../../lambdas/shared/drivers/ecs-service';
import { workerMoto } from '../support/moto';

/**
 * The ECS driver and a service's Application Auto Scaling target against moto, which keeps a target's
 * SuspendedState as it was last registered (moto 5.2): the whole way down and up, as converge calls it.
 */

const TAG = { key: 'key-reactor:managed', value: 'true' };
const REGION = 'us-east-1';
const SERVICE_ARN = `arn:aws:ecs:${REGION}:123456789012:service/payments/api`;
const RESOURCE_ID = 'service/payments/api';

describe('EcsServiceDriver and Application Auto Scaling against moto', () => {
  let ecs: ECSClient;
  let scaling: ApplicationAutoScalingClient;
  let driver: EcsServiceDriver;

  const suspendedState = async () => {
    const { ScalableTargets } = await scaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE_ID] }),
    );
    return ScalableTargets?.[0]?.SuspendedState;
  };
  const desiredCount = async () => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'payments', services: ['api'] }),
    );
    return services?.[0]?.desiredCount;
  };

  beforeAll(async () => {
    const moto = await workerMoto();
    const config = { endpoint: moto.endpoint, region: REGION, maxAttempts: 1 };
    ecs = new ECSClient(config);
    scaling = new ApplicationAutoScalingClient(config);
    driver = new EcsServiceDriver(TAG, ecs, scaling);

    await ecs.send(new CreateClusterCommand({ clusterName: 'payments' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'payments',
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 2,
        tags: [{ key: TAG.key, value: TAG.value }],
      }),
    );
    // Scheduled scaling already suspended by its owners: the restore must give back exactly this.
    await scaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: RESOURCE_ID,
        MinCapacity: 2,
        MaxCapacity: 4,
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: true,
        },
      }),
    );
  });

  it('suspends the target on the way down and gives back its suspension on the way up', async () => {
    // Prepare
    const [up] = await driver.status([SERVICE_ARN]);
    expect(up?.state).toBe('running');
    const restore = up?.restore ?? {};
    expect(restore).toEqual({
      desiredCount: 2,
      dynamicScalingInSuspended: false,
      dynamicScalingOutSuspended: false,
      scheduledScalingSuspended: true,
    });

    // Act: down
    await driver.stop(up ? [up] : []);

    // Assess
    expect(await suspendedState()).toEqual({
      DynamicScalingInSuspended: true,
      DynamicScalingOutSuspended: true,
      ScheduledScalingSuspended: true,
    });
    expect(await desiredCount()).toBe(0);
    const [down] = await driver.status([SERVICE_ARN]);
    expect(down).toMatchObject({
      state: 'stopped',
      detail: expect.stringContaining('auto scaling suspended'),
    });

    // Act: up, as converge does it: start the stopped service, then finish it once it runs.
    await driver.start(down ? [{ observation: down, restore }] : []);
    const [again] = await driver.status([SERVICE_ARN]);
    expect(again?.state).toBe('running');
    await driver.afterStarted(again ? [{ observation: again, restore }] : []);

    // Assess
    expect(await desiredCount()).toBe(2);
    expect(await suspendedState()).toEqual({
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: true,
    });
  });
});

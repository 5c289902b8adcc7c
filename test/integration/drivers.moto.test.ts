import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateDBClusterCommand, CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { createDrivers, type Driver } from '../../lambdas/shared/drivers';
import { EcsServiceDriver } from '../../lambdas/shared/drivers/ecs-service';
import type { Observation } from '../../lambdas/shared/model';
import { stockImageId, worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

/**
 * The drivers against moto, a fake of AWS at the protocol level: real requests, real serialisation,
 * real pagination. moto applies state changes at once, so a stop is visible on the next status.
 */

const TAG = { key: 'key-reactor:managed', value: 'true' };
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const arn = (service: string, resource: string): string =>
  `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** An ECS service `api` in the cluster `payments`, desired count 2, tagged as managed. */
async function createPaymentsApi(ecs: ECSClient): Promise<void> {
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
}

describe('drivers against moto', () => {
  let drivers: ReturnType<typeof createDrivers>;

  const ecsService = arn('ecs', 'service/payments/api');
  const instances: string[] = [];
  let untaggedInstance = '';
  const dbInstance = arn('rds', 'db:orders');
  const dbCluster = arn('rds', 'cluster:ledger');

  beforeAll(async () => {
    // The worker's server runs ECS services' tasks (MOTO_ECS_SERVICE_RUNNING), as a round trip needs.
    const clients = worldClients((await workerMoto()).endpoint, REGION);
    const { ecs, ec2, rds } = clients;
    drivers = createDrivers(clients, TAG);
    const Tags = [{ Key: TAG.key, Value: TAG.value }];

    await createPaymentsApi(ecs);

    const ImageId = await stockImageId(ec2);
    const run = (tagged: boolean) =>
      ec2.send(
        new RunInstancesCommand({
          ImageId,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          ...(tagged ? { TagSpecifications: [{ ResourceType: 'instance', Tags }] } : {}),
        }),
      );
    for (const tagged of [true, true, false]) {
      const id = (await run(tagged)).Instances?.[0]?.InstanceId;
      if (!id) throw new Error('RunInstances returned no instance');
      if (tagged) instances.push(arn('ec2', `instance/${id}`));
      else untaggedInstance = arn('ec2', `instance/${id}`);
    }

    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'reactor',
        MasterUserPassword: 'not-a-secret-1',
        Tags,
      }),
    );
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'ledger',
        Engine: 'aurora-postgresql',
        MasterUsername: 'reactor',
        MasterUserPassword: 'not-a-secret-1',
        Tags,
      }),
    );
  });

  /**
   * Status, stop, status, start with the first restore, status: the round trip every workflow makes,
   * each verb given the observations just made, as converge gives them.
   */
  async function roundTrip(driver: Driver, resourceArns: string[]): Promise<Observation[][]> {
    const before = await driver.status(resourceArns);
    await driver.stop(before);
    const stopped = await driver.status(resourceArns);
    await driver.start(stopped.map((observation, n) => ({ observation, restore: before[n]?.restore ?? {} })));
    const after = await driver.status(resourceArns);
    return [before, stopped, after];
  }

  it('stops an ECS service to 0 tasks and brings back its 2', async () => {
    // Prepare
    const driver = drivers['ecs-service'];

    // Act
    const [before, stopped, after] = await roundTrip(driver, [ecsService]);

    // Assess
    expect(before).toEqual([
      {
        resourceArn: ecsService,
        state: 'running',
        detail: 'desired 2, running 2, pending 0',
        restore: { desiredCount: 2 },
      },
    ]);
    expect(stopped).toEqual([
      { resourceArn: ecsService, state: 'stopped', detail: 'desired 0, running 0, pending 0' },
    ]);
    expect(after).toEqual(before);
  });

  it('stops and starts EC2 instances', async () => {
    // Prepare
    const driver = drivers['ec2-instance'];

    // Act
    const [before, stopped, after] = await roundTrip(driver, instances);

    // Assess
    expect(before).toEqual(
      instances.map((resourceArn) => ({ resourceArn, state: 'running', detail: 'running', restore: {} })),
    );
    expect(stopped).toEqual(
      instances.map((resourceArn) => ({ resourceArn, state: 'stopped', detail: 'stopped' })),
    );
    expect(after).toEqual(before);
  });

  it.each([
    ['instance', 'rds-instance', dbInstance],
    ['cluster', 'rds-cluster', dbCluster],
  ] as const)('stops and starts an RDS DB %s', async (_what, kind, resourceArn) => {
    // Prepare
    const driver = drivers[kind];

    // Act
    const [before, stopped, after] = await roundTrip(driver, [resourceArn]);

    // Assess
    expect(before).toEqual([{ resourceArn, state: 'running', detail: 'available', restore: {} }]);
    expect(stopped).toEqual([{ resourceArn, state: 'stopped', detail: 'stopped' }]);
    expect(after).toEqual(before);
  });

  it('reports an untagged resource as not-managed and a missing one as not-found, in the order asked', async () => {
    // Prepare
    const all = drivers;
    const missing = {
      ecs: [arn('ecs', 'service/payments/nope'), arn('ecs', 'service/no-cluster/nope')],
      ec2: arn('ec2', 'instance/i-0123456789abcdef0'),
      db: arn('rds', 'db:nope'),
      cluster: arn('rds', 'cluster:nope'),
    };

    // Act
    const ec2 = await all['ec2-instance'].status([missing.ec2, untaggedInstance, ...instances]);
    const ecs = await all['ecs-service'].status([...missing.ecs, ecsService]);
    const db = await all['rds-instance'].status([missing.db, dbInstance]);
    const cluster = await all['rds-cluster'].status([missing.cluster, dbCluster]);

    // Assess
    expect(ec2.map((o) => [o.resourceArn, o.state])).toEqual([
      [missing.ec2, 'not-found'],
      [untaggedInstance, 'not-managed'],
      ...instances.map((resourceArn) => [resourceArn, 'running']),
    ]);
    expect(ecs.map((o) => [o.resourceArn, o.state])).toEqual([
      [missing.ecs[0], 'not-found'],
      [missing.ecs[1], 'not-found'],
      [ecsService, 'running'],
    ]);
    expect(db.map((o) => [o.resourceArn, o.state])).toEqual([
      [missing.db, 'not-found'],
      [dbInstance, 'running'],
    ]);
    expect(cluster.map((o) => [o.resourceArn, o.state])).toEqual([
      [missing.cluster, 'not-found'],
      [dbCluster, 'running'],
    ]);
  });
});

/**
 * The ECS driver and a service's Application Auto Scaling target against moto, which keeps a target's
 * SuspendedState as it was last registered (moto 5.2): the whole way down and up, as converge calls it.
 */
describe('EcsServiceDriver and Application Auto Scaling against moto', () => {
  const SERVICE_ARN = arn('ecs', 'service/payments/api');
  const RESOURCE_ID = 'service/payments/api';
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

    await createPaymentsApi(ecs);
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

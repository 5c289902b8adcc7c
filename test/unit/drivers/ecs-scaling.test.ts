import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EcsServiceDriver } from '../../../lambdas/shared/drivers/ecs-service';
import type { RestoreState } from '../../../lambdas/shared/model';
import { mockedClients, TAG } from './support';

// The ECS driver and the services' Application Auto Scaling targets: suspended before the desired count
// goes to 0, their previous suspension remembered in the restore state, and given back once the
// service runs again.

const PREFIX = 'arn:aws:ecs:us-east-1:111122223333';
const serviceArn = (name: string): string => `${PREFIX}:service/web/${name}`;
const resourceId = (name: string): string => `service/web/${name}`;
const running = (name: string, desiredCount = 2): Service => ({
  serviceName: name,
  status: 'ACTIVE',
  desiredCount,
  runningCount: desiredCount,
  pendingCount: 0,
  tags: [{ key: TAG.key, value: TAG.value }],
});
const target = (name: string, suspended: [boolean, boolean, boolean]): ScalableTarget => ({
  ServiceNamespace: 'ecs',
  ScalableDimension: 'ecs:service:DesiredCount',
  ResourceId: resourceId(name),
  MinCapacity: 2,
  MaxCapacity: 4,
  RoleARN: 'arn:aws:iam::111122223333:role/scaling',
  CreationTime: new Date('2026-01-01T00:00:00Z'),
  SuspendedState: {
    DynamicScalingInSuspended: suspended[0],
    DynamicScalingOutSuspended: suspended[1],
    ScheduledScalingSuspended: suspended[2],
  },
});
const NOT_SUSPENDED = {
  dynamicScalingInSuspended: false,
  dynamicScalingOutSuspended: false,
  scheduledScalingSuspended: false,
};
const ALL_SUSPENDED = {
  DynamicScalingInSuspended: true,
  DynamicScalingOutSuspended: true,
  ScheduledScalingSuspended: true,
};

describe('EcsServiceDriver with Application Auto Scaling', () => {
  const { clients, mocks } = mockedClients();
  const driver = new EcsServiceDriver(TAG, clients.ecs, clients.applicationAutoScaling);

  /** Every UpdateService and RegisterScalableTarget call, in the order made. */
  function callOrder(): string[] {
    const order: string[] = [];
    mocks.ecs.on(UpdateServiceCommand).callsFake(async ({ service, desiredCount }) => {
      order.push(`UpdateService ${service} ${desiredCount}`);
      return {};
    });
    mocks.applicationAutoScaling.on(RegisterScalableTargetCommand).callsFake(async ({ ResourceId }) => {
      order.push(`RegisterScalableTarget ${ResourceId}`);
      return {};
    });
    return order;
  }

  describe('status', () => {
    it("remembers the target's suspension beside the desired count, and only for services that have one", async () => {
      // Prepare
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [running('scaled', 3), running('plain')] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [false, false, true])] });

      // Act
      const observations = await driver.status([serviceArn('scaled'), serviceArn('plain')]);

      // Assess
      expect(observations.map((observation) => observation.restore)).toEqual([
        {
          desiredCount: 3,
          dynamicScalingInSuspended: false,
          dynamicScalingOutSuspended: false,
          scheduledScalingSuspended: true,
        },
        { desiredCount: 2 },
      ]);
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceIds: [resourceId('scaled'), resourceId('plain')],
      });
    });

    it('says in the detail that a stopped service has its scaling suspended', async () => {
      // Prepare
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [running('scaled', 0)] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [true, true, true])] });

      // Act
      const [observation] = await driver.status([serviceArn('scaled')]);

      // Assess
      expect(observation).toEqual({
        resourceArn: serviceArn('scaled'),
        state: 'stopped',
        detail: 'desired 0, running 0, pending 0, auto scaling suspended',
      });
    });

    it('asks for at most 50 resource IDs per call and follows NextToken', async () => {
      // Prepare
      const names = Array.from({ length: 60 }, (_, n) => `s-${n}`);
      mocks.ecs.on(DescribeServicesCommand).callsFake(async ({ services }: { services: string[] }) => ({
        services: services.map((arn) => running(arn.slice(arn.lastIndexOf('/') + 1))),
      }));
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolvesOnce({ ScalableTargets: [target('s-0', [false, false, false])], NextToken: 'more' })
        .resolves({ ScalableTargets: [target('s-59', [false, false, false])] });

      // Act
      const observations = await driver.status(names.map(serviceArn));

      // Assess
      const calls = mocks.applicationAutoScaling.commandCalls(DescribeScalableTargetsCommand);
      // The two batches run concurrently: the first answer's NextToken is followed with that same batch.
      const asked = calls.map(
        ({ args: [{ input }] }) => `${input.ResourceIds?.length}:${input.NextToken ?? ''}`,
      );
      expect(asked.sort()).toEqual(['10:', '50:', '50:more']);
      const remembered = observations.filter(
        (observation) => 'scheduledScalingSuspended' in (observation.restore ?? {}),
      );
      expect(remembered.map((observation) => observation.resourceArn)).toEqual([
        serviceArn('s-0'),
        serviceArn('s-59'),
      ]);
    });
  });

  describe('stop', () => {
    it('suspends dynamic and scheduled scaling before it sets the desired count to 0', async () => {
      // Prepare
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [running('scaled'), running('plain')] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [false, false, false])] });
      const order = callOrder();
      const observations = await driver.status([serviceArn('scaled'), serviceArn('plain')]);

      // Act
      await driver.stop(observations);

      // Assess: status's observations carried the targets, so stop read nothing again.
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandTimes(DescribeScalableTargetsCommand, 1);
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandTimes(RegisterScalableTargetCommand, 1);
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: resourceId('scaled'),
        SuspendedState: ALL_SUSPENDED,
      });
      expect(order.indexOf(`RegisterScalableTarget ${resourceId('scaled')}`)).toBeLessThan(
        order.indexOf('UpdateService scaled 0'),
      );
      expect(order).toContain('UpdateService plain 0');
    });

    it('does not register a target again that is suspended already (a retried stop)', async () => {
      // Prepare: AWS moves the desired count into the target's range on every update, so a second
      // update while the count is 0 would bring tasks back.
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [running('scaled')] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [true, true, true])] });
      callOrder();

      // Act
      await driver.stop(await driver.status([serviceArn('scaled')]));

      // Assess
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandTimes(RegisterScalableTargetCommand, 0);
      expect(mocks.ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    it('reads the targets itself when given observations without the driver facts', async () => {
      // Prepare
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [false, true, false])] });
      callOrder();

      // Act
      await driver.stop([{ resourceArn: serviceArn('scaled'), state: 'running', detail: 'up', restore: {} }]);

      // Assess
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        ResourceId: resourceId('scaled'),
        SuspendedState: ALL_SUSPENDED,
      });
    });
  });

  describe('afterStarted', () => {
    const startedTarget = async (name: string, restore: RestoreState) => {
      const [observation] = await driver.status([serviceArn(name)]);
      if (!observation) throw new Error('no observation');
      return { observation, restore };
    };

    it('gives the target back the suspension it had before the stop', async () => {
      // Prepare
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [running('scaled')] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('scaled', [true, true, true])] });
      callOrder();
      const restored = await startedTarget('scaled', {
        desiredCount: 2,
        ...NOT_SUSPENDED,
        scheduledScalingSuspended: true,
      });

      // Act
      await driver.afterStarted([restored]);

      // Assess
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandTimes(RegisterScalableTargetCommand, 1);
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
        ResourceId: resourceId('scaled'),
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: true,
        },
      });
    });

    it('calls nothing when the target is as remembered, is gone, or the service had none', async () => {
      // Prepare
      mocks.ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [running('as-remembered'), running('target-gone'), running('never-had-one')] });
      mocks.applicationAutoScaling
        .on(DescribeScalableTargetsCommand)
        .resolves({ ScalableTargets: [target('as-remembered', [false, false, false])] });
      callOrder();
      const targets = [
        await startedTarget('as-remembered', { desiredCount: 2, ...NOT_SUSPENDED }),
        await startedTarget('target-gone', { desiredCount: 2, ...NOT_SUSPENDED }),
        await startedTarget('never-had-one', { desiredCount: 2 }),
      ];

      // Act
      await driver.afterStarted(targets);

      // Assess
      expect(mocks.applicationAutoScaling).toHaveReceivedCommandTimes(RegisterScalableTargetCommand, 0);
    });
  });
});

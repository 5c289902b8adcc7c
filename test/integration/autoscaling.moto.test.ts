import { DescribeAutoScalingGroupsCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { createDrivers, type Driver } from '../../lambdas/shared/drivers';
import { SCALING_PROCESSES } from '../../lambdas/shared/drivers/autoscaling-group';
import { LOCAL_REGION } from '../../sandbox/local-workflows';
import { type AwsClients, createAutoScalingGroup, stockImageId, worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

/**
 * The Auto Scaling group driver against moto 5.2: real Query-protocol requests and responses for
 * DescribeAutoScalingGroups, SuspendProcesses and ResumeProcesses, and the group's instances in moto's
 * EC2. moto does not run the group's health checks or replace a stopped instance, so what the
 * suspension prevents is shown by the unit tests and by the processes moto reports, not by moto acting.
 */

const TAG = { key: 'key-reactor:managed', value: 'true' };

describe('AutoScalingGroupDriver against moto', () => {
  let clients: AwsClients;
  let driver: Driver;
  let imageId: string;

  beforeAll(async () => {
    clients = worldClients((await workerMoto()).endpoint, LOCAL_REGION);
    driver = createDrivers(clients, TAG)['autoscaling-group'];
    imageId = await stockImageId(clients.ec2);
  });

  async function groupState(name: string) {
    const { AutoScalingGroups } = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    );
    const group = AutoScalingGroups?.[0];
    const ids = (group?.Instances ?? []).map((instance) => instance.InstanceId ?? '');
    const { Reservations } = await clients.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] }),
    );
    return {
      capacity: [group?.MinSize, group?.DesiredCapacity, group?.MaxSize],
      instances: ids.length,
      states: (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name),
      suspended: (group?.SuspendedProcesses ?? []).map((p) => p.ProcessName).sort(),
    };
  }

  it('stops a group without touching its capacity, and restores it, resuming only its own suspensions', async () => {
    // Prepare: an operator had suspended AZRebalance before.
    const { arn } = await createAutoScalingGroup(clients, { name: 'web', imageId, instances: 2 });
    await clients.autoscaling.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: 'web', ScalingProcesses: ['AZRebalance'] }),
    );

    // Act: the round trip a workflow makes, through converge's verbs, each given what was just observed.
    const observedBefore = await driver.status([arn]);
    const [before] = observedBefore;
    await driver.stop(observedBefore);
    const observedStopped = await driver.status([arn]);
    const [stopped] = observedStopped;
    const down = await groupState('web');
    const restore = before?.restore ?? {};
    await driver.start(observedStopped.map((observation) => ({ observation, restore })));
    const observedStarting = await driver.status([arn]);
    const [starting] = observedStarting;
    await driver.afterStarted?.(observedStarting.map((observation) => ({ observation, restore })));
    const [after] = await driver.status([arn]);
    const up = await groupState('web');

    // Assess
    expect(before).toMatchObject({
      state: 'running',
      restore: { suspendedProcesses: 'AZRebalance', instanceIds: expect.stringMatching(/^i-\w+,i-\w+$/) },
    });
    expect(stopped?.state).toBe('stopped');
    expect(down).toEqual({
      capacity: [2, 2, 4],
      instances: 2,
      states: ['stopped', 'stopped'],
      suspended: [...SCALING_PROCESSES].sort(),
    });
    // moto starts instances at once: the group runs again, its processes still suspended until afterStarted.
    expect(starting?.state).toBe('running');
    expect(after).toEqual(before);
    expect(up).toEqual({
      capacity: [2, 2, 4],
      instances: 2,
      states: ['running', 'running'],
      suspended: ['AZRebalance'],
    });
  });

  it('reports an untagged group as not-managed and a deleted one as not-found', async () => {
    // Prepare
    const { arn } = await createAutoScalingGroup(clients, {
      name: 'untagged',
      imageId,
      instances: 1,
      tagged: false,
    });
    const gone = arn.replace('autoScalingGroupName/untagged', 'autoScalingGroupName/gone');

    // Act
    const observations = await driver.status([arn, gone]);

    // Assess
    expect(observations.map((o) => o.state)).toEqual(['not-managed', 'not-found']);
  });
});

import { DescribeAutoScalingGroupsCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { SCALING_PROCESSES } from '../../lambdas/shared/drivers/autoscaling-group';
import { type MotoServer, startMoto } from '../../sandbox/moto';
import { type AwsClients, createAutoScalingGroup, worldClients } from '../../sandbox/world';

/**
 * The Auto Scaling group driver against moto 5.2: real Query-protocol requests and responses for
 * DescribeAutoScalingGroups, SuspendProcesses and ResumeProcesses, and the group's instances in moto's
 * EC2. moto does not run the group's health checks or replace a stopped instance, so what the
 * suspension prevents is shown by the unit tests and by the processes moto reports, not by moto acting.
 */

const TAG = { key: 'key-reactor:managed', value: 'true' };

describe('AutoScalingGroupDriver against moto', () => {
  let moto: MotoServer;
  let clients: AwsClients;
  let previousEndpoint: string | undefined;
  let driver: import('../../lambdas/shared/drivers').Driver;
  let imageId: string;

  beforeAll(async () => {
    moto = await startMoto();
    previousEndpoint = process.env.AWS_ENDPOINT_URL;
    // Before the import: the shared clients are created at module scope and read it then.
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const drivers = await import('../../lambdas/shared/drivers');
    driver = drivers.driversFor(TAG)['autoscaling-group'];
    clients = worldClients(moto.endpoint);
    const { Images } = await clients.ec2.send(new DescribeImagesCommand({}));
    imageId = Images?.[0]?.ImageId ?? '';
  });

  afterAll(async () => {
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = previousEndpoint;
    await moto?.stop();
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

    // Act: the round trip a workflow makes, through converge's verbs.
    const [before] = await driver.status([arn]);
    await driver.stop([arn]);
    const [stopped] = await driver.status([arn]);
    const down = await groupState('web');
    await driver.start([{ resourceArn: arn, restore: before?.restore ?? {} }]);
    const [starting] = await driver.status([arn]);
    await driver.afterStarted?.([{ resourceArn: arn, restore: before?.restore ?? {} }]);
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

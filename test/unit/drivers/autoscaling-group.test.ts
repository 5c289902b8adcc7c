import {
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { kindOf } from '../../../lambdas/shared/arn';
import { AutoScalingGroupDriver, SCALING_PROCESSES } from '../../../lambdas/shared/drivers/autoscaling-group';
import { InvalidInputError } from '../../../lambdas/shared/errors';
import type { RestoreState } from '../../../lambdas/shared/model';
import { instanceIdOf as idOf, MANAGED, mockedClients, TAG } from './support';

const UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER_UUID = '11111111-2222-3333-4444-555555555555';

const arnOf = (name: string, uuid = UUID): string =>
  `arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;

interface GroupSpec {
  readonly name: string;
  readonly instances: readonly { id: string; state: string; lifecycle?: string; tagged?: boolean }[];
  readonly suspended?: readonly string[];
  readonly tagged?: boolean;
  readonly uuid?: string;
}

function group(spec: GroupSpec): AutoScalingGroup {
  return {
    AutoScalingGroupName: spec.name,
    AutoScalingGroupARN: arnOf(spec.name, spec.uuid),
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 2,
    Instances: spec.instances.map((instance) => ({
      InstanceId: instance.id,
      LifecycleState: (instance.lifecycle ?? 'InService') as never,
      HealthStatus: 'Healthy',
      AvailabilityZone: 'us-east-1a',
      ProtectedFromScaleIn: false,
    })),
    SuspendedProcesses: (spec.suspended ?? []).map((ProcessName) => ({ ProcessName, SuspensionReason: '' })),
    Tags: spec.tagged === false ? [] : MANAGED.map((t) => ({ ...t, PropagateAtLaunch: true })),
  } as unknown as AutoScalingGroup;
}

function ec2Instances(specs: readonly GroupSpec[]): Instance[] {
  return specs.flatMap((spec) =>
    spec.instances.map(
      (instance) =>
        ({
          InstanceId: instance.id,
          State: { Name: instance.state },
          Tags: instance.tagged === false ? [] : MANAGED,
        }) as Instance,
    ),
  );
}

describe('AutoScalingGroupDriver', () => {
  const { clients, mocks } = mockedClients();
  const asgMock = mocks.autoscaling;
  const ec2Mock = mocks.ec2;
  const driver = new AutoScalingGroupDriver(TAG, clients.autoscaling, clients.ec2);
  /** The changes sent to either client, in order. */
  let sent: string[];

  function world(...specs: GroupSpec[]): void {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: specs.map(group) });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: ec2Instances(specs) }] });
  }

  /** The groups as converge passes them to start and afterStarted: just observed, and what the ledger remembered. */
  async function targets(restore: RestoreState, ...names: string[]) {
    const observations = await driver.status(names.map((name) => arnOf(name)));
    return observations.map((observation) => ({ observation, restore }));
  }

  beforeEach(() => {
    sent = [];
    asgMock.on(SuspendProcessesCommand).callsFake(() => sent.push('SuspendProcesses') && {});
    asgMock.on(ResumeProcessesCommand).callsFake(() => sent.push('ResumeProcesses') && {});
    ec2Mock.on(StopInstancesCommand).callsFake(() => sent.push('StopInstances') && {});
    ec2Mock.on(StartInstancesCommand).callsFake(() => sent.push('StartInstances') && {});
  });

  it('is the kind of an Auto Scaling group ARN, and no group name may hold a colon', () => {
    expect(kindOf(arnOf('web'))).toBe('autoscaling-group');
    expect(() => kindOf(arnOf('web:blue'))).toThrow(/Unsupported resource ARN/);
  });

  describe('status', () => {
    it('reports a serving group as running, remembering its instances and the processes suspended before', async () => {
      // Prepare: an operator had suspended AZRebalance before the key changed.
      world({
        name: 'web',
        instances: [
          { id: idOf(2), state: 'running' },
          { id: idOf(1), state: 'running' },
        ],
        suspended: ['AZRebalance'],
      });

      // Act
      const [observation] = await driver.status([arnOf('web')]);

      // Assess
      expect(observation).toEqual({
        resourceArn: arnOf('web'),
        state: 'running',
        detail: '2 running, 0 stopped, 0 changing of 2 instances; 1 scaling processes suspended',
        restore: { suspendedProcesses: 'AZRebalance', instanceIds: `${idOf(1)},${idOf(2)}` },
      });
      expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: ['web'],
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
        Filters: [{ Name: 'instance-id', Values: [idOf(2), idOf(1)] }],
      });
    });

    it('is stopped only when every InService instance is stopped and every process is suspended', async () => {
      // Prepare
      world(
        { name: 'down', instances: [{ id: idOf(1), state: 'stopped' }], suspended: [...SCALING_PROCESSES] },
        { name: 'exposed', instances: [{ id: idOf(2), state: 'stopped' }], suspended: ['Launch'] },
        {
          name: 'half',
          instances: [
            { id: idOf(3), state: 'stopped' },
            { id: idOf(4), state: 'running' },
          ],
        },
        {
          name: 'stopping',
          instances: [{ id: idOf(5), state: 'stopping' }],
          suspended: [...SCALING_PROCESSES],
        },
        { name: 'launching', instances: [{ id: idOf(6), state: 'pending', lifecycle: 'Pending' }] },
      );

      // Act
      const observations = await driver.status(
        ['down', 'exposed', 'half', 'stopping', 'launching'].map((name) => arnOf(name)),
      );

      // Assess
      expect(observations.map((o) => [o.state, o.restore])).toEqual([
        ['stopped', undefined],
        // Stopped instances in a group that can still replace them: suspend, nothing to stop.
        ['transitioning', { suspendedProcesses: 'Launch', instanceIds: '' }],
        ['transitioning', { suspendedProcesses: '', instanceIds: idOf(4) }],
        ['transitioning', undefined],
        // A launching instance counts as up: it is stopped once it is InService.
        ['transitioning', { suspendedProcesses: '', instanceIds: '' }],
      ]);
    });

    it('reports an untagged group as not-managed, a missing or re-created one as not-found', async () => {
      // Prepare: "web" was deleted and created again under the same name, with a new UUID.
      world(
        { name: 'untagged', instances: [{ id: idOf(1), state: 'running' }], tagged: false },
        { name: 'web', instances: [{ id: idOf(2), state: 'running' }], uuid: OTHER_UUID },
      );

      // Act
      const observations = await driver.status([arnOf('untagged'), arnOf('web'), arnOf('gone')]);

      // Assess
      expect(observations.map((o) => o.state)).toEqual(['not-managed', 'not-found', 'not-found']);
    });

    it('reports a group whose running instances lack the tag as running without restore: it cannot be stopped', async () => {
      // Prepare: without PropagateAtLaunch, IAM would refuse StopInstances on the instance.
      world({ name: 'web', instances: [{ id: idOf(1), state: 'running', tagged: false }] });

      // Act
      const [observation] = await driver.status([arnOf('web')]);

      // Assess
      expect(observation?.state).toBe('running');
      expect(observation?.restore).toBeUndefined();
      expect(observation?.detail).toMatch(
        /lack the tag key-reactor:managed=true \(tag the group with PropagateAtLaunch\)/,
      );
    });
  });

  describe('stop', () => {
    it('suspends what is not yet suspended, then stops every running instance of every group in one call', async () => {
      // Prepare
      world(
        {
          name: 'web',
          instances: [
            { id: idOf(1), state: 'running' },
            { id: idOf(2), state: 'running' },
          ],
        },
        {
          name: 'jobs',
          instances: [
            { id: idOf(3), state: 'running' },
            { id: idOf(4), state: 'running', lifecycle: 'Standby' },
          ],
          suspended: ['AZRebalance'],
        },
      );

      // Act
      await driver.stop(await driver.status([arnOf('web'), arnOf('jobs')]));

      // Assess
      expect(asgMock).toHaveReceivedCommandWith(SuspendProcessesCommand, {
        AutoScalingGroupName: 'web',
        ScalingProcesses: [...SCALING_PROCESSES],
      });
      expect(asgMock).toHaveReceivedCommandWith(SuspendProcessesCommand, {
        AutoScalingGroupName: 'jobs',
        ScalingProcesses: SCALING_PROCESSES.filter((p) => p !== 'AZRebalance'),
      });
      expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
      // Not the Standby instance: an operator took it out of the group.
      expect(ec2Mock.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({
        InstanceIds: [idOf(1), idOf(2), idOf(3)],
      });
      expect(sent).toEqual(['SuspendProcesses', 'SuspendProcesses', 'StopInstances']);
    });

    it('never changes the capacity and never terminates: only describes, suspends and stops', async () => {
      // Prepare
      world({ name: 'web', instances: [{ id: idOf(1), state: 'running' }] });

      // Act
      await driver.stop(await driver.status([arnOf('web')]));

      // Assess
      const names = [...asgMock.calls(), ...ec2Mock.calls()].map((call) => call.args[0].constructor.name);
      expect(new Set(names)).toEqual(
        new Set([
          'DescribeAutoScalingGroupsCommand',
          'DescribeInstancesCommand',
          'SuspendProcessesCommand',
          'StopInstancesCommand',
        ]),
      );
    });
  });

  describe('start', () => {
    const restore = { suspendedProcesses: 'AZRebalance', instanceIds: `${idOf(1)},${idOf(2)}` };

    it('starts only the remembered instances that are stopped, and resumes nothing while they start', async () => {
      // Prepare: idOf(3) was stopped by someone else, before the reactor.
      world({
        name: 'web',
        instances: [
          { id: idOf(1), state: 'stopped' },
          { id: idOf(2), state: 'stopped' },
          { id: idOf(3), state: 'stopped' },
        ],
        suspended: [...SCALING_PROCESSES],
      });

      // Act
      await driver.start(await targets(restore, 'web'));

      // Assess
      expect(ec2Mock).toHaveReceivedCommandWith(StartInstancesCommand, { InstanceIds: [idOf(1), idOf(2)] });
      expect(asgMock).not.toHaveReceivedCommand(ResumeProcessesCommand);
    });

    it('resumes only the processes the reactor suspended, once every instance runs', async () => {
      // Prepare
      world({
        name: 'web',
        instances: [
          { id: idOf(1), state: 'running' },
          { id: idOf(2), state: 'running' },
        ],
        suspended: [...SCALING_PROCESSES],
      });

      // Act
      await driver.afterStarted(await targets(restore, 'web'));

      // Assess
      expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 1);
      expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
        AutoScalingGroupName: 'web',
        ScalingProcesses: SCALING_PROCESSES.filter((p) => p !== 'AZRebalance'),
      });
    });

    it('does not resume while an instance is still pending', async () => {
      // Prepare
      world({
        name: 'web',
        instances: [
          { id: idOf(1), state: 'running' },
          { id: idOf(2), state: 'pending' },
        ],
        suspended: [...SCALING_PROCESSES],
      });

      // Act
      const observed = await targets(restore, 'web');
      await driver.afterStarted(observed);
      await driver.start(observed);

      // Assess
      expect(asgMock).not.toHaveReceivedCommand(ResumeProcessesCommand);
      expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    });

    it('resumes at once a group with nothing to start', async () => {
      // Prepare: a group that had no instance when it was stopped.
      world({ name: 'web', instances: [], suspended: [...SCALING_PROCESSES] });

      // Act
      await driver.start(await targets({ suspendedProcesses: '', instanceIds: '' }, 'web'));

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
      expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
        AutoScalingGroupName: 'web',
        ScalingProcesses: [...SCALING_PROCESSES],
      });
    });

    it("refuses a ledger entry without the processes suspended before: guessing could resume an operator's", async () => {
      // Prepare
      world({
        name: 'web',
        instances: [{ id: idOf(1), state: 'running' }],
        suspended: [...SCALING_PROCESSES],
      });

      const observed = await targets({ instanceIds: idOf(1) }, 'web');

      // Act and assess
      await expect(driver.afterStarted(observed)).rejects.toThrow(InvalidInputError);
      expect(asgMock).not.toHaveReceivedCommand(ResumeProcessesCommand);
    });
  });

  describe('observations', () => {
    it('acts on the observations it is given: stop, start and afterStarted describe nothing again', async () => {
      // Prepare
      world(
        { name: 'up', instances: [{ id: idOf(1), state: 'running' }] },
        { name: 'down', instances: [{ id: idOf(2), state: 'stopped' }], suspended: [...SCALING_PROCESSES] },
        { name: 'back', instances: [{ id: idOf(3), state: 'running' }], suspended: [...SCALING_PROCESSES] },
      );
      const [up, down, back] = await driver.status(['up', 'down', 'back'].map((name) => arnOf(name)));
      if (!up || !down || !back) throw new Error('expected three observations');
      asgMock.resetHistory();
      ec2Mock.resetHistory();

      // Act
      await driver.stop([up]);
      await driver.start([{ observation: down, restore: { suspendedProcesses: '', instanceIds: idOf(2) } }]);
      await driver.afterStarted([
        { observation: back, restore: { suspendedProcesses: '', instanceIds: idOf(3) } },
      ]);

      // Assess
      expect(sent).toEqual(['SuspendProcesses', 'StopInstances', 'StartInstances', 'ResumeProcesses']);
      expect(asgMock).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
      expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    });

    it('refuses an observation that lost what status saw (a copy), rather than skip the group', async () => {
      // Prepare
      world({ name: 'web', instances: [{ id: idOf(1), state: 'running' }] });
      const [observation] = await driver.status([arnOf('web')]);
      if (!observation) throw new Error('expected an observation');

      // Act and assess
      await expect(driver.stop([{ ...observation }])).rejects.toThrow(InvalidInputError);
      expect(sent).toEqual([]);
    });
  });
});

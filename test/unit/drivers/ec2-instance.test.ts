import {
  DescribeInstancesCommand,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { KEY_ARN_TAG } from '../../../lambdas/shared/contract';
import { Ec2InstanceDriver } from '../../../lambdas/shared/drivers/ec2-instance';
import { UnsupportedResourceError } from '../../../lambdas/shared/errors';
import { instanceIdOf as idOf, MANAGED, mockedClients, observedRunning, stoppedTarget, TAG } from './support';

const arnOf = (id: string): string => `arn:aws:ec2:us-east-1:111122223333:instance/${id}`;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const instance = (id: string, state: string, extra: Partial<Instance> = {}): Instance =>
  ({ InstanceId: id, State: { Name: state }, Tags: MANAGED, RootDeviceType: 'ebs', ...extra }) as Instance;

describe('Ec2InstanceDriver', () => {
  const { clients, mocks } = mockedClients();
  const ec2Mock = mocks.ec2;
  const driver = new Ec2InstanceDriver(TAG, clients.ec2);

  describe('status', () => {
    it('reports the key-reactor:key-arn tag of each instance, and none for an untagged one', async () => {
      // Prepare
      const [tagged, legacy] = [idOf(1), idOf(2)];
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              instance(tagged, 'running', { Tags: [...MANAGED, { Key: KEY_ARN_TAG, Value: KEY }] }),
              instance(legacy, 'running'),
            ],
          },
        ],
      });

      // Act
      const [first, second] = await driver.status([tagged, legacy].map(arnOf));

      // Assess
      expect(first).toEqual({
        resourceArn: arnOf(tagged),
        state: 'running',
        detail: 'running',
        restore: {},
        keyTag: KEY,
      });
      expect(second).not.toHaveProperty('keyTag');
    });

    it('maps each EC2 state and keeps the order of the input', async () => {
      // Prepare
      const states = ['running', 'stopped', 'pending', 'stopping', 'shutting-down', 'terminated'];
      const ids = states.map((_, n) => idOf(n + 1));
      const missing = idOf(99);
      ec2Mock.on(DescribeInstancesCommand).resolves({
        // EC2 answers in its own order, across reservations.
        Reservations: [
          { Instances: ids.slice(3).map((id, n) => instance(id, states[n + 3] as string)) },
          { Instances: ids.slice(0, 3).map((id, n) => instance(id, states[n] as string)) },
        ],
      });

      // Act
      const observations = await driver.status([...ids, missing].map(arnOf));

      // Assess
      expect(observations).toEqual([
        { resourceArn: arnOf(ids[0] as string), state: 'running', detail: 'running', restore: {} },
        { resourceArn: arnOf(ids[1] as string), state: 'stopped', detail: 'stopped' },
        { resourceArn: arnOf(ids[2] as string), state: 'transitioning', detail: 'pending' },
        { resourceArn: arnOf(ids[3] as string), state: 'transitioning', detail: 'stopping' },
        { resourceArn: arnOf(ids[4] as string), state: 'not-found', detail: 'shutting-down' },
        { resourceArn: arnOf(ids[5] as string), state: 'not-found', detail: 'terminated' },
        { resourceArn: arnOf(missing), state: 'not-found', detail: 'not found' },
      ]);
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
        Filters: [{ Name: 'instance-id', Values: [...ids, missing] }],
      });
      expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.InstanceIds).toBeUndefined();
    });

    it('reports an instance without the managed tag, or with another value, as not-managed', async () => {
      // Prepare
      const [untagged, otherValue] = [idOf(1), idOf(2)];
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              instance(untagged, 'running', { Tags: [{ Key: 'Name', Value: 'web' }] }),
              instance(otherValue, 'running', { Tags: [{ Key: 'key-reactor:managed', Value: 'false' }] }),
            ],
          },
        ],
      });

      // Act
      const observations = await driver.status([arnOf(untagged), arnOf(otherValue)]);

      // Assess
      expect(observations).toEqual([
        { resourceArn: arnOf(untagged), state: 'not-managed', detail: 'running' },
        { resourceArn: arnOf(otherValue), state: 'not-managed', detail: 'running' },
      ]);
    });

    it('offers no restore for an instance-store instance, which EC2 refuses to stop', async () => {
      // Prepare
      const id = idOf(1);
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [{ Instances: [instance(id, 'running', { RootDeviceType: 'instance-store' })] }],
      });

      // Act
      const [observation] = await driver.status([arnOf(id)]);

      // Assess
      expect(observation).toEqual({
        resourceArn: arnOf(id),
        state: 'running',
        detail: 'running (instance-store root, cannot be stopped)',
      });
    });

    it('describes at most 200 IDs per call and follows pagination', async () => {
      // Prepare
      const ids = Array.from({ length: 250 }, (_, n) => idOf(n + 1));
      const first = ids.slice(0, 200);
      const second = ids.slice(200);
      ec2Mock
        .on(DescribeInstancesCommand, { Filters: [{ Name: 'instance-id', Values: first }] })
        .resolves({
          Reservations: [{ Instances: first.slice(0, 100).map((id) => instance(id, 'running')) }],
          NextToken: 'page-2',
        })
        .on(DescribeInstancesCommand, {
          Filters: [{ Name: 'instance-id', Values: first }],
          NextToken: 'page-2',
        })
        .resolves({ Reservations: [{ Instances: first.slice(100).map((id) => instance(id, 'stopped')) }] })
        .on(DescribeInstancesCommand, { Filters: [{ Name: 'instance-id', Values: second }] })
        .resolves({ Reservations: [{ Instances: second.map((id) => instance(id, 'pending')) }] });

      // Act
      const observations = await driver.status(ids.map(arnOf));

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
      expect(observations.map((o) => o.resourceArn)).toEqual(ids.map(arnOf));
      expect(observations.slice(0, 100).every((o) => o.state === 'running')).toBe(true);
      expect(observations.slice(100, 200).every((o) => o.state === 'stopped')).toBe(true);
      expect(observations.slice(200).every((o) => o.state === 'transitioning')).toBe(true);
    });

    it('refuses an ARN of another kind before calling AWS', async () => {
      // Act and Assess
      await expect(driver.status(['arn:aws:rds:us-east-1:111122223333:db:orders'])).rejects.toThrow(
        UnsupportedResourceError,
      );
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 0);
    });
  });

  describe('stop', () => {
    it('stops many instances in one StopInstances call, without Force or Hibernate', async () => {
      // Prepare
      const ids = [idOf(1), idOf(2), idOf(3)];
      ec2Mock.on(StopInstancesCommand).resolves({});

      // Act
      await driver.stop(ids.map(arnOf).map(observedRunning));

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
      expect(ec2Mock.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ids });
    });

    it('sends at most 100 IDs per StopInstances call', async () => {
      // Prepare
      const ids = Array.from({ length: 250 }, (_, n) => idOf(n + 1));
      ec2Mock.on(StopInstancesCommand).resolves({});

      // Act
      await driver.stop(ids.map(arnOf).map(observedRunning));

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 3);
      expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(1, StopInstancesCommand, {
        InstanceIds: ids.slice(0, 100),
      });
      expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(2, StopInstancesCommand, {
        InstanceIds: ids.slice(100, 200),
      });
      expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(3, StopInstancesCommand, {
        InstanceIds: ids.slice(200),
      });
    });

    it('never asks EC2 to stop the same instance twice in one call', async () => {
      // Prepare
      ec2Mock.on(StopInstancesCommand).resolves({});

      // Act
      await driver.stop([observedRunning(arnOf(idOf(1))), observedRunning(arnOf(idOf(1)))]);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: [idOf(1)] });
    });

    it('makes no call for no instances', async () => {
      // Act
      await driver.stop([]);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 0);
    });
  });

  describe('start', () => {
    it('starts many instances in one StartInstances call', async () => {
      // Prepare
      const ids = [idOf(1), idOf(2)];
      ec2Mock.on(StartInstancesCommand).resolves({});

      // Act
      await driver.start(ids.map((id) => stoppedTarget(arnOf(id))));

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 1);
      expect(ec2Mock.commandCalls(StartInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ids });
    });
  });
});

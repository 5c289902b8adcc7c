import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
// For the matcher types; jest.config's setupFilesAfterEnv registers the matchers at run time.
import 'aws-sdk-client-mock-jest';
import { ENV } from '../../../lambdas/shared/contract';
import { createDrivers } from '../../../lambdas/shared/drivers';
import { RESOURCE_KINDS } from '../../../lambdas/shared/model';
import { buildDrivers, fromEnvironment } from '../../../lambdas/shared/parts';
import { mockedClients, observedRunning, TAG } from './support';

describe('createDrivers', () => {
  const { clients, mocks } = mockedClients();

  it('builds one driver for every resource kind, each on the client of its service', async () => {
    // Prepare
    mocks.ec2.on(StopInstancesCommand).resolves({});
    const arn = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0';

    // Act
    const drivers = createDrivers(clients, TAG);
    await drivers['ec2-instance'].stop([observedRunning(arn)]);

    // Assess
    expect(Object.keys(drivers).sort()).toEqual([...RESOURCE_KINDS].sort());
    for (const kind of RESOURCE_KINDS) expect(drivers[kind].kind).toBe(kind);
    expect(mocks.ec2).toHaveReceivedCommandWith(StopInstancesCommand, {
      InstanceIds: ['i-0123456789abcdef0'],
    });
  });
});

describe('the drivers a function builds from its environment', () => {
  it('has one driver for every resource kind, each saying which kind it drives', () => {
    // Act
    const drivers = buildDrivers(fromEnvironment({}));

    // Assess
    expect(Object.keys(drivers).sort()).toEqual([...RESOURCE_KINDS].sort());
    for (const kind of RESOURCE_KINDS) expect(drivers[kind].kind).toBe(kind);
  });

  it('builds them on SDK clients of their own, so one mock of the client class covers every handler', async () => {
    // Prepare
    const ec2Mock = mockClient(EC2Client);
    ec2Mock.on(StopInstancesCommand).resolves({});
    const arn = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0';

    // Act
    await buildDrivers(fromEnvironment({}))['ec2-instance'].stop([observedRunning(arn)]);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-0123456789abcdef0'] });
    ec2Mock.restore();
  });

  describe('with the managed tag set in the environment', () => {
    it('reads the managed tag from the configuration', async () => {
      // Prepare
      const ec2Mock = mockClient(EC2Client);
      const environment = { [ENV.managedTagKey]: 'owner', [ENV.managedTagValue]: 'reactor' };
      const id = 'i-0123456789abcdef0';
      ec2Mock.resolves({
        Reservations: [
          {
            Instances: [
              { InstanceId: id, State: { Name: 'stopped' }, Tags: [{ Key: 'owner', Value: 'reactor' }] },
            ],
          },
        ],
      });

      // Act
      const [observation] = await buildDrivers(fromEnvironment(environment))['ec2-instance'].status([
        `arn:aws:ec2:us-east-1:111122223333:instance/${id}`,
      ]);

      // Assess
      expect(observation?.state).toBe('stopped');
      ec2Mock.restore();
    });
  });
});

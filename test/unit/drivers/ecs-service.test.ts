import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { KEY_ARN_TAG } from '../../../lambdas/shared/contract';
import { EcsServiceDriver } from '../../../lambdas/shared/drivers/ecs-service';
import { InvalidInputError, TransientError } from '../../../lambdas/shared/errors';
import { mockedClients, observedRunning, stoppedTarget, TAG } from './support';

/** ECS spells its tags in lower case. */
const MANAGED = [{ key: TAG.key, value: TAG.value }];
const PREFIX = 'arn:aws:ecs:us-east-1:111122223333';

const clusterArn = (cluster: string): string => `${PREFIX}:cluster/${cluster}`;
const serviceArn = (cluster: string, name: string): string => `${PREFIX}:service/${cluster}/${name}`;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const service = (name: string, counts: Partial<Service>, extra: Partial<Service> = {}): Service => ({
  serviceName: name,
  status: 'ACTIVE',
  desiredCount: 0,
  runningCount: 0,
  pendingCount: 0,
  tags: MANAGED,
  ...counts,
  ...extra,
});

describe('EcsServiceDriver', () => {
  const { clients, mocks } = mockedClients();
  const ecsMock = mocks.ecs;
  const driver = new EcsServiceDriver(TAG, clients.ecs, clients.applicationAutoScaling);

  describe('status', () => {
    it('reports the key-reactor:key-arn tag of a service, read with include TAGS', async () => {
      ecsMock.on(DescribeServicesCommand).resolves({
        services: [
          service(
            'up',
            { desiredCount: 1, runningCount: 1 },
            { tags: [...MANAGED, { key: KEY_ARN_TAG, value: KEY }] },
          ),
        ],
      });

      const [observation] = await driver.status([serviceArn('web', 'up')]);

      expect(observation).toMatchObject({ state: 'running', keyTag: KEY });
    });

    it('maps desired, running and pending counts to states, remembering the desired count', async () => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves({
        services: [
          service('up', { desiredCount: 2, runningCount: 2 }),
          service('starting', { desiredCount: 3, runningCount: 1, pendingCount: 2 }),
          service('down', { desiredCount: 0 }),
          service('draining-tasks', { desiredCount: 0, runningCount: 1 }),
          service('pending-tasks', { desiredCount: 0, pendingCount: 1 }),
        ],
      });
      const names = ['up', 'starting', 'down', 'draining-tasks', 'pending-tasks'];

      // Act
      const observations = await driver.status(names.map((name) => serviceArn('web', name)));

      // Assess
      expect(observations).toEqual([
        {
          resourceArn: serviceArn('web', 'up'),
          state: 'running',
          detail: 'desired 2, running 2, pending 0',
          restore: { desiredCount: 2 },
        },
        {
          resourceArn: serviceArn('web', 'starting'),
          state: 'transitioning',
          detail: 'desired 3, running 1, pending 2',
          restore: { desiredCount: 3 },
        },
        {
          resourceArn: serviceArn('web', 'down'),
          state: 'stopped',
          detail: 'desired 0, running 0, pending 0',
        },
        {
          resourceArn: serviceArn('web', 'draining-tasks'),
          state: 'transitioning',
          detail: 'desired 0, running 1, pending 0',
        },
        {
          resourceArn: serviceArn('web', 'pending-tasks'),
          state: 'transitioning',
          detail: 'desired 0, running 0, pending 1',
        },
      ]);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
      expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
        cluster: clusterArn('web'),
        services: names.map((name) => serviceArn('web', name)),
        include: ['TAGS'],
      });
    });

    it('reports missing, inactive, draining and untagged services', async () => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves({
        services: [
          service('old', { desiredCount: 0 }, { status: 'INACTIVE' }),
          service('going', { desiredCount: 1, runningCount: 1 }, { status: 'DRAINING' }),
          service('foreign', { desiredCount: 1, runningCount: 1 }, { tags: [{ key: 'team', value: 'x' }] }),
          service(
            'other-value',
            { desiredCount: 1, runningCount: 1 },
            { tags: [{ key: TAG.key, value: 'no' }] },
          ),
        ],
        // ECS names a missing service without its cluster.
        failures: [{ arn: `${PREFIX}:service/gone`, reason: 'MISSING' }],
      });
      const names = ['gone', 'old', 'going', 'foreign', 'other-value'];

      // Act
      const observations = await driver.status(names.map((name) => serviceArn('web', name)));

      // Assess
      expect(observations).toEqual([
        { resourceArn: serviceArn('web', 'gone'), state: 'not-found', detail: 'MISSING' },
        { resourceArn: serviceArn('web', 'old'), state: 'not-found', detail: 'INACTIVE' },
        { resourceArn: serviceArn('web', 'going'), state: 'not-found', detail: 'DRAINING' },
        {
          resourceArn: serviceArn('web', 'foreign'),
          state: 'not-managed',
          detail: 'desired 1, running 1, pending 0',
        },
        {
          resourceArn: serviceArn('web', 'other-value'),
          state: 'not-managed',
          detail: 'desired 1, running 1, pending 0',
        },
      ]);
    });

    it('reports every service of a deleted cluster as not-found', async () => {
      // Prepare
      ecsMock
        .on(DescribeServicesCommand)
        .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));

      // Act
      const observations = await driver.status([serviceArn('gone', 'a'), serviceArn('gone', 'b')]);

      // Assess
      expect(observations).toEqual([
        { resourceArn: serviceArn('gone', 'a'), state: 'not-found', detail: 'cluster not found' },
        { resourceArn: serviceArn('gone', 'b'), state: 'not-found', detail: 'cluster not found' },
      ]);
    });

    it('groups services by cluster, 10 per DescribeServices call, and keeps the order of the input', async () => {
      // Prepare
      const web = Array.from({ length: 12 }, (_, n) => `web-${n}`);
      const api = ['api-0', 'api-1'];
      ecsMock.on(DescribeServicesCommand).callsFake(({ services }: { services: string[] }) => ({
        services: services.map((arn) =>
          service(arn.slice(arn.lastIndexOf('/') + 1), { desiredCount: 1, runningCount: 1 }),
        ),
      }));
      // Interleave the clusters, so the output order cannot come from the grouping.
      const input = [
        serviceArn('api', 'api-0'),
        ...web.slice(0, 6).map((name) => serviceArn('web', name)),
        serviceArn('api', 'api-1'),
        ...web.slice(6).map((name) => serviceArn('web', name)),
      ];

      // Act
      const observations = await driver.status(input);

      // Assess
      expect(observations.map((o) => o.resourceArn)).toEqual(input);
      expect(observations.every((o) => o.state === 'running')).toBe(true);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 3);
      expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
        cluster: clusterArn('web'),
        services: web.slice(0, 10).map((name) => serviceArn('web', name)),
        include: ['TAGS'],
      });
      expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
        cluster: clusterArn('web'),
        services: web.slice(10).map((name) => serviceArn('web', name)),
        include: ['TAGS'],
      });
      expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
        cluster: clusterArn('api'),
        services: api.map((name) => serviceArn('api', name)),
        include: ['TAGS'],
      });
    });

    it('fails rather than guess when ECS cannot describe a service for another reason', async () => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves({
        failures: [{ arn: serviceArn('web', 'a'), reason: 'AccessDenied' }],
      });

      // Act and Assess
      await expect(driver.status([serviceArn('web', 'a')])).rejects.toThrow(TransientError);
    });
  });

  describe('stop', () => {
    it('sets the desired count of each service to 0, one call per service', async () => {
      // Prepare
      ecsMock.on(UpdateServiceCommand).resolves({});

      // Act
      await driver.stop([serviceArn('web', 'a'), serviceArn('api', 'b')].map(observedRunning));

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
      expect(ecsMock.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([
        { cluster: clusterArn('web'), service: 'a', desiredCount: 0 },
        { cluster: clusterArn('api'), service: 'b', desiredCount: 0 },
      ]);
    });

    it('keeps at most 5 UpdateService calls in flight', async () => {
      // Prepare
      let inFlight = 0;
      let most = 0;
      ecsMock.on(UpdateServiceCommand).callsFake(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return {};
      });

      // Act
      await driver.stop(Array.from({ length: 12 }, (_, n) => observedRunning(serviceArn('web', `s-${n}`))));

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 12);
      expect(most).toBe(5);
    });
  });

  describe('start', () => {
    it('brings back the desired count the ledger remembered', async () => {
      // Prepare
      ecsMock.on(UpdateServiceCommand).resolves({});

      // Act
      await driver.start([
        stoppedTarget(serviceArn('web', 'a'), { desiredCount: 3 }),
        stoppedTarget(serviceArn('web', 'b'), { desiredCount: 1 }),
      ]);

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        cluster: clusterArn('web'),
        service: 'a',
        desiredCount: 3,
      });
      expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
        cluster: clusterArn('web'),
        service: 'b',
        desiredCount: 1,
      });
    });

    it.each([
      ['missing', {}],
      ['zero', { desiredCount: 0 }],
      ['negative', { desiredCount: -1 }],
      ['fractional', { desiredCount: 1.5 }],
      ['a string', { desiredCount: '2' }],
      ['null', { desiredCount: null }],
    ])(
      'throws InvalidInputError for a desired count that is %s, before starting anything',
      async (_, restore) => {
        // Prepare
        ecsMock.on(UpdateServiceCommand).resolves({});

        // Act
        const starting = driver.start([
          stoppedTarget(serviceArn('web', 'good'), { desiredCount: 2 }),
          stoppedTarget(serviceArn('web', 'bad'), restore),
        ]);

        // Assess
        await expect(starting).rejects.toThrow(InvalidInputError);
        await expect(starting).rejects.toThrow(/bad/);
        expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
      },
    );
  });
});

import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keyEvents, keyWithFleet } from '../../bench/cold-path';
import { ModelledReactor } from '../../bench/model/modelled-reactor';
import { keyIdOf } from '../../lambdas/shared/arn';
import { REACTOR_PARTITION } from '../../lambdas/shared/contract';
import { workerMoto } from '../support/moto';

// A modelled run paced as deployed: the pacer's buckets are items of the reactor's table, read and
// written (through the AWS model, on the virtual clock) before each paced call. It used to stall at the
// stop step's first ECS call, the model counting the pacer's own DynamoDB calls as one call in flight.

let modelled: ModelledReactor | undefined;

afterEach(async () => {
  await modelled?.stop();
  modelled = undefined;
});

const ZERO_INIT = { bytes: 0, largest: [], initMs: { median: 100, runs: [100] } };

it('runs a modelled disable and enable with shared pacing to the end', async () => {
  // Prepare: the modelled reactor with its default pacing, and a small fleet of every kind.
  const reactor = await ModelledReactor.start({
    lambda: {
      bundles: ['dispatcher', 'describe-key', 'start-resources', 'stop-resources'].map((name) => ({
        function: name,
        ...ZERO_INIT,
      })),
    },
    graceSeconds: 0,
    moto: await workerMoto(),
    virtualClock: { watchdogMs: 30_000 },
  });
  modelled = reactor;
  const { local } = reactor;
  const { clients } = local;
  const keyArn = await keyWithFleet(reactor, 'Shared pacing key', 'paced', {
    services: 1,
    instances: 2,
    databases: 1,
  });
  const event = keyEvents(local, keyArn);

  // Act: a disable, then an enable, each to the reactor's idle.
  await reactor.run(async () => {
    await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    await local.publish(event('DisableKey'));
    await local.idle();
    await clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    await local.publish(event('EnableKey'));
    await local.idle();
  });
  const { Items = [] } = await reactor.run(() =>
    DynamoDBDocumentClient.from(clients.dynamodb).send(
      new QueryCommand({
        TableName: local.reactor.settings.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pacer)',
        ExpressionAttributeValues: { ':pk': REACTOR_PARTITION, ':pacer': 'PACER#' },
      }),
    ),
  );

  // Assess: both runs succeeded, the ECS service was stopped and started, and the pacer kept its
  // buckets in the table (ECS's, among others), as a deployed function does.
  expect(local.executions.map(({ workflow, status }) => [workflow, status])).toEqual([
    ['disable', 'SUCCEEDED'],
    ['enable', 'SUCCEEDED'],
  ]);
  const serviceCounts = local.calls.calls
    .filter((call) => call.operation === 'UpdateService' && !call.error)
    .map((call) => call.input.desiredCount);
  expect(serviceCounts[0]).toBe(0);
  expect(serviceCounts.at(-1)).toBeGreaterThan(0);
  expect(Items.map((item) => item.sk)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^PACER#ecs:/), expect.stringMatching(/^PACER#ec2:/)]),
  );
}, 180_000);

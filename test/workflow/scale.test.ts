import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { Workflow } from '../../lambdas/shared/model';
import type { ExecutionRecord } from '../../sandbox/local-workflows';
import { LocalReactor } from '../../sandbox/reactor';
import { DEMO } from '../../sandbox/world';
import { FAST, fleetStates, keyEventFor, keyWorld, statesEntered } from '../support/key-world';
import { workerMoto } from '../support/moto';

// A fleet larger than one time box and than one batch: chunks of 2 resources and no budget beyond the
// first chunk, so each invocation of the stop and start steps handles 2 resources and the workflow goes on
// from the cursor; batches of 3, so the servers' first pass (instances and a database) fans out on a Map
// of one lane per kind.
// The real ASL over moto, the real handlers in-process, their calls paced by the buckets in the table.

const INSTANCES = 7;

let reactor: LocalReactor;

beforeAll(async () => {
  reactor = await LocalReactor.start({
    ...FAST,
    moto: await workerMoto(),
    settings: { timeBox: { chunkSize: 2, budgetMs: 0, batchSize: 3 }, pacing: 'shared' },
  });
});

afterAll(async () => {
  await reactor?.stop();
});

function run(workflow: Workflow, keyArn: string): Promise<ExecutionRecord> {
  const trigger = workflow === 'disable' ? 'DisableKey' : 'EnableKey';
  return reactor.stepFunctions.start(
    workflow,
    `${workflow}-${randomUUID().slice(0, 8)}`,
    keyEventFor(keyArn, { workflow, trigger }),
  ).done;
}

/** The tokens left in a pacer bucket's item, as the last draw wrote them. */
async function bucketTokens(name: string): Promise<number | undefined> {
  const { Item } = await reactor.clients.dynamodb.send(
    new GetItemCommand({
      TableName: DEMO.tableName,
      Key: { pk: { S: 'REACTOR' }, sk: { S: `PACER#${name}` } },
      ConsistentRead: true,
    }),
  );
  return Item?.tokens?.N === undefined ? undefined : Number(Item.tokens.N);
}

const iterations = (execution: ExecutionRecord) =>
  execution.events.filter((event) => event.type === 'MapIterationStarted').length;

const count = (states: readonly string[], name: string) => states.filter((s) => s === name).length;

describe('a fleet larger than one time box and one batch', () => {
  it('is stopped and started in full, the steps going on from their cursor, the ledger complete, the calls paced', async () => {
    // Prepare: a service, 7 instances and a database: 8 servers, 4 chunks of 2.
    const { keyArn, fleet } = await keyWorld(reactor, { instances: INSTANCES });
    const servers = fleet.filter((member) => member.layer === 'server');
    expect(servers).toHaveLength(INSTANCES + 1);

    // Act: disable
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const disable = await run('disable', keyArn);

    // Assess: every resource stopped, every one in the ledger, the loop taken three times per pass
    const down = statesEntered(disable);
    expect(disable.status).toBe('SUCCEEDED');
    expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['stopped']));
    const ledger = await reactor.reactor.store.ledger.list(keyArn);
    expect(ledger.map((entry) => entry.resourceArn).sort()).toEqual(
      fleet.map((member) => member.resourceArn).sort(),
    );
    expect(count(down, 'Go on stopping the servers') % 3).toBe(0);
    expect(count(down, 'Go on stopping the servers')).toBeGreaterThanOrEqual(3);
    expect(count(down, 'Go on stopping the services')).toBe(0);
    // The servers' first pass fanned out: one Map, one lane per kind, each going on from its cursor.
    expect(count(down, 'Stop the servers in batches')).toBe(1);
    expect(iterations(disable)).toBe(2);
    expect(count(down, 'Stop a batch of servers')).toBe(2);
    expect(count(down, 'Go on with the batch of servers')).toBeGreaterThanOrEqual(2);
    expect(count(down, 'Stop the services in batches')).toBe(0);
    // Every StopInstances drew its instances from the shared resource bucket (1,000, refilled 20 a second).
    expect(await bucketTokens('ec2:StopInstances:resource')).toBeLessThan(1000);

    // Act: enable
    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const enable = await run('enable', keyArn);

    // Assess: every resource running again, the ledger emptied only of what was seen back
    const up = statesEntered(enable);
    expect(enable.status).toBe('SUCCEEDED');
    expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['running']));
    expect(await reactor.reactor.store.ledger.list(keyArn)).toEqual([]);
    expect(
      (await reactor.reactor.store.ledger.restoredBy(keyArn, enable.name)).map((e) => e.resourceArn).sort(),
    ).toEqual(fleet.map((member) => member.resourceArn).sort());
    expect(count(up, 'Go on starting the servers')).toBeGreaterThanOrEqual(3);
    expect(count(up, 'Start the servers in batches')).toBe(1);
    expect(iterations(enable)).toBe(2);
    expect(await bucketTokens('ec2:StartInstances:resource')).toBeLessThan(1000);
  });
});

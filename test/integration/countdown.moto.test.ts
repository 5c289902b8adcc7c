import { DisableKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { keyIdOf } from '../../lambdas/shared/arn';
import { Reactor } from '../../lambdas/shared/reactor';
import { Sweeper } from '../../lambdas/shared/sweep/sweep';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../sandbox/local-workflows';
import {
  createCustomerKey,
  createReactorTable,
  localSettings,
  SANDBOX_CREDENTIALS,
  worldClients,
} from '../../sandbox/world';
import { workerMoto } from '../support/moto';

/**
 * The RDS countdown (lambdas/shared/sweep/countdown.ts) on moto's KMS and DynamoDB: the first sighting is
 * recorded in the table, and the warning log keeps each day to one email however often the sweep runs.
 * moto's RDS cannot enter inaccessible-encryption-credentials-recoverable, so DescribeDBInstances is
 * answered here (aws-sdk-client-mock on RDS and SES only; every other call goes to moto).
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_SEEN = new Date('2026-12-01T09:30:00Z');
const ADMIN = 'dba@customer.example';

const rds = mockClient(RDSClient);
const ses = mockClient(SESClient);

let now = FIRST_SEEN;
let reactor: Reactor;
let keyArn: string;
let dbArn: string;
let dbStatus = 'inaccessible-encryption-credentials-recoverable';
let clients: ReturnType<typeof worldClients>;

beforeEach(async () => {
  const moto = await workerMoto();
  clients = worldClients(moto.endpoint, LOCAL_REGION);
  await createReactorTable(clients);
  const place = { account: LOCAL_ACCOUNT, region: LOCAL_REGION };
  reactor = new Reactor(
    localSettings(place),
    { endpoint: moto.endpoint, region: LOCAL_REGION, credentials: SANDBOX_CREDENTIALS },
    () => now,
  );
  keyArn = await createCustomerKey(clients);
  await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
  dbArn = `arn:aws:rds:${LOCAL_REGION}:${LOCAL_ACCOUNT}:db:customer-db`;
  await reactor.store.registry.register({ keyArn, resourceArn: dbArn, layer: 'server' });
  await reactor.store.registry.setPolicy(keyArn, { administrators: [ADMIN] });

  now = FIRST_SEEN;
  dbStatus = 'inaccessible-encryption-credentials-recoverable';
  rds.reset();
  rds.on(DescribeDBInstancesCommand).callsFake(() => ({
    DBInstances: [
      {
        DBInstanceIdentifier: 'customer-db',
        DBInstanceStatus: dbStatus,
        TagList: [{ Key: 'key-reactor:managed', Value: 'true' }],
      },
    ],
  }));
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

/** One sweep of the key at `at`; the subjects it emailed (each email goes to the administrators and the operators). */
async function sweepAt(at: Date): Promise<string[]> {
  now = at;
  ses.resetHistory();
  const sweeper = new Sweeper({
    store: reactor.store,
    resources: reactor.resources,
    keys: reactor.keys,
    drivers: reactor.drivers,
    mailer: reactor.mailer,
    notifier: reactor.notifier,
    publisher: reactor.publisher,
    eventBridge: reactor.eventBridge,
    eventBusName: 'default',
    warningDays: reactor.settings.warningDays,
    managedTag: reactor.settings.managedTag,
    clock: () => now,
  });
  const [key] = (await reactor.resources.inventory()).filter((item) => item.keyArn === keyArn);
  if (!key) throw new Error('the key is not in the inventory');
  const outcome = await sweeper.sweepKey(key, 'sweep', at);
  expect('warningError' in outcome ? outcome.warningError : undefined).toBeUndefined();
  const subjects = ses
    .commandCalls(SendEmailCommand)
    .map((call) => String(call.args[0].input.Message?.Subject?.Data));
  return [...new Set(subjects)];
}

const after = (ms: number) => new Date(FIRST_SEEN.getTime() + ms);
const SUBJECT = (key: string) =>
  `Database customer-db on key ${key}: unrecoverable on 2026-12-08 09:30 UTC unless the key is restored`;

it('says nothing on days 1 to 3, then warns once a day on days 4 to 7 with the date, however often it sweeps', async () => {
  const key = keyIdOf(keyArn).slice(0, 8);
  expect(await sweepAt(FIRST_SEEN)).toEqual([]);
  expect(await sweepAt(after(3 * DAY_MS - 60_000))).toEqual([]);
  // Day 4 starts 3 days after the first sighting.
  expect(await sweepAt(after(3 * DAY_MS))).toEqual([SUBJECT(key)]);
  // To the administrators and to the operators, each their own message.
  expect(
    ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses),
  ).toEqual([[ADMIN], reactor.settings.operatorAddresses]);
  expect(await sweepAt(after(3 * DAY_MS + 5 * 60_000))).toEqual([]);
  expect(await sweepAt(after(4 * DAY_MS - 60_000))).toEqual([]);
  expect(await sweepAt(after(4 * DAY_MS + 60_000))).toEqual([SUBJECT(key)]);
  expect(await sweepAt(after(5 * DAY_MS + 60_000))).toEqual([SUBJECT(key)]);
  expect(await sweepAt(after(6 * DAY_MS + 60_000))).toEqual([SUBJECT(key)]);
  expect(await sweepAt(after(6 * DAY_MS + 2 * 60 * 60_000))).toEqual([]);
  // Past saving: nothing more to warn about.
  expect(await sweepAt(after(7 * DAY_MS + 60_000))).toEqual([]);
});

it('starts afresh once the database was seen in another state', async () => {
  expect(await sweepAt(FIRST_SEEN)).toEqual([]);
  dbStatus = 'available';
  expect(await sweepAt(after(DAY_MS))).toEqual([]);
  expect(
    (await reactor.store.inventory()).find((item) => item.keyArn === keyArn)?.countdowns,
  ).toBeUndefined();

  dbStatus = 'inaccessible-encryption-credentials-recoverable';
  expect(await sweepAt(after(2 * DAY_MS))).toEqual([]);
  // Day 4 counts from the new sighting, not the first one.
  expect(await sweepAt(after(5 * DAY_MS - 60_000))).toEqual([]);
  const warned = await sweepAt(after(5 * DAY_MS));
  expect(warned).toEqual([expect.stringContaining('unrecoverable on 2026-12-10 09:30 UTC')]);
});

it("lists moto's key rotations without key materials, so only DescribeKey's expiry would be warned about", async () => {
  // moto answers ListKeyRotations with the completed rotations only: no KeyMaterialId, no ValidTo.
  const answer = await clients.kms.send(
    new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
  );
  expect(answer.Rotations ?? []).toEqual([]);
  expect(await reactor.keys.materials(keyArn)).toEqual([]);
});

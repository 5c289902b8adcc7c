import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { keyIdOf } from '../../lambdas/shared/arn';
import { CustomerKeyForwarder } from '../../lib/customer-forwarder';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { accountCredentials } from '../../sandbox/accounts';
import { cloudTrailEvent, type EventBridgeEvent } from '../../sandbox/cloudtrail';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../sandbox/local-workflows';
import { LocalReactor } from '../../sandbox/reactor';
import { createFleet, type FleetMember, registerFleet } from '../../sandbox/world';
import { testApp } from '../support/cdk';
import { deliver, FAST, fleetStates, statesEntered } from '../support/key-world';
import { workerMoto } from '../support/moto';

// Issue 14: an event that really crosses accounts. Three accounts on one moto server: the platform
// (moto's default account, where the local reactor runs), a customer whose key the platform serves, and
// a stranger the platform never admitted. Each customer-side account runs the forwarder's rules, taken
// from the synthesized CustomerKeyForwarder, on its own default bus; moto carries the forwarded event to
// the platform's bus itself. What moto does not do as EventBridge does is asserted, and covered, below.

const PLATFORM = LOCAL_ACCOUNT;
const CUSTOMER = '111122223333';
const STRANGER = '444455556666';
const REGION = LOCAL_REGION;
/** The local reactor's rules are on the platform account's default bus (one bus locally: sandbox/world.ts). */
const PLATFORM_BUS_ARN = `arn:aws:events:${REGION}:${PLATFORM}:event-bus/default`;

interface ForwarderRule {
  readonly name: string;
  readonly pattern: unknown;
  readonly targetArn: string;
}

/** The forwarder's rules as the customer's stack deploys them: pattern and target from its template. */
function forwarderRules(account: string, keyArn: string): ForwarderRule[] {
  const stack = new Stack(testApp(), 'CustomerForwarder', { env: { account, region: REGION } });
  new CustomerKeyForwarder(stack, 'Forwarder', { platformBusArn: PLATFORM_BUS_ARN, keyArns: [keyArn] });
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  return Object.entries(rules).map(([name, rule]) => {
    const [target, ...others] = rule.Properties.Targets as { Arn: unknown }[];
    if (!target || others.length > 0 || typeof target.Arn !== 'string') {
      throw new Error(`forwarder rule ${name} should have exactly one target, by literal ARN`);
    }
    return { name, pattern: rule.Properties.EventPattern, targetArn: target.Arn };
  });
}

/** A customer-side account on moto: its own credentials, its own KMS key, the forwarder on its default bus. */
interface KeyAccount {
  readonly id: string;
  readonly keyArn: string;
  readonly kms: KMSClient;
  readonly events: EventBridgeClient;
}

async function keyAccount(endpoint: string, id: string): Promise<KeyAccount> {
  const config = {
    endpoint,
    region: REGION,
    credentials: await accountCredentials(endpoint, REGION, id),
    maxAttempts: 1,
  };
  const kms = new KMSClient(config);
  const events = new EventBridgeClient(config);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `BYOK key of ${id}` }));
  const keyArn = KeyMetadata?.Arn ?? '';
  for (const rule of forwarderRules(id, keyArn)) {
    await events.send(new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(rule.pattern) }));
    // The rule's role and dead-letter queue are left out: moto neither assumes the one nor uses the other.
    await events.send(
      new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: 'platform-bus', Arn: rule.targetArn }] }),
    );
  }
  return { id, keyArn, kms, events };
}

/** The account's administrator disables or enables its key; CloudTrail puts the call's event on the account's default bus. */
async function keyCall(
  account: KeyAccount,
  eventName: 'DisableKey' | 'EnableKey',
): Promise<EventBridgeEvent> {
  const keyId = keyIdOf(account.keyArn);
  await account.kms.send(
    eventName === 'DisableKey'
      ? new DisableKeyCommand({ KeyId: keyId })
      : new EnableKeyCommand({ KeyId: keyId }),
  );
  const event = cloudTrailEvent({
    eventName,
    keyId,
    keyArn: account.keyArn,
    account: account.id,
    region: REGION,
    userName: 'customer-admin',
  });
  const { FailedEntryCount } = await account.events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail),
          Resources: [...event.resources],
          Time: new Date(event.time),
        },
      ],
    }),
  );
  expect(FailedEntryCount).toBe(0);
  return event;
}

/**
 * The forwarded event as EventBridge delivers it on the platform's bus: the envelope keeps the sender's
 * account, time and resources. moto's event-bus target puts a new event on the target bus from the
 * source, detail type and detail alone (moto/events/models.py, Rule.send_to_targets): its delivery has
 * the time of that put, no resources and no account, which the sandbox's bus fills with the bus
 * owner's, the platform's, as for any event it did not put itself (sandbox/event-bus.ts).
 */
function asEventBridgeDelivers(delivered: EventBridgeEvent, sent: EventBridgeEvent): EventBridgeEvent {
  return { ...delivered, account: sent.account, time: sent.time, resources: sent.resources };
}

let reactor: LocalReactor;
let fleet: FleetMember[];
let customer: KeyAccount;

beforeAll(async () => {
  reactor = await LocalReactor.start({ ...FAST, moto: await workerMoto(), allowedAccounts: [CUSTOMER] });
});

afterAll(async () => {
  await reactor?.stop();
});

beforeEach(async () => {
  await reactor.reset();
  customer = await keyAccount(reactor.moto.endpoint, CUSTOMER);
  // The platform's fleet, encrypted with the customer's key, lives in the platform's account.
  fleet = await createFleet(reactor.clients, { instances: 1 });
  await registerFleet(reactor, customer.keyArn, fleet);
  reactor.calls.clear();
});

it('keeps the accounts apart: each key is in its own account', () => {
  expect(customer.keyArn).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${CUSTOMER}:key/`));
  expect(fleet.every((member) => member.resourceArn.includes(`:${PLATFORM}:`))).toBe(true);
});

it("a DisableKey in the customer's account crosses to the platform's bus, and the platform's workflow stops the fleet", async () => {
  const sent = await keyCall(customer, 'DisableKey');

  // Through the forwarder's own rule: moto matched it on the customer's bus and put the event on the
  // platform's bus, where the reactor's rule took it into the dispatcher's queue.
  const delivered = await reactor.bus.drain();
  expect(delivered).toHaveLength(1);
  const [forwarded] = delivered as [EventBridgeEvent];
  expect(forwarded).toMatchObject({ source: 'aws.kms', 'detail-type': 'AWS API Call via CloudTrail' });
  expect(forwarded.detail).toEqual(sent.detail);
  // As moto delivers it, the event is the platform's own: its key ID then names a key of the platform's
  // account, not the customer's key the event lists, and the dispatcher rightly refuses it.
  expect(forwarded.account).toBe(PLATFORM);
  await expect(reactor.dispatch(forwarded)).resolves.toMatchObject({
    accepted: false,
    reason: expect.stringContaining(customer.keyArn),
  });

  const outcome = await deliver(reactor, asEventBridgeDelivers(forwarded, sent));
  await reactor.settle();

  expect(outcome).toMatchObject({ accepted: true });
  const [run] = reactor.executions;
  expect(run).toMatchObject({ workflow: 'disable', status: 'SUCCEEDED' });
  expect(run?.input).toMatchObject({ keyArn: customer.keyArn, account: CUSTOMER, trigger: 'DisableKey' });
  expect(statesEntered(run ?? ({ events: [] } as never))).toEqual(
    expect.arrayContaining(['Take the lease and check the key', 'Stop the servers', 'Shutdown complete']),
  );
  // The platform read the customer's key in the customer's account, and found it disabled there.
  expect(reactor.calls.of('DescribeKey').map((call) => call.input.KeyId)).toContain(customer.keyArn);
  expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['stopped']));
});

it("an EnableKey in the customer's account crosses the same way, and the platform's workflow starts the fleet again", async () => {
  const disabled = await keyCall(customer, 'DisableKey');
  const [forwardedDisable] = (await reactor.bus.drain()) as [EventBridgeEvent];
  await deliver(reactor, asEventBridgeDelivers(forwardedDisable, disabled));
  await reactor.settle();

  const enabled = await keyCall(customer, 'EnableKey');
  const delivered = await reactor.bus.drain();
  expect(delivered).toHaveLength(1);
  const outcome = await deliver(reactor, asEventBridgeDelivers(delivered[0] as EventBridgeEvent, enabled));
  await reactor.settle();

  expect(outcome).toMatchObject({ accepted: true });
  expect(reactor.executions.map(({ workflow, status }) => ({ workflow, status }))).toEqual([
    { workflow: 'disable', status: 'SUCCEEDED' },
    { workflow: 'enable', status: 'SUCCEEDED' },
  ]);
  expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['running']));
});

it("a stranger's DisableKey reaches the platform's bus on moto, and the dispatcher refuses it", async () => {
  const stranger = await keyAccount(reactor.moto.endpoint, STRANGER);
  const sent = await keyCall(stranger, 'DisableKey');

  // EventBridge would refuse this delivery by the bus policy (asserted on the template below); moto
  // reads no bus policy on a put (moto/events/models.py, EventsBackend.put_events), so it arrives.
  const delivered = await reactor.bus.drain();
  expect(delivered).toHaveLength(1);
  const outcome = await deliver(reactor, asEventBridgeDelivers(delivered[0] as EventBridgeEvent, sent));
  await reactor.settle();

  expect(outcome).toMatchObject({
    accepted: false,
    reason: `Account ${STRANGER} is not one the reactor serves (allowed: ${CUSTOMER}, ${PLATFORM})`,
  });
  expect(reactor.executions).toHaveLength(0);
  expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['running']));
});

it("the platform bus's policy admits the customer's account and not the stranger's", () => {
  const app = testApp({
    senderAddress: 'reactor@platform.example',
    operatorAddresses: 'ops@platform.example',
    allowedAccounts: CUSTOMER,
  });
  const stack = new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor', {
    env: { account: PLATFORM, region: REGION },
  });
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy'));

  const statements = policies.map((policy) => policy.Properties.Statement);
  expect(statements).toEqual([
    expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Principal: expect.anything() }),
  ]);
  expect(JSON.stringify(statements[0]?.Principal)).toContain(`:iam::${CUSTOMER}:root`);
  expect(JSON.stringify(policies)).not.toContain(STRANGER);
});

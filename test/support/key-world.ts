import { randomUUID } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { Actor, KeyEvent } from '../../lambdas/shared/model';
import { sentEmails } from '../../sandbox/aws-calls';
import { cloudTrailEvent, type EventBridgeEvent } from '../../sandbox/cloudtrail';
import type { ExecutionRecord, LocalTiming } from '../../sandbox/local-workflows';
import { type DispatchOutcome, LocalReactor } from '../../sandbox/reactor';
import {
  createCustomerKey,
  createFleet,
  DEMO,
  type FleetMember,
  type FleetOptions,
  observeFleet,
  registerFleet,
} from '../../sandbox/world';
import { workerMoto } from './moto';

/**
 * What the tests that drive the whole reactor share: the local reactor on the jest worker's moto, a key
 * with a fleet registered to it, the customer's KMS calls made on moto with the CloudTrail event each
 * would produce, and what came out (executions, emails, states entered).
 */

export type KeyOperation = 'DisableKey' | 'EnableKey' | 'ScheduleKeyDeletion' | 'CancelKeyDeletion';

export interface KeyWorld {
  readonly keyArn: string;
  readonly fleet: FleetMember[];
}

export interface KeyWorldOptions extends FleetOptions {
  /** Register the fleet and the demo administrators to the key. @default true */
  readonly registered?: boolean;
}

/** The local waits most cases run with: only the order of the steps matters to them, not their pace. */
export const FAST: LocalTiming = { graceMs: 30, graceSeconds: 600, pollMs: 5, retryMs: 20 };

/**
 * The local reactor on this jest worker's moto server (reset), with the waits shortened to `timing`.
 * Several may share the server; a test uses the one it reset last (`freshKeyWorld`).
 */
export async function localReactor(timing: LocalTiming): Promise<LocalReactor> {
  return LocalReactor.start({ ...timing, moto: await workerMoto() });
}

/** A customer key and a managed fleet on the reactor's moto, registered to the key unless told otherwise. */
export async function keyWorld(reactor: LocalReactor, options: KeyWorldOptions = {}): Promise<KeyWorld> {
  const { registered = true, ...fleetOptions } = options;
  const keyArn = await createCustomerKey(reactor.clients);
  const fleet = await createFleet(reactor.clients, fleetOptions);
  if (registered) await registerFleet(reactor, keyArn, fleet);
  return { keyArn, fleet };
}

export interface LocalWorld extends KeyWorld {
  readonly reactor: LocalReactor;
}

/** A local reactor of its own (`localReactor`) and a key world on it, with no call recorded yet. */
export async function localWorld(timing: LocalTiming, options: KeyWorldOptions = {}): Promise<LocalWorld> {
  const reactor = await localReactor(timing);
  const world = await keyWorld(reactor, options);
  reactor.calls.clear();
  return { reactor, ...world };
}

/**
 * A new world on the reactor's moto (everything before is gone), with no fault injected and no call
 * recorded yet.
 */
export async function freshKeyWorld(reactor: LocalReactor, options: KeyWorldOptions = {}): Promise<KeyWorld> {
  reactor.faults.stop();
  reactor.faults.clearKeptRunning();
  await reactor.reset();
  const world = await keyWorld(reactor, options);
  reactor.calls.clear();
  return world;
}

/**
 * The jest hooks of a block whose cases each start from a fresh key world: the block's local reactor
 * (`localReactor`) is started before its first case and stopped after its last, and each case's new
 * world (`freshKeyWorld`) is handed to `use` before the case runs.
 */
export function freshKeyWorldEachCase(
  timing: LocalTiming,
  options: KeyWorldOptions,
  use: (world: LocalWorld) => void | Promise<void>,
): void {
  let reactor: LocalReactor | undefined;
  beforeAll(async () => {
    reactor = await localReactor(timing);
  });
  afterAll(async () => {
    await reactor?.stop();
  });
  beforeEach(async () => {
    if (!reactor) throw new Error('the local reactor did not start');
    await use({ reactor, ...(await freshKeyWorld(reactor, options)) });
  });
}

/**
 * Makes the KMS call on moto as the customer would (moto takes key IDs only for DisableKey and EnableKey),
 * and returns the event CloudTrail would deliver for it.
 */
export async function customerCalls(
  reactor: LocalReactor,
  keyArn: string,
  operation: KeyOperation,
): Promise<EventBridgeEvent> {
  const KeyId = keyIdOf(keyArn);
  const kms = reactor.clients.kms;
  let requestParameters: Record<string, unknown> = { keyId: KeyId };
  switch (operation) {
    case 'DisableKey':
      await kms.send(new DisableKeyCommand({ KeyId }));
      break;
    case 'EnableKey':
      await kms.send(new EnableKeyCommand({ KeyId }));
      break;
    case 'ScheduleKeyDeletion':
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
      requestParameters = { keyId: KeyId, pendingWindowInDays: 7 };
      break;
    case 'CancelKeyDeletion':
      await kms.send(new CancelKeyDeletionCommand({ KeyId }));
      break;
  }
  return trailEvent(reactor, keyArn, operation, requestParameters);
}

/** The CloudTrail event of a call on the key, without making the call. */
export function trailEvent(
  reactor: LocalReactor,
  keyArn: string,
  operation: KeyOperation,
  requestParameters: Record<string, unknown> = { keyId: keyIdOf(keyArn) },
): EventBridgeEvent {
  return cloudTrailEvent({
    eventName: operation,
    keyId: keyIdOf(keyArn),
    keyArn,
    account: reactor.place.account,
    region: reactor.place.region,
    userName: 'customer-admin',
    requestParameters,
  });
}

/** Who changes the key in the events the tests make up: an IAM user, with the AWS CLI. */
export const ALICE: Actor = {
  arn: 'arn:aws:iam::123456789012:user/alice',
  sourceIp: '203.0.113.10',
  userAgent: 'aws-cli/2.15.30',
};

/**
 * The event the dispatcher would hand a workflow for a change to the key, made up without a delivery
 * (by ALICE, now, not urgent, unless `change` says otherwise).
 */
export function keyEventFor(
  keyArn: string,
  change: Pick<KeyEvent, 'workflow' | 'trigger'> & Partial<KeyEvent>,
): KeyEvent {
  return {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: '123456789012',
    region: 'us-east-1',
    urgent: false,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    actor: ALICE,
    ...change,
  };
}

/**
 * The same CloudTrail record as a second trail delivers it: the same call, time and request, under a
 * new EventBridge event ID (so a new execution name).
 */
export function fromSecondTrail(event: EventBridgeEvent): EventBridgeEvent {
  return { ...event, id: randomUUID() };
}

/** Hands one delivered event to the dispatcher, as the rules' Lambda target does (EventBridge redelivers the same JSON). */
export async function deliver(reactor: LocalReactor, event: EventBridgeEvent): Promise<DispatchOutcome> {
  const outcome = await reactor.dispatch(event);
  reactor.dispatches.push(outcome);
  return outcome;
}

export function statesEntered(execution: ExecutionRecord): string[] {
  return execution.events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : []));
}

/**
 * The subjects of the emails sent so far to the key's administrators, in order. Each email goes out as
 * one copy per audience; the operators' copies, and the failures sent to them only, are left out.
 */
export function subjects(reactor: LocalReactor): string[] {
  return sentEmails(reactor.calls)
    .filter((email) =>
      email.to.some((address) => (DEMO.administrators as readonly string[]).includes(address)),
    )
    .map((email) => email.subject);
}

/** Each fleet member's state word as the reactor's drivers see it: `running`, `stopped`... */
export async function fleetStates(
  reactor: LocalReactor,
  fleet: readonly FleetMember[],
): Promise<Record<string, string>> {
  const states = await observeFleet(reactor.reactor, fleet);
  return Object.fromEntries(
    fleet.map((member) => [member.label, (states.get(member.resourceArn) ?? '').split(' ')[0] ?? '']),
  );
}

/** What a state returned, the last time it was left (its output, after ResultPath). */
export function outputOf(execution: ExecutionRecord, state: string): Record<string, unknown> | undefined {
  const exits = execution.events.filter(
    (event) => event.type === 'StateExited' && event.state.name === state,
  );
  const last = exits[exits.length - 1];
  return last && 'state' in last ? (last.state.output as Record<string, unknown>) : undefined;
}

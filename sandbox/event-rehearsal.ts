import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  type KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { resourceIdOf } from '../lambdas/shared/arn';
import { type SentEmail, sentEmails } from './aws-calls';
import { cloudTrailEvent, type EventBridgeEvent } from './cloudtrail';
import type { KeyStateSeam } from './key-seams';
import { LocalReactor } from './reactor';
import { Timeline } from './timeline';
import { createCustomerKey, createFleet, type FleetMember, observeFleet, registerFleet } from './world';

/**
 * `simulate` on one EventBridge event: recreates the key it names (same key ID, account and Region)
 * with the demo fleet registered to it, applies to the key what the event records (only if the recorded
 * call succeeded), then delivers the event, envelope as recorded, through the deployed rules, the
 * dispatcher and the workflows. For an event that makes a key usable again, the key is first taken away
 * and the fleet shut down, so there is something to bring back.
 */

export interface SimulationOutcome {
  matched: boolean;
  accepted: boolean;
  reason: string | null;
  executions: { name: string; workflow: string; status: string }[];
  stopped: string[];
  started: string[];
  emails: SentEmail[];
}

/** The key the event names, found wherever it is (so that even a malformed event gets its key). */
function recordedKey(event: EventBridgeEvent): { keyId: string; account: string; region: string } | null {
  const text = JSON.stringify(event);
  const arn = /arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/((?:mrk-)?[0-9a-f-]{32,36})/.exec(text);
  if (arn?.[1] && arn[2] && arn[3]) return { region: arn[1], account: arn[2], keyId: arn[3] };
  const id = /"(?:keyId|key-id)"\s*:\s*"((?:mrk-)?[0-9a-f-]{32,36})"/.exec(text);
  const account = typeof event.account === 'string' && /^\d{12}$/.test(event.account) ? event.account : null;
  const region = typeof event.region === 'string' ? event.region : null;
  return id?.[1] && account && region ? { keyId: id[1], account, region } : null;
}

function triggerOf(event: EventBridgeEvent): string {
  const detail = (event.detail ?? {}) as { eventName?: unknown };
  return event['detail-type'] === 'AWS API Call via CloudTrail'
    ? String(detail.eventName)
    : String(event['detail-type']);
}

const ENABLING = new Set(['EnableKey', 'CancelKeyDeletion', 'ImportKeyMaterial']);

interface Sandbox {
  readonly reactor: LocalReactor;
  readonly kms: KMSClient;
  readonly seam: KeyStateSeam;
  readonly keyId: string;
  readonly keyArn: string;
  readonly timeline: Timeline;
}

/** Makes the key unusable the way `trigger` does, or as close as moto allows (said on the timeline). */
async function takeKeyAway(sandbox: Sandbox, trigger: string, pendingWindowInDays: number): Promise<void> {
  const { kms, keyId, seam, timeline } = sandbox;
  switch (trigger) {
    case 'DisableKey':
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));
      return;
    case 'ScheduleKeyDeletion':
      await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: pendingWindowInDays }),
      );
      return;
    case 'KMS CMK Deletion':
      seam.set(keyId, 'NotFound');
      timeline.say('moto cannot delete a key: the sandbox makes DescribeKey answer NotFoundException for it');
      return;
    default:
      seam.set(keyId, 'PendingImport');
      timeline.say(
        'moto does not model imported key material: the sandbox makes DescribeKey answer PendingImport',
      );
  }
}

async function giveKeyBack(sandbox: Sandbox, trigger: string): Promise<void> {
  const { kms, keyId, seam, timeline } = sandbox;
  if (trigger === 'CancelKeyDeletion') {
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
  } else if (trigger === 'ImportKeyMaterial') {
    seam.clear(keyId);
    timeline.say(
      'moto does not model imported key material: the sandbox lets DescribeKey answer Enabled again',
    );
  } else {
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  }
}

/** The change an enabling event undoes, played through the reactor first so it has something to restore. */
const PRELUDE: Record<string, string> = {
  EnableKey: 'DisableKey',
  CancelKeyDeletion: 'ScheduleKeyDeletion',
  ImportKeyMaterial: 'DeleteImportedKeyMaterial',
};

/** When the event says its change happened: CloudTrail's eventTime, else the envelope's time. */
function recordedTime(event: EventBridgeEvent): Date | undefined {
  const detail = (event.detail ?? {}) as { eventTime?: unknown };
  const text = typeof detail.eventTime === 'string' ? detail.eventTime : event.time;
  const time = typeof text === 'string' ? new Date(text) : undefined;
  return time && Number.isFinite(time.getTime()) ? time : undefined;
}

async function prelude(sandbox: Sandbox, trigger: string, recordedAt: Date | undefined): Promise<void> {
  const { reactor, timeline, keyId, keyArn } = sandbox;
  const before = PRELUDE[trigger];
  if (!before) return;
  // The dispatcher keeps only a key's newest change current: a prelude dated now would make a recorded
  // event from the past look stale, and its run would rightly do nothing. The prelude happened just before.
  const at = new Date(Math.min(Date.now(), (recordedAt?.getTime() ?? Date.now()) - 60_000));
  timeline.say(`Prelude: ${before}, so that ${trigger} has something to bring back`);
  await takeKeyAway(sandbox, before, 7);
  await reactor.publish(
    cloudTrailEvent({
      eventName: before,
      keyId,
      keyArn,
      account: reactor.place.account,
      region: reactor.place.region,
      userName: 'customer-admin',
      at,
      requestParameters: before === 'ScheduleKeyDeletion' ? { keyId, pendingWindowInDays: 7 } : undefined,
    }),
  );
  await reactor.settle();
  timeline.say('Prelude done; now the recorded event');
}

/** Resources whose state changed between two observations, in the order of the calls that changed them. */
function changed(
  fleet: readonly FleetMember[],
  before: Map<string, string>,
  after: Map<string, string>,
  to: 'stopped' | 'running',
  callOrder: (resourceArn: string) => number,
): string[] {
  return fleet
    .filter(
      (member) =>
        !before.get(member.resourceArn)?.startsWith(to) && after.get(member.resourceArn)?.startsWith(to),
    )
    .map((member) => member.resourceArn)
    .sort((a, b) => callOrder(a) - callOrder(b));
}

/** The recorded event names a key the sandbox cannot recreate. */
export class UnrecreatableKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecreatableKeyError';
  }
}

/**
 * A multi-Region key's ID is `mrk-` and 32 hex digits. moto's KMS finds a raw `mrk-` ID only in UUID
 * form, which the dispatcher rightly refuses, and its DisableKey and EnableKey take no ARN: the key
 * could be recreated, never disabled or enabled.
 */
export function checkRecreatable(event: EventBridgeEvent): void {
  const keyId = recordedKey(event)?.keyId;
  if (!keyId?.startsWith('mrk-')) return;
  throw new UnrecreatableKeyError(
    `the sandbox cannot recreate multi-Region key ${keyId}: moto's KMS cannot disable or enable a key with a real multi-Region key ID; rehearse with a single-Region key's event`,
  );
}

export async function rehearseEvent(
  event: EventBridgeEvent,
  grace: number,
  log: (line: string) => void,
): Promise<SimulationOutcome> {
  checkRecreatable(event);
  const key = recordedKey(event);
  const reactor = await LocalReactor.start({
    graceMs: grace * 1000,
    graceSeconds: grace,
    pollMs: 100,
    retryMs: 300,
    account: key?.account,
    region: key?.region,
    kmsKeyIds: key ? [key.keyId] : [],
  });
  const timeline = new Timeline(log);
  try {
    const seam = reactor.keySeam;
    const keyArn = await createCustomerKey(reactor.clients, 'Customer BYOK key (simulated)');
    const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
    const fleet = await createFleet(reactor.clients);
    await registerFleet(reactor, keyArn, fleet);
    log(`Sandbox: moto on ${reactor.moto.endpoint}, key ${keyArn}, ${fleet.length} resources registered`);
    timeline.attach(reactor);
    const sandbox: Sandbox = { reactor, kms: reactor.clients.kms, seam, keyId, keyArn, timeline };
    const trigger = triggerOf(event);
    const detail = (event.detail ?? {}) as {
      errorCode?: unknown;
      requestParameters?: { pendingWindowInDays?: unknown };
    };

    await prelude(sandbox, trigger, recordedTime(event));
    const executionsBefore = reactor.executions.length;
    const callsBefore = reactor.calls.calls.length;
    const emailsBefore = sentEmails(reactor.calls).length;
    const statesBefore = await observeFleet(reactor.reactor, fleet);

    timeline.restart();
    if (detail.errorCode !== undefined) {
      timeline.say(`The recorded ${trigger} failed (${String(detail.errorCode)}): the key is left as it is`);
    } else if (ENABLING.has(trigger)) {
      await giveKeyBack(sandbox, trigger);
      timeline.say(`Applied ${trigger} to the key`);
    } else {
      const window = Number(detail.requestParameters?.pendingWindowInDays ?? 7);
      await takeKeyAway(
        sandbox,
        trigger,
        Number.isInteger(window) && window >= 7 && window <= 30 ? window : 7,
      );
      timeline.say(`Applied ${trigger} to the key`);
    }
    const outcomes = await reactor.publish(event);
    if (outcomes.length === 0) timeline.say('EventBridge: no rule matched the event');
    for (const outcome of outcomes) {
      timeline.say(
        outcome.accepted
          ? `EventBridge rule matched; dispatcher started ${outcome.executionName}${outcome.duplicate ? ' (duplicate)' : ''}`
          : `EventBridge rule matched; dispatcher rejected the event: ${outcome.reason}`,
      );
    }
    await reactor.settle();
    timeline.close();

    const statesAfter = await observeFleet(reactor.reactor, fleet);
    const calls = reactor.calls.calls.slice(callsBefore);
    const callOrder = (resourceArn: string) => {
      const id = resourceIdOf(resourceArn);
      const index = calls.findIndex(
        (call) =>
          /^(Stop|Start|UpdateService)/.test(call.operation) && JSON.stringify(call.input).includes(id),
      );
      return index < 0 ? Number.MAX_SAFE_INTEGER : index;
    };
    const emails = sentEmails(reactor.calls).slice(emailsBefore);
    return {
      matched: outcomes.length > 0,
      accepted: outcomes.some((outcome) => outcome.accepted),
      reason:
        outcomes.length === 0
          ? 'no EventBridge rule of the reactor matches this event'
          : (outcomes.find((outcome) => !outcome.accepted)?.reason ?? null),
      executions: reactor.executions
        .slice(executionsBefore)
        .map(({ name, workflow, status }) => ({ name, workflow, status })),
      stopped: changed(fleet, statesBefore, statesAfter, 'stopped', callOrder),
      started: changed(fleet, statesBefore, statesAfter, 'running', callOrder),
      emails,
    };
  } finally {
    timeline.close();
    await reactor.stop();
  }
}

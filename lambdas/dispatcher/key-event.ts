/**
 * Turns what EventBridge delivers into the one `KeyEvent` the workflows take, or says in one sentence
 * why it will not: the dispatcher logs that sentence and drops the event, so it has to be enough for an
 * operator to understand a rejection without the event at hand.
 */

import { createHash } from 'node:crypto';
import type { ZodType } from 'zod';
import * as z from 'zod';
import { isKeyArn, KEY_ID_PATTERN, keyIdOf, parseArn, shortKeyId } from '../shared/arn';
import { DRIFT_DETAIL_TYPE, DRIFT_EVENT_SOURCE, PATTERNS } from '../shared/contract';
import { RejectedEventError } from '../shared/errors';
import {
  KEY_STORE_API_CALLS,
  type KeyEvent,
  KMS_API_CALLS,
  type KmsApiCall,
  NATIVE_KMS_EVENTS,
  type NativeKmsEvent,
  type Trigger,
  type Workflow,
} from '../shared/model';

export const KMS_EVENT_SOURCE = 'aws.kms';
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const KMS_EVENT_SOURCE_NAME = 'kms.amazonaws.com';

/** Actor strings come from whoever called KMS: bounded, so one event cannot bloat logs, input or email. */
export const MAX_ACTOR_FIELD_LENGTH = 512;

/** Step Functions allows 80 characters; only these survive in CloudWatch log group and X-Ray names. */
const MAX_EXECUTION_NAME_LENGTH = 80;

/**
 * EventBridge's envelope, the fields of Powertools' EventBridgeSchema, written here: that schema imports
 * zod as `{ z }`, a namespace esbuild cannot tree-shake, and so put all of zod (its 40 locales and its
 * JSON Schema converters, about 350 KiB) into the dispatcher's bundle and its cold start.
 */
const EnvelopeSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  source: z.string(),
  account: z.string().regex(PATTERNS.account, 'must be a 12-digit AWS account ID'),
  time: z.iso.datetime(),
  region: z.string().regex(PATTERNS.region, 'must be an AWS Region name'),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});
type Envelope = z.infer<typeof EnvelopeSchema>;

/**
 * Only the CloudTrail fields the reactor reads. Actor fields stay `unknown` on purpose: they are
 * informational, and a strange user agent is no reason to ignore a real key change.
 */
const CloudTrailDetailSchema = z.object({
  eventSource: z.string(),
  eventName: z.string(),
  eventTime: z.iso.datetime().optional(),
  errorCode: z.unknown().optional(),
  userIdentity: z.object({ arn: z.unknown().optional() }).nullish(),
  sourceIPAddress: z.unknown().optional(),
  userAgent: z.unknown().optional(),
  requestParameters: z.object({ keyId: z.string().optional() }).nullish(),
  resources: z.array(z.object({ type: z.string().optional(), ARN: z.string().optional() })).nullish(),
});

const NativeDetailSchema = z.object({ 'key-id': z.string().optional() });

/** Only what the dispatcher needs; the reason and the observed state are for people and are cut short. */
const DriftDetailSchema = z.object({
  keyArn: z.string().refine(isKeyArn, 'must be a KMS key ARN'),
  workflow: z.enum(['disable', 'enable']),
  keyState: z.string().max(64).optional(),
  reason: z.string().optional(),
  accessRevoked: z.boolean().optional(),
});

const WORKFLOW_OF: Readonly<Record<Trigger, Workflow>> = {
  DisableKey: 'disable',
  ScheduleKeyDeletion: 'disable',
  DeleteImportedKeyMaterial: 'disable',
  'KMS Imported Key Material Expiration': 'disable',
  'KMS CMK Deletion': 'disable',
  KeyFoundUnusable: 'disable',
  EnableKey: 'enable',
  CancelKeyDeletion: 'enable',
  ImportKeyMaterial: 'enable',
  KeyFoundUsable: 'enable',
  // Provisional: the dispatcher probes the key and starts the workflow its answer calls for.
  PutKeyPolicy: 'disable',
  RevokeGrant: 'disable',
  RetireGrant: 'disable',
  KeyAccessRevoked: 'disable',
  KeyAccessRestored: 'enable',
};

export interface ParseKeyEventOptions {
  /** Accounts whose key events are acted on. Empty: any account, as long as the key belongs to it. */
  readonly allowedAccounts: readonly string[];
  /**
   * The account the reactor runs in: drift events are accepted from it only, since any account the
   * platform bus admits could put an event with the sweep's source.
   */
  readonly ownAccount?: string;
  /**
   * Told, once per accepted event, what was odd about its actor fields (cut to length, or holding
   * characters that the emails escape or replace), so that the caller can log it. Not called when
   * nothing was.
   */
  readonly onActorNotes?: (notes: readonly string[]) => void;
}

/** A custom key store disconnected: it names no key, so it is no KeyEvent and starts no workflow. */
export interface KeyStoreEvent {
  readonly eventName: (typeof KEY_STORE_API_CALLS)[number];
  readonly customKeyStoreId: string;
  readonly account: string;
  readonly region: string;
  readonly eventId: string;
  readonly eventTime: string;
  readonly actorArn: string | null;
}

const KeyStoreDetailSchema = CloudTrailDetailSchema.extend({
  requestParameters: z.object({ customKeyStoreId: z.string().min(1).max(64) }),
});

/**
 * The key store call in a CloudTrail event, or undefined when the event is not one (parseKeyEvent then
 * handles it).
 * @throws RejectedEventError for a malformed or refused key store call.
 */
export function parseKeyStoreEvent(raw: unknown): KeyStoreEvent | undefined {
  if (!isRecord(raw) || raw.source !== KMS_EVENT_SOURCE || raw['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) {
    return undefined;
  }
  const eventName = isRecord(raw.detail) ? raw.detail.eventName : undefined;
  const call = KEY_STORE_API_CALLS.find((name) => name === eventName);
  if (call === undefined) return undefined;
  const envelope = parse(EnvelopeSchema, raw, 'Event');
  const detail = parse(KeyStoreDetailSchema, envelope.detail, 'CloudTrail detail');
  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    reject(`${call} failed (${bounded(String(detail.errorCode), 100)}): the key store did not change`);
  }
  return {
    eventName: call,
    customKeyStoreId: detail.requestParameters.customKeyStoreId,
    account: envelope.account,
    region: envelope.region,
    eventId: envelope.id,
    eventTime: detail.eventTime ?? envelope.time,
    actorArn: actorField(detail.userIdentity?.arn),
  };
}

/**
 * Validates and normalises one EventBridge event.
 * @throws RejectedEventError with one human-readable reason; nothing else.
 */
export function parseKeyEvent(raw: unknown, options: ParseKeyEventOptions): KeyEvent {
  if (!isRecord(raw)) reject('Event is not a JSON object');
  if (!isRecord(raw.detail)) reject('Event has no detail object');
  if (raw.source === DRIFT_EVENT_SOURCE) return fromDrift(raw, options);
  if (raw.source !== KMS_EVENT_SOURCE) {
    reject(`Event source is ${quote(raw.source)}, expected "${KMS_EVENT_SOURCE}" or "${DRIFT_EVENT_SOURCE}"`);
  }
  const detailType = raw['detail-type'];
  const isCloudTrail = detailType === CLOUDTRAIL_DETAIL_TYPE;
  if (!isCloudTrail && !isNativeEvent(detailType)) {
    reject(
      `Event detail-type ${quote(detailType)} is not one the reactor handles ` +
        `(${[CLOUDTRAIL_DETAIL_TYPE, ...NATIVE_KMS_EVENTS].join(', ')})`,
    );
  }
  const envelope = parse(EnvelopeSchema, raw, 'Event');
  const event = isCloudTrail
    ? fromCloudTrail(envelope)
    : fromNativeEvent(envelope, detailType as NativeKmsEvent);
  checkAccount(event.account, options.allowedAccounts);
  if (isCloudTrail && options.onActorNotes && isRecord(envelope.detail)) {
    const detail = envelope.detail;
    const identity = isRecord(detail.userIdentity) ? detail.userIdentity : {};
    const notes = actorNotes({
      'userIdentity.arn': identity.arn,
      sourceIPAddress: detail.sourceIPAddress,
      userAgent: detail.userAgent,
    });
    if (notes.length > 0) options.onActorNotes(notes);
  }
  return event;
}

/** Control, format (bidi, zero-width) and line or paragraph separators: the emails replace them. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Characters that mean something in HTML: the emails escape them. */
const MARKUP = /[<>&"'`]/;

/** What is odd about the actor fields of an accepted event, one short sentence each. */
function actorNotes(fields: Readonly<Record<string, unknown>>): string[] {
  const notes: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    if (value.length > MAX_ACTOR_FIELD_LENGTH) {
      notes.push(`${name} cut from ${value.length} to ${MAX_ACTOR_FIELD_LENGTH} characters`);
    }
    const kept = cut(value, MAX_ACTOR_FIELD_LENGTH);
    if (INVISIBLE.test(kept))
      notes.push(`${name} has control or line-separator characters, replaced in emails`);
    if (MARKUP.test(kept)) notes.push(`${name} has HTML markup characters, escaped in emails`);
  }
  return notes;
}

function fromCloudTrail(envelope: Envelope): KeyEvent {
  const detail = parse(CloudTrailDetailSchema, envelope.detail, 'CloudTrail detail');
  if (detail.eventSource !== KMS_EVENT_SOURCE_NAME) {
    reject(`CloudTrail eventSource is ${quote(detail.eventSource)}, expected "${KMS_EVENT_SOURCE_NAME}"`);
  }
  if (!isKmsApiCall(detail.eventName)) {
    reject(`Unknown eventName ${quote(detail.eventName)}: the reactor acts on ${KMS_API_CALLS.join(', ')}`);
  }
  const trigger = detail.eventName;
  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    // CloudTrail records refused calls too; the key's state is exactly what it was before.
    const code = typeof detail.errorCode === 'string' ? detail.errorCode : JSON.stringify(detail.errorCode);
    const outcome = /denied|unauthori[sz]ed|forbidden/i.test(code) ? 'was denied' : 'failed';
    reject(`${trigger} ${outcome} (${bounded(code, 100)}): the key did not change`);
  }
  const namedKeys = (detail.resources ?? [])
    .filter((resource) => resource.type === 'AWS::KMS::Key')
    .map((resource) => resource.ARN ?? '');
  const keyArn = resolveKeyArn(
    envelope,
    namedKeys.length > 0 ? namedKeys : envelope.resources,
    'requestParameters.keyId',
    detail.requestParameters?.keyId,
  );
  return {
    ...keyFields(keyArn, envelope),
    trigger,
    workflow: WORKFLOW_OF[trigger],
    urgent: false,
    eventId: envelope.id,
    eventTime: detail.eventTime ?? envelope.time,
    actor: {
      arn: actorField(detail.userIdentity?.arn),
      sourceIp: actorField(detail.sourceIPAddress),
      userAgent: actorField(detail.userAgent),
    },
  };
}

function fromNativeEvent(envelope: Envelope, trigger: NativeKmsEvent): KeyEvent {
  const detail = parse(NativeDetailSchema, envelope.detail, `${trigger} detail`);
  const keyArn = resolveKeyArn(envelope, envelope.resources, 'detail.key-id', detail['key-id']);
  return {
    ...keyFields(keyArn, envelope),
    trigger,
    workflow: WORKFLOW_OF[trigger],
    // Only a deleted key can never come back; expired material can still be imported again.
    urgent: trigger === 'KMS CMK Deletion',
    eventId: envelope.id,
    eventTime: envelope.time,
    actor: null,
  };
}

/**
 * A drift event from the reactor's own sweep. Its key may be in any allowed account (the sweep reads the
 * customers' keys), but the event must come from the reactor's own account and Region: the key state it
 * reports is only a hint either way, since the workflow reads the key again.
 */
function fromDrift(raw: Record<string, unknown>, options: ParseKeyEventOptions): KeyEvent {
  if (raw['detail-type'] !== DRIFT_DETAIL_TYPE) {
    reject(
      `Event detail-type ${quote(raw['detail-type'])} is not "${DRIFT_DETAIL_TYPE}", the only one of source "${DRIFT_EVENT_SOURCE}"`,
    );
  }
  const envelope = parse(EnvelopeSchema, raw, 'Event');
  if (options.ownAccount === undefined || envelope.account !== options.ownAccount) {
    reject(
      `Drift event from account ${envelope.account}: only the reactor's own sweep (account ${options.ownAccount ?? 'unknown'}) may send them`,
    );
  }
  const detail = parse(DriftDetailSchema, envelope.detail, 'Drift detail');
  const key = parseArn(detail.keyArn);
  if (key?.region !== envelope.region) {
    reject(`Key ${quote(detail.keyArn)} is not in the reactor's Region (${envelope.region})`);
  }
  checkAccount(key.account, options.allowedAccounts);
  const trigger =
    detail.workflow === 'enable'
      ? 'KeyFoundUsable'
      : detail.accessRevoked
        ? 'KeyAccessRevoked'
        : 'KeyFoundUnusable';
  return {
    keyArn: detail.keyArn,
    keyId: keyIdOf(detail.keyArn),
    account: key.account,
    region: key.region,
    trigger,
    workflow: WORKFLOW_OF[trigger],
    urgent: false,
    eventId: envelope.id,
    eventTime: envelope.time,
    actor: null,
  };
}

/**
 * The one key the event is about: the key ARN it lists as a resource, else the key ID or ARN it was
 * called with. When it has both, they must agree: a disagreement means the event was not written by KMS.
 */
function resolveKeyArn(
  envelope: Envelope,
  resourceArns: readonly string[],
  keyIdField: string,
  keyId: string | undefined,
): string {
  const listed = [...new Set(resourceArns)];
  const [resourceArn, otherArn] = listed;
  if (otherArn !== undefined) {
    reject(`Event names ${listed.length} keys, expected one: ${quote(resourceArn)}, ${quote(otherArn)}`);
  }
  if (resourceArn !== undefined && !isKeyArn(resourceArn)) {
    reject(`Event resource ${quote(resourceArn)} is not a KMS key ARN`);
  }

  let requestedArn: string | undefined;
  if (keyId !== undefined) {
    if (/(^|:)alias\//.test(keyId)) {
      reject(`${keyIdField} ${quote(keyId)} is an alias; KMS records the key ID or key ARN for this call`);
    }
    if (!isKeyArn(keyId) && !KEY_ID_PATTERN.test(keyId)) {
      reject(`${keyIdField} ${quote(keyId)} is neither a key ID nor a key ARN`);
    }
    requestedArn = isKeyArn(keyId)
      ? keyId
      : `arn:${partitionOf(envelope.region)}:kms:${envelope.region}:${envelope.account}:key/${keyId}`;
  }

  if (resourceArn !== undefined && requestedArn !== undefined && resourceArn !== requestedArn) {
    reject(`${keyIdField} ${quote(keyId)} and the event resource ${quote(resourceArn)} name different keys`);
  }
  const keyArn = resourceArn ?? requestedArn;
  if (keyArn === undefined) reject(`No key identified: the event has no key resource and no ${keyIdField}`);

  const parts = parseArn(keyArn);
  if (parts?.region !== envelope.region || parts.account !== envelope.account) {
    reject(
      `Key ${quote(keyArn)} is not in the event's account and Region (${envelope.account}, ${envelope.region})`,
    );
  }
  return keyArn;
}

function keyFields(keyArn: string, envelope: Envelope) {
  return { keyArn, keyId: keyIdOf(keyArn), account: envelope.account, region: envelope.region };
}

function checkAccount(account: string, allowedAccounts: readonly string[]): void {
  if (allowedAccounts.length > 0 && !allowedAccounts.includes(account)) {
    reject(`Account ${account} is not one the reactor serves (allowed: ${allowedAccounts.join(', ')})`);
  }
}

/**
 * The execution name for an event: `disable-1234abcd-20261122T152233Z-3f1b8c9e`. Readable in the console
 * list (workflow, key, when), and the same for every delivery of one EventBridge event, so a redelivery
 * collides with the first execution instead of starting a second.
 */
export function executionName(event: KeyEvent): string {
  const delivery = nameSafe(event.eventId).slice(0, 8) || sha256(event.eventId).slice(0, 8);
  const key = shortKeyId(event.keyId).replace(/[^A-Za-z0-9-]/g, '');
  const name = [event.workflow, key, compactUtc(event.eventTime), delivery].join('-');
  return name.slice(0, MAX_EXECUTION_NAME_LENGTH);
}

function compactUtc(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return nameSafe(time).slice(0, 20);
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

function nameSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, '');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function actorField(value: unknown): string | null {
  return typeof value === 'string' ? cut(value, MAX_ACTOR_FIELD_LENGTH) : null;
}

/** Cuts to at most `max` UTF-16 units without leaving half of a surrogate pair at the end. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const head = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

function parse<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return reject(`${what} is malformed${where}: ${issue?.message ?? 'invalid'}`);
}

function reject(reason: string): never {
  throw new RejectedEventError(reason);
}

/** Event values quoted in a reason, bounded: the reason is logged and must stay one short line. */
function quote(value: unknown): string {
  return value === undefined ? 'missing' : bounded(JSON.stringify(value) ?? String(value), 120);
}

function bounded(value: string, max: number): string {
  return value.length <= max ? value : `${cut(value, max - 3)}...`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKmsApiCall(value: string): value is KmsApiCall {
  return (KMS_API_CALLS as readonly string[]).includes(value);
}

function isNativeEvent(value: unknown): value is NativeKmsEvent {
  return (NATIVE_KMS_EVENTS as readonly unknown[]).includes(value);
}

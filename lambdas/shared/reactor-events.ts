import { executionConsoleUrl, parseArn } from './arn';
import type { EmailResource, EmailTemplate, KeyWarning } from './email/types';
import type { ResourceKind, Trigger } from './model';

/**
 * The reactor's own events: what it puts on the platform bus beside each email, for pagers, chats and
 * the customers' own accounts (docs/events.md). The schema is defined here once; the notify step, the
 * sweep's warnings and the digest build their events with the functions below. An event never carries
 * an email address: whoever subscribes to the bus sees it.
 *
 * A source of its own, distinct from the sweep's drift events (`key-reactor.sweep`) and from `aws.kms`,
 * so that none of the reactor's rules on the platform bus matches its own events (lib/event-patterns.ts).
 */
export const REACTOR_EVENT_SOURCE = 'key-reactor';
/** Raised when a field changes meaning or goes away; new optional fields keep the version. */
export const REACTOR_EVENT_VERSION = 1;

/** What an event tells, one detail-type each. Workflow kinds are named after the email they go with. */
export const REACTOR_DETAIL_TYPES = {
  'grace-started': 'Key Reactor Grace Started',
  'alert-only': 'Key Reactor Shutdown Skipped',
  'key-usable-again': 'Key Reactor Key Usable Again',
  'shutdown-complete': 'Key Reactor Shutdown Completed',
  'service-restored': 'Key Reactor Service Restored',
  'start-held-back': 'Key Reactor Start Held Back',
  'workflow-failed': 'Key Reactor Run Failed',
  'key-warning': 'Key Reactor Key Warning',
  digest: 'Key Reactor Digest',
} as const satisfies Readonly<Record<EmailTemplate | 'key-warning' | 'digest', string>>;
export type ReactorEventKind = keyof typeof REACTOR_DETAIL_TYPES;
export type ReactorDetailType = (typeof REACTOR_DETAIL_TYPES)[ReactorEventKind];

/** What became, or will become, of each resource an event names. */
export const RESOURCE_OUTCOMES = [
  /** grace-started: stops at the end of the grace period unless the key is usable again. */
  'will-stop',
  /** Left running: the key's policy is alert-only, the shutdown was held back, or the key came back in time. */
  'left-running',
  'stopped',
  'restored',
  /** start-held-back: the reactor stopped it and has not started it again. */
  'still-stopped',
  /** The reactor could not act on it (not tagged managed, gone, refused): `reason` says why. */
  'skipped',
  /** key-warning: stops when the key becomes unusable by itself. */
  'at-risk',
  /** workflow-failed, digest: the event does not say. */
  'unknown',
] as const;
export type ResourceOutcome = (typeof RESOURCE_OUTCOMES)[number];

export interface ReactorEventResource {
  readonly arn: string;
  /** null for a resource the reactor does not know the kind of (a skipped one no longer registered). */
  readonly kind: ResourceKind | null;
  readonly outcome: ResourceOutcome;
  readonly reason?: string;
}

export interface ReactorEventExecution {
  readonly name: string;
  readonly arn: string;
  /** The execution in the Step Functions console; null when the ARN is not an execution ARN. */
  readonly consoleUrl: string | null;
}

/**
 * Every field but the last few is on every event. A list longer than MAX_EVENT_RESOURCES is cut there
 * (EventBridge takes 256 KB per event); `resourceCount` always says how many there were.
 */
export interface ReactorEventDetail {
  readonly version: typeof REACTOR_EVENT_VERSION;
  readonly kind: ReactorEventKind;
  readonly keyArn: string;
  /** The account that owns the key: the customer. `customerEvents` forwards on this field. */
  readonly keyAccount: string;
  readonly keyRegion: string;
  /** What started the run (the KMS call or event, a sweep finding); `Sweep` or `Digest` for the sweep's own. */
  readonly trigger: Trigger | 'Sweep' | 'Digest';
  readonly resources: readonly ReactorEventResource[];
  readonly resourceCount: number;
  /** The workflow run; null for the sweep's warnings and the digest. */
  readonly execution: ReactorEventExecution | null;
  /** When the reactor told it (ISO 8601). */
  readonly occurredAt: string;
  /** When the key changed, as the event that started the run recorded it. */
  readonly keyChangedAt?: string;
  /** grace-started: when the resources stop unless the key is usable again. */
  readonly graceEndsAt?: string;
  /** grace-started and alert-only: the key's policy. */
  readonly action?: 'shutdown' | 'alert-only';
  /** alert-only: why a key whose policy is shutdown was left running. */
  readonly heldBack?: 'paused' | 'breaker' | 'unconfirmed';
  /** workflow-failed: the Step Functions error, its cause cut to MAX_CAUSE_LENGTH. */
  readonly error?: { readonly error: string | null; readonly cause: string | null };
  /** key-warning: what is coming, when, and the threshold (days) this warning is for. */
  readonly warning?: {
    readonly warning: SweepWarning;
    readonly dueAt: string;
    readonly thresholdDays: number;
  };
  /** digest: the period it covers and its counts, as the digest defines them. */
  readonly digest?: {
    readonly periodStart: string;
    readonly periodEnd: string;
    readonly summary: Readonly<Record<string, number>>;
  };
}

/** One event, as the publisher puts it and the sandbox's scenario output lists it. */
export interface ReactorEvent {
  readonly 'detail-type': ReactorDetailType;
  readonly detail: ReactorEventDetail;
}

export const MAX_EVENT_RESOURCES = 500;
const MAX_CAUSE_LENGTH = 2000;

/** What the resources of each workflow email became, when the run did not skip them. */
const WORKFLOW_OUTCOMES: Readonly<Record<EmailTemplate, ResourceOutcome>> = {
  'grace-started': 'will-stop',
  'alert-only': 'left-running',
  'key-usable-again': 'left-running',
  'shutdown-complete': 'stopped',
  'service-restored': 'restored',
  'start-held-back': 'still-stopped',
  'workflow-failed': 'unknown',
};

/**
 * The resources of a workflow's event: those its email names, each with what became of it; a resource
 * the run skipped says so and why, listed even when the email's list does not hold it.
 */
export function workflowResources(
  template: EmailTemplate,
  resources: readonly EmailResource[],
  options: {
    readonly action?: 'shutdown' | 'alert-only';
    readonly skipped?: readonly { readonly resourceArn: string; readonly reason: string }[];
  } = {},
): ReactorEventResource[] {
  const skipped = new Map((options.skipped ?? []).map(({ resourceArn, reason }) => [resourceArn, reason]));
  const outcome: ResourceOutcome =
    template === 'grace-started' && options.action === 'alert-only'
      ? 'left-running'
      : WORKFLOW_OUTCOMES[template];
  const named = resources.map(({ resourceArn, kind }): ReactorEventResource => {
    const reason = skipped.get(resourceArn);
    return reason === undefined
      ? { arn: resourceArn, kind, outcome }
      : { arn: resourceArn, kind, outcome: 'skipped', reason };
  });
  const listed = new Set(resources.map(({ resourceArn }) => resourceArn));
  const others = [...skipped]
    .filter(([arn]) => !listed.has(arn))
    .map(([arn, reason]): ReactorEventResource => ({ arn, kind: null, outcome: 'skipped', reason }));
  return [...named, ...others];
}

/** The resources of a warning: at risk, unless the key's policy is alert-only (nothing will stop). */
export function warningResources(
  resources: readonly EmailResource[],
  action: 'shutdown' | 'alert-only',
): ReactorEventResource[] {
  const outcome: ResourceOutcome = action === 'alert-only' ? 'left-running' : 'at-risk';
  return resources.map(({ resourceArn, kind }) => ({ arn: resourceArn, kind, outcome }));
}

/** The facts every event starts from. */
interface Common {
  readonly keyArn: string;
  readonly resources: readonly ReactorEventResource[];
  readonly occurredAt: Date;
}

export interface WorkflowFacts extends Common {
  readonly template: EmailTemplate;
  readonly trigger: Trigger;
  readonly keyChangedAt: string;
  readonly executionName: string;
  readonly executionArn: string;
  readonly graceSeconds?: number;
  readonly action?: 'shutdown' | 'alert-only';
  readonly heldBack?: 'paused' | 'breaker' | 'unconfirmed';
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** The event that goes with a workflow's email (the notify step). */
export function workflowEvent(facts: WorkflowFacts): ReactorEvent {
  const { template, graceSeconds, error } = facts;
  return reactorEvent(template, facts, {
    trigger: facts.trigger,
    keyChangedAt: facts.keyChangedAt,
    execution: {
      name: facts.executionName,
      arn: facts.executionArn,
      consoleUrl: executionConsoleUrl(facts.executionArn),
    },
    ...(template === 'grace-started' && graceSeconds !== undefined
      ? { graceEndsAt: new Date(facts.occurredAt.getTime() + graceSeconds * 1000).toISOString() }
      : {}),
    ...(facts.action && (template === 'grace-started' || template === 'alert-only')
      ? { action: facts.action }
      : {}),
    ...(facts.heldBack && template === 'alert-only' ? { heldBack: facts.heldBack } : {}),
    ...(error && template === 'workflow-failed'
      ? { error: { error: error.Error ?? null, cause: error.Cause?.slice(0, MAX_CAUSE_LENGTH) ?? null } }
      : {}),
  });
}

/**
 * The sweep's warnings: ahead of a date KMS set for the key, and the daily countdown of an RDS database
 * waiting for its key (its `dueAt` when RDS makes it unrecoverable, its `thresholdDays` the days left).
 */
export type SweepWarning = KeyWarning | 'database-unrecoverable';

export interface WarningFacts extends Common {
  readonly warning: SweepWarning;
  readonly dueAt: Date;
  readonly thresholdDays: number;
}

/** The event that goes with the sweep's early warning. */
export function warningEvent(facts: WarningFacts): ReactorEvent {
  return reactorEvent('key-warning', facts, {
    trigger: 'Sweep',
    execution: null,
    warning: {
      warning: facts.warning,
      dueAt: facts.dueAt.toISOString(),
      thresholdDays: facts.thresholdDays,
    },
  });
}

export interface DigestFacts extends Common {
  readonly periodStart: Date;
  readonly periodEnd: Date;
  /** The digest's counts (keys, runs, stops, restores...), named by the digest; numbers only. */
  readonly summary: Readonly<Record<string, number>>;
}

/**
 * The event that goes with a key's weekly digest, for the digest (branch `warnings`) to publish with
 * `EventPublisher.publish` (publisher.ts).
 */
export function digestEvent(facts: DigestFacts): ReactorEvent {
  return reactorEvent('digest', facts, {
    trigger: 'Digest',
    execution: null,
    digest: {
      periodStart: facts.periodStart.toISOString(),
      periodEnd: facts.periodEnd.toISOString(),
      summary: { ...facts.summary },
    },
  });
}

/** What each kind adds to the fields every event has. */
type KindFields = Omit<
  ReactorEventDetail,
  'version' | 'kind' | 'keyArn' | 'keyAccount' | 'keyRegion' | 'resources' | 'resourceCount' | 'occurredAt'
>;

function reactorEvent(kind: ReactorEventKind, common: Common, fields: KindFields): ReactorEvent {
  const key = parseArn(common.keyArn);
  const { trigger, execution, ...particular } = fields;
  // In the order the docs list them: what and which key, why, on what, which run, when; then the kind's own.
  return {
    'detail-type': REACTOR_DETAIL_TYPES[kind],
    detail: {
      version: REACTOR_EVENT_VERSION,
      kind,
      keyArn: common.keyArn,
      keyAccount: key?.account ?? '',
      keyRegion: key?.region ?? '',
      trigger,
      resources: common.resources.slice(0, MAX_EVENT_RESOURCES),
      resourceCount: common.resources.length,
      execution,
      occurredAt: common.occurredAt.toISOString(),
      ...particular,
    },
  };
}

import * as z from 'zod';
import { RESOURCE_KINDS, type ResourceKind } from '../../lambdas/shared/model';
import {
  POLICY_ACTIONS,
  POLICY_LANGUAGES,
  type PolicyAction,
  type PolicyLanguage,
} from '../../lambdas/shared/store/policy';
import { FAULT_SERVICES, type ScriptedFault } from '../faults';
import { RDS_SEAM_STATUSES } from '../rds-seam';
import { DEMO } from '../world';

/**
 * The game-day scenario file (issue 13's public contract, documented in docs/sandbox.md "Game days"):
 * a JSON object with a `steps` array, its fleet and its steps checked here before anything runs, so an
 * unusable file is one line naming the step or the field at fault.
 */

/** A scenario file that cannot be run: the one line `simulate` prints before exiting with code 2. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export const KMS_STEP_CALLS = [
  'DisableKey',
  'EnableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
] as const;
export type KmsStepCall = (typeof KMS_STEP_CALLS)[number];
export const OPERATOR_ACTIONS = ['stop', 'start', 'tag', 'untag'] as const;
/** The key that says what a step does: exactly one per step. */
export const STEP_ACTIONS = [
  'kms',
  'revokeAccess',
  'restoreAccess',
  'event',
  'fault',
  'clearFaults',
  'operator',
  'cli',
  'abort',
  'sweep',
  'advance',
  'rds',
] as const;

/** `P1W`, `P1D`, `PT2H`, `PT30M`, `PT1.5S` and their sums; years and months have no fixed length. */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds; undefined if not one. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

const wait = z.boolean().optional();
const Event = z.looseObject({
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
  id: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  resources: z.array(z.string()).optional(),
});

const STEP_SCHEMAS = {
  kms: z.strictObject({
    kms: z.enum(KMS_STEP_CALLS),
    delivery: z.enum(['once', 'twice', 'lost']).optional(),
    wait,
  }),
  revokeAccess: z.strictObject({
    revokeAccess: z.literal(true),
    delivery: z.enum(['once', 'twice', 'lost']).optional(),
    wait,
  }),
  restoreAccess: z.strictObject({
    restoreAccess: z.literal(true),
    delivery: z.enum(['once', 'twice', 'lost']).optional(),
    wait,
  }),
  event: z.strictObject({ event: Event, wait }),
  fault: z.strictObject({
    fault: z.strictObject({
      service: z.enum(FAULT_SERVICES),
      operation: z.string().regex(/^(\*|[A-Z][A-Za-z0-9]*)$/, 'an operation name like SendEmail, or "*"'),
      error: z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'an AWS error name like MessageRejected'),
      count: z.number().int().positive().optional(),
    }),
    wait,
  }),
  clearFaults: z.strictObject({ clearFaults: z.literal(true), wait }),
  operator: z.strictObject({ operator: z.enum(OPERATOR_ACTIONS), resource: z.string().min(1), wait }),
  cli: z.strictObject({ cli: z.array(z.string()).min(1), wait }),
  abort: z.strictObject({ abort: z.literal('running'), wait }),
  sweep: z.strictObject({ sweep: z.literal(true), wait }),
  // A seam (sandbox/rds-seam.ts): the status RDS gives a database that lost its key, which moto cannot
  // produce; `clear` gives moto's own answer back.
  rds: z.strictObject({ rds: z.enum([...RDS_SEAM_STATUSES, 'clear']), resource: z.string().min(1), wait }),
  advance: z.strictObject({
    advance: z
      .string()
      .refine(
        (text) => durationMs(text) !== undefined,
        'an ISO 8601 duration of weeks, days, hours, minutes or seconds, like PT2H or P1D',
      ),
    wait,
  }),
} as const;

export type KmsStep = z.infer<(typeof STEP_SCHEMAS)['kms']>;
export type RdsStep = z.infer<(typeof STEP_SCHEMAS)['rds']>;
export type AccessStep =
  | z.infer<(typeof STEP_SCHEMAS)['revokeAccess']>
  | z.infer<(typeof STEP_SCHEMAS)['restoreAccess']>;
export type ScenarioStep =
  | KmsStep
  | AccessStep
  | z.infer<(typeof STEP_SCHEMAS)['event']>
  | { readonly fault: ScriptedFault; readonly wait?: boolean }
  | z.infer<(typeof STEP_SCHEMAS)['clearFaults']>
  | z.infer<(typeof STEP_SCHEMAS)['operator']>
  | z.infer<(typeof STEP_SCHEMAS)['cli']>
  | z.infer<(typeof STEP_SCHEMAS)['abort']>
  | z.infer<(typeof STEP_SCHEMAS)['sweep']>
  | z.infer<(typeof STEP_SCHEMAS)['advance']>
  | z.infer<(typeof STEP_SCHEMAS)['rds']>;

const Member = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'letters, digits and dashes, at most 40'),
  kind: z.enum(RESOURCE_KINDS),
  registered: z.boolean().optional(),
  managedTag: z.boolean().optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  desiredCount: z.number().int().min(1).max(100).optional(),
  autoScaling: z
    .strictObject({ min: z.number().int().min(0), max: z.number().int().min(1) })
    .refine(({ min, max }) => min <= max, 'min must not exceed max')
    .optional(),
});

const ScenarioFile = z.strictObject({
  name: z.string().optional(),
  graceSeconds: z.number().min(0).max(600).optional(),
  action: z.enum(POLICY_ACTIONS).optional(),
  language: z.enum(POLICY_LANGUAGES).optional(),
  administrators: z.array(z.string().min(1)).min(1).optional(),
  fleet: z.array(Member).min(1).optional(),
  steps: z.array(z.unknown()),
});

/** A fleet member with its defaults applied. */
export interface MemberSpec {
  readonly name: string;
  readonly kind: ResourceKind;
  readonly registered: boolean;
  readonly managedTag: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** ECS services only. */
  readonly desiredCount: number;
  readonly autoScaling?: { readonly min: number; readonly max: number };
}

/** A scenario with its defaults applied. */
export interface Scenario {
  readonly name: string;
  readonly graceSeconds: number;
  readonly action: PolicyAction;
  /** The language of the key's administrators' emails. */
  readonly language: PolicyLanguage;
  readonly administrators: readonly string[];
  readonly fleet: readonly MemberSpec[];
  readonly steps: readonly ScenarioStep[];
}

/** The demo fleet: one ECS service on two EC2 instances, and a database. */
export const DEMO_FLEET: readonly { readonly name: string; readonly kind: ResourceKind }[] = [
  { name: 'api', kind: 'ecs-service' },
  { name: 'web-1', kind: 'ec2-instance' },
  { name: 'web-2', kind: 'ec2-instance' },
  { name: 'db', kind: 'rds-instance' },
];

/** Whether a parsed JSON value is a scenario (an object with a `steps` array) rather than an event. */
export function isScenario(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { steps?: unknown }).steps);
}

function describeIssue(issue: z.core.$ZodIssue, skip = 0): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.slice(skip).join('.');
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return `${where ? `${where}: ` : ''}unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  const where = issue.path.slice(skip).join('.');
  return `${where ? `${where}: ` : ''}${issue.message}`;
}

function parseStep(value: unknown, number: number, members: ReadonlySet<string>): ScenarioStep {
  const fail = (message: string): never => {
    throw new ScenarioError(`step ${number}: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`must be an object with one of the keys ${STEP_ACTIONS.join(', ')}`);
  }
  const keys = Object.keys(value);
  const actions = STEP_ACTIONS.filter((action) => keys.includes(action));
  if (actions.length === 0) {
    const unknown = keys.filter((key) => key !== 'wait');
    return fail(
      unknown.length > 0
        ? `unknown key "${unknown[0]}" (a step has one of ${STEP_ACTIONS.join(', ')})`
        : `no action (a step has one of ${STEP_ACTIONS.join(', ')})`,
    );
  }
  if (actions.length > 1) return fail(`one action per step, got ${actions.join(' and ')}`);
  const action = actions[0] as (typeof STEP_ACTIONS)[number];
  const parsed = STEP_SCHEMAS[action].safeParse(value);
  if (!parsed.success) return fail(describeIssue(parsed.error.issues[0] as z.core.$ZodIssue));
  const step = parsed.data as ScenarioStep;
  if (('operator' in step || 'rds' in step) && !members.has(step.resource)) {
    fail(`resource "${step.resource}" is no member of the fleet (${[...members].join(', ')})`);
  }
  return step;
}

/** Checks a parsed scenario file and applies its defaults, or throws a ScenarioError of one line. */
export function parseScenario(value: unknown, fallbackName = 'scenario'): Scenario {
  const parsed = ScenarioFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new ScenarioError(`scenario: ${describeIssue(issue)}`);
  }
  const file = parsed.data;
  const fleet: MemberSpec[] = (file.fleet ?? DEMO_FLEET).map((member, index) => {
    const spec = member as z.infer<typeof Member>;
    if (spec.kind !== 'ecs-service' && (spec.desiredCount !== undefined || spec.autoScaling)) {
      throw new ScenarioError(
        `scenario: fleet.${index}: desiredCount and autoScaling are for ecs-service members only`,
      );
    }
    return {
      name: spec.name,
      kind: spec.kind,
      registered: spec.registered ?? true,
      managedTag: spec.managedTag ?? true,
      tags: spec.tags ?? {},
      desiredCount: spec.desiredCount ?? DEMO.desiredCount,
      ...(spec.autoScaling ? { autoScaling: spec.autoScaling } : {}),
    };
  });
  const names = new Set<string>();
  for (const member of fleet) {
    if (names.has(member.name))
      throw new ScenarioError(`scenario: fleet: two members named "${member.name}"`);
    names.add(member.name);
  }
  return {
    name: file.name ?? fallbackName,
    graceSeconds: file.graceSeconds ?? 2,
    action: file.action ?? 'shutdown',
    language: file.language ?? 'en',
    administrators: file.administrators ?? [...DEMO.administrators],
    fleet,
    steps: file.steps.map((step, index) => parseStep(step, index + 1, names)),
  };
}

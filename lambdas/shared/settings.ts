import { DEFAULT_MANAGED_TAG, ENV, type EnvName, LIMITS, type ManagedTag } from './contract';
import { ConfigurationError } from './errors';
import type { LimitOverride } from './rate-limits';
import type { TimeBox } from './time-box';

/**
 * Everything the reactor's parts are configured with. The Lambda entry points read it once from their
 * environment (which the construct writes from the same contract); the CLI, the sandbox, the bench and
 * the tests build it from their own options. Values a function may not need are optional here and
 * required by the part that needs them, when it is built (`required`).
 */
export interface ReactorSettings {
  readonly tableName?: string;
  readonly managedTag: ManagedTag;
  /** How long a workflow may hold a key's lease before another may take it over. */
  readonly leaseSeconds: number;
  readonly senderAddress?: string;
  readonly operatorAddresses: readonly string[];
  readonly stateMachineArns: { readonly disable?: string; readonly enable?: string };
  /** Accounts whose keys the reactor acts on; empty means only the account the function runs in. */
  readonly allowedAccounts: readonly string[];
  /**
   * The AWS Organization whose accounts may forward key events, if the platform bus admits one: the bus
   * policy is then the gate, and the dispatcher accepts any account's events about its own keys.
   */
  readonly allowedOrganization?: string;
  /**
   * The platform bus: the sweep puts its drift events there, where the drift rule is, and the notify step
   * and the sweep put the reactor's own events there (reactor-events.ts).
   */
  readonly eventBusName?: string;
  /** Days ahead of a key's material expiry or deletion to warn, largest first. */
  readonly warningDays: readonly number[];
  /** DescribeKey calls the sweep keeps in flight. */
  readonly sweepConcurrency: number;
  /**
   * The operators' SNS topic, paged when email cannot reach someone. Without it a page is only logged
   * (the CLI, tests); the construct always sets it.
   */
  readonly notificationTopicArn?: string;
  /**
   * How many keys may turn unusable within an hour before new shutdowns wait for an operator (the
   * circuit breaker); undefined for the default, the larger of 10 and 10 % of the registered keys.
   */
  readonly breakerKeys?: number;
  /**
   * How the stop and start steps split a large layer across invocations; a deployment keeps the
   * defaults (time-box.ts), tests and the bench shrink them so that a small fleet takes several turns.
   */
  readonly timeBox?: Partial<Omit<TimeBox, 'stopwatch'>>;
  /**
   * How the drivers pace their calls by the rate-limit model (pacing/pacer.ts): with buckets shared by
   * every execution through the table, with this process's own, or not at all. Undefined is off: the
   * CLI, the sandbox and the bench say what they want; a Lambda function reads `shared` by default.
   */
  readonly pacing?: PacingMode;
  /**
   * The pacer's figures, where they differ from the model: buckets by `<service>:<bucket>` (a raised
   * quota; tests shrink them so a small fleet takes several paced rounds) and the longest a call waits
   * in a Lambda before the step hands the wait to the workflow. @default the model, 20 s
   */
  readonly pacer?: {
    readonly limits?: Readonly<Record<string, LimitOverride>>;
    readonly maxWaitMs?: number;
  };
  /**
   * The roles the stop and start functions assume for each key, with the key's tag on the session, so
   * IAM lets them act only on that key's resources (key-session.ts). Without them the functions act with
   * their own credentials (the CLI, the bench, the tests); the construct always sets both.
   */
  readonly keyRoleArns: { readonly stop?: string; readonly start?: string };
  /**
   * Whether acting without a key role is an error: in Lambda, where a missing role means a broken
   * deployment rather than a local run.
   */
  readonly keyRolesRequired: boolean;
}

export const PACING_MODES = ['shared', 'local', 'off'] as const;
export type PacingMode = (typeof PACING_MODES)[number];
/** What a deployed function paces with when its environment says nothing. */
export const DEPLOYED_PACING: PacingMode = 'shared';

/** The settings a deployment gets when it says nothing else: what the construct's defaults produce. */
export function defaultSettings(overrides: Partial<ReactorSettings> = {}): ReactorSettings {
  return {
    managedTag: DEFAULT_MANAGED_TAG,
    leaseSeconds: LIMITS.leaseSeconds,
    operatorAddresses: [],
    stateMachineArns: {},
    allowedAccounts: [],
    keyRoleArns: {},
    keyRolesRequired: false,
    warningDays: LIMITS.defaultWarningDays,
    sweepConcurrency: LIMITS.defaultSweepConcurrency,
    ...overrides,
  };
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads the settings from a function's environment, once, at its entry point. Malformed values fail
 * here with the variable's name; missing ones fail only where a part needs them (`required`), so a
 * function is not asked for what it never uses.
 */
export function settingsFromEnvironment(env: Environment): ReactorSettings {
  const read = (name: EnvName): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const list = (name: EnvName): string[] =>
    (read(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  const positiveInteger = (name: EnvName, fallback: number): number => {
    const value = Number(read(name) ?? fallback);
    if (!Number.isInteger(value) || value <= 0) {
      throw new ConfigurationError(`${name} must be a positive whole number, got ${read(name)}`);
    }
    return value;
  };
  const optionalPositiveInteger = (name: EnvName): number | undefined =>
    read(name) === undefined ? undefined : positiveInteger(name, 0);
  const days = list(ENV.warningDays).map(Number);
  if (days.some((day) => !Number.isInteger(day) || day <= 0)) {
    throw new ConfigurationError(`${ENV.warningDays} must list positive whole numbers of days, like 30,7,1`);
  }
  return {
    tableName: read(ENV.tableName),
    managedTag: {
      key: read(ENV.managedTagKey) ?? DEFAULT_MANAGED_TAG.key,
      value: read(ENV.managedTagValue) ?? DEFAULT_MANAGED_TAG.value,
    },
    leaseSeconds: positiveInteger(ENV.leaseSeconds, LIMITS.leaseSeconds),
    senderAddress: read(ENV.senderAddress),
    operatorAddresses: list(ENV.operatorAddresses),
    stateMachineArns: {
      disable: read(ENV.disableStateMachineArn),
      enable: read(ENV.enableStateMachineArn),
    },
    allowedAccounts: list(ENV.allowedAccounts),
    allowedOrganization: read(ENV.allowedOrganization),
    eventBusName: read(ENV.eventBusName),
    warningDays: [...new Set(days.length > 0 ? days : LIMITS.defaultWarningDays)].sort((a, b) => b - a),
    sweepConcurrency: positiveInteger(ENV.sweepConcurrency, LIMITS.defaultSweepConcurrency),
    notificationTopicArn: read(ENV.notificationTopicArn),
    breakerKeys: optionalPositiveInteger(ENV.breakerKeys),
    pacing: pacingMode(read(ENV.pacing)),
    keyRoleArns: { stop: read(ENV.stopKeyRoleArn), start: read(ENV.startKeyRoleArn) },
    // Lambda sets AWS_LAMBDA_FUNCTION_NAME in every function's environment.
    keyRolesRequired: env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
  };
}

function pacingMode(value: string | undefined): PacingMode {
  if (value === undefined) return DEPLOYED_PACING;
  const mode = PACING_MODES.find((known) => known === value);
  if (!mode)
    throw new ConfigurationError(`${ENV.pacing} must be one of ${PACING_MODES.join(', ')}, got ${value}`);
  return mode;
}

/** A setting a part cannot work without, or a ConfigurationError naming the variable that sets it. */
export function required<T>(value: T | undefined, name: EnvName): T {
  if (value === undefined) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

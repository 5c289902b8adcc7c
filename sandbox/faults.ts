import type { ClientInstrument, InstrumentableClient } from '../lambdas/shared/aws';

/**
 * Faults for the handlers' AWS clients, injected by SDK middleware so that no handler has a seam for
 * them: AWS throttling and outages at random (`start`), named errors a game-day scenario scripts
 * (`script`), and a resource that never stops.
 *
 * A fault is injected per attempt, in the `finalizeRequest` step below the SDK's retry middleware (which
 * sits at the top of that step): the SDK's own retry (3 attempts by default, with its retry quota) sees
 * each fault as it would see AWS's answer and retries it, and only when every attempt failed does the
 * error reach the handler, its translation to ThrottlingError or TransientError, and the workflow's Retry.
 * A failed attempt never reaches moto, as a throttled request never reaches the service.
 *
 * Only time is changed besides: the SDK's backoff between attempts (up to seconds for throttling) is cut
 * to `sdkRetryDelayMs`, as the local runner cuts the workflows' retry waits.
 */

/** An error as AWS returns it for throttling or an outage, with what the SDK's retry looks at. */
export interface InjectedError {
  readonly name: string;
  readonly status: number;
  readonly fault: 'client' | 'server';
}

/** The throttling error each service answers with, by SDK client name. */
const THROTTLING: Readonly<Record<string, string>> = {
  EC2: 'RequestLimitExceeded',
  SES: 'Throttling',
  RDS: 'Throttling',
  AutoScaling: 'Throttling',
};
/** SES refusing an email for good, as for an unverified address in the SES sandbox. */
const EMAIL_REFUSED: InjectedError = { name: 'MessageRejected', status: 400, fault: 'client' };

export const SERVICE_UNAVAILABLE: InjectedError = {
  name: 'ServiceUnavailable',
  status: 503,
  fault: 'server',
};

export interface FaultOptions {
  /** The share of attempts that fail, from 0 to 1. */
  readonly rate: number;
  /** The seed of the pseudo-random draws: the same seed and the same sequence of attempts fail the same attempts. */
  readonly seed: number;
  /**
   * Of the failed attempts, the share answered with ServiceUnavailable (HTTP 503) rather than throttling.
   * The SDK's retry quota charges 14 for a transient retry and 5 for a throttling retry, so a high share
   * empties the quota over thousands of calls, after which only the workflows' Retry is left.
   * @default 0.1
   */
  readonly unavailableShare?: number;
  /**
   * Of the failed SES SendEmail attempts, the share SES refuses for good (MessageRejected: an unverified
   * or malformed address, the SES sandbox), which no retry helps. @default 0
   */
  readonly emailRefusalShare?: number;
  /** Which calls may fail, by SDK client name (`EC2`, `DynamoDB`...) and operation. @default every call */
  readonly only?: (service: string, operation: string) => boolean;
}

export interface InjectedFault {
  readonly service: string;
  readonly operation: string;
  readonly error: string;
}

/** The SDK client names a scripted fault may name (`EC2Client` -> `EC2`). */
export const FAULT_SERVICES = [
  'SES',
  'EC2',
  'RDS',
  'ECS',
  'DynamoDB',
  'KMS',
  'AutoScaling',
  'ApplicationAutoScaling',
  'SFN',
  'EventBridge',
  'SNS',
] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

/**
 * A fault a game-day scenario asks for: the next `count` attempts of one operation (`*`: any of the
 * service's) fail with the named AWS error; without `count`, every attempt until `clearScripted`.
 */
export interface ScriptedFault {
  readonly service: FaultService;
  readonly operation: string;
  readonly error: string;
  readonly count?: number;
}

/**
 * The HTTP status AWS answers a named error with, and so whose fault the SDK takes it to be: the SDK
 * retries throttling and 5xx answers and gives the rest to the caller at once, as it would AWS's.
 * Names not listed are classified by their words (Internal, Unavailable: 5xx; the rest: 400).
 */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  AccessDeniedException: 403,
  UnauthorizedOperation: 403,
  UnrecognizedClientException: 403,
  InvalidClientTokenId: 403,
  ExpiredToken: 403,
  NotFoundException: 400,
  ResourceNotFoundException: 400,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  InternalFailure: 500,
  InternalError: 500,
  InternalServerError: 500,
  KMSInternalException: 500,
  KeyUnavailableException: 500,
};

/** The error AWS answers with for `name`, with what the SDK's retry looks at. */
export function awsError(name: string): InjectedError {
  const status = ERROR_STATUS[name] ?? (/Internal|Unavailable/.test(name) ? 500 : 400);
  return { name, status, fault: status >= 500 ? 'server' : 'client' };
}

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
type Middleware = (
  next: Next,
  context: { clientName?: string; commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;
type AddMiddleware = (middleware: Middleware, options: object) => void;

interface RetryConfig {
  retryStrategy?: () => Promise<{
    retryBackoffStrategy?: { computeNextBackoffDelay?: (attempt: number) => number };
  }>;
}

/** mulberry32: a small, good-enough PRNG with a 32-bit state. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  /** Every attempt that was failed on purpose, in order. */
  readonly injected: InjectedFault[] = [];
  /** Every attempt that reached the injector (failed or not). */
  attempts = 0;
  private options: FaultOptions | undefined;
  private draw: () => number = () => 1;
  private readonly keptRunning = new Set<string>();
  private scripted: { rule: ScriptedFault; left: number }[] = [];

  constructor(private readonly sdkRetryDelayMs = 2) {}

  /** Starts failing attempts; replaces the options of an earlier start. */
  start(options: FaultOptions): void {
    if (!(options.rate >= 0 && options.rate <= 1))
      throw new RangeError(`rate must be from 0 to 1, got ${options.rate}`);
    this.options = options;
    this.draw = random(options.seed);
  }

  /** Stops failing attempts (the world's own setup and checks then go through). */
  stop(): void {
    this.options = undefined;
  }

  /**
   * A declared seam for an instance that never stops (an OS shutdown that hangs): EC2 accepts StopInstances
   * for it and nothing happens. The other instances of the same call stop as usual.
   */
  keepRunning(instanceId: string): void {
    this.keptRunning.add(instanceId);
  }

  clearKeptRunning(): void {
    this.keptRunning.clear();
  }

  /**
   * Fails the next `count` attempts of the operation (each SDK attempt counts: a 5xx or throttling error
   * the SDK retries takes one per attempt), or every attempt until `clearScripted` without a count. A
   * later rule for the same operation is checked first.
   */
  script(rule: ScriptedFault): void {
    if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) {
      throw new RangeError(`count must be a positive whole number, got ${rule.count}`);
    }
    this.scripted.unshift({ rule, left: rule.count ?? Number.POSITIVE_INFINITY });
  }

  clearScripted(): void {
    this.scripted = [];
  }

  /** The scripted error for this attempt, if a rule takes it (and counts it). */
  private scriptedError(service: string, operation: string): InjectedError | undefined {
    const match = this.scripted.find(
      ({ rule, left }) =>
        left > 0 && rule.service === service && (rule.operation === '*' || rule.operation === operation),
    );
    if (!match) return undefined;
    match.left--;
    return awsError(match.rule.error);
  }

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => this.attach(client);

  /** Fails the attempt as AWS would have answered it: the SDK classifies it by these very fields. */
  private throwInjected(service: string, operation: string, error: InjectedError): never {
    this.injected.push({ service, operation, error: error.name });
    throw Object.assign(new Error(`Injected by the sandbox: ${error.name} on ${service} ${operation}`), {
      name: error.name,
      $fault: error.fault,
      $metadata: { httpStatusCode: error.status, requestId: 'sandbox-fault' },
    });
  }

  private attach(client: InstrumentableClient): void {
    const add = client.middlewareStack.add as AddMiddleware;
    const fail: Middleware = (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const options = this.options;
      if (options && (options.only?.(service, operation) ?? true)) {
        this.attempts++;
        if (this.draw() < options.rate) {
          const refused =
            service === 'SES' && operation === 'SendEmail' && this.draw() < (options.emailRefusalShare ?? 0);
          this.throwInjected(
            service,
            operation,
            refused
              ? EMAIL_REFUSED
              : this.draw() < (options.unavailableShare ?? 0.1)
                ? SERVICE_UNAVAILABLE
                : { name: THROTTLING[service] ?? 'ThrottlingException', status: 400, fault: 'client' },
          );
        }
      }
      return next(args);
    };
    add(fail, { step: 'finalizeRequest', priority: 'low', name: 'sandboxFaultInjector', override: true });

    // Scripted faults sit above the calls answered locally (Step Functions, added after this at the same
    // priority), so a scenario can fail those too; random faults stay below them, where they always were.
    const script: Middleware = (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const scripted = this.scriptedError(service, operation);
      if (scripted) this.throwInjected(service, operation, scripted);
      return next(args);
    };
    add(script, {
      step: 'finalizeRequest',
      priority: 'normal',
      name: 'sandboxScriptedFaults',
      override: true,
    });

    const hold: Middleware = (next, context) => async (args) => {
      if (context.commandName !== 'StopInstancesCommand' || this.keptRunning.size === 0) return next(args);
      const ids = (args.input.InstanceIds as string[] | undefined) ?? [];
      const rest = ids.filter((id) => !this.keptRunning.has(id));
      if (rest.length === ids.length) return next(args);
      if (rest.length > 0) return next({ ...args, input: { ...args.input, InstanceIds: rest } });
      return { output: { StoppingInstances: [], $metadata: {} }, response: {} };
    };
    add(hold, { step: 'initialize', priority: 'low', name: 'sandboxKeepRunning', override: true });

    // The SDK's backoff, shortened: the retry middleware asks for its (memoised) strategy on every request.
    const config = (client as unknown as { config?: RetryConfig }).config;
    const original = config?.retryStrategy;
    if (config && original) {
      const delay = this.sdkRetryDelayMs;
      config.retryStrategy = async () => {
        const strategy = await original();
        const backoff = strategy.retryBackoffStrategy;
        if (backoff?.computeNextBackoffDelay) backoff.computeNextBackoffDelay = () => delay;
        return strategy;
      };
    }
  }
}

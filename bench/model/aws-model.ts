import type { ClientInstrument, InstrumentableClient } from '../../lambdas/shared/aws';
import {
  type ApiLimit,
  LIMITED_SERVICES,
  type LimitedService,
  RATE_LIMITS,
  type TokenBucket,
} from '../../lambdas/shared/rate-limits';
import { LATENCIES, latencyOf, type ServiceLatencies } from './latencies';
import { Transitions } from './transitions';
import { currentVirtualClock } from './virtual-clock';

/**
 * AWS as the bench models it, in front of moto: an SDK middleware on every client of the process that
 * makes each call take its operation's latency (latencies.ts) and meters it with AWS's token buckets
 * (lambdas/shared/rate-limits.ts, the table the reactor's pacer plans with), shared by every client, as
 * AWS shares them across one account and Region. A call that finds a bucket empty is answered as AWS
 * answers it, with the service's throttling error, so the SDK's retries and the workflow's Retry react
 * as they would in AWS. Time is whatever clock the process runs on: the bench's virtual clock.
 */

/** What each service answers a throttled call with: the error code and HTTP status its API documents. */
const THROTTLED: Readonly<Record<LimitedService, { readonly name: string; readonly status: number }>> = {
  ec2: { name: 'RequestLimitExceeded', status: 503 },
  ecs: { name: 'ThrottlingException', status: 400 },
  rds: { name: 'Throttling', status: 400 },
  autoscaling: { name: 'Throttling', status: 400 },
  'application-autoscaling': { name: 'ThrottlingException', status: 400 },
  kms: { name: 'ThrottlingException', status: 400 },
  dynamodb: { name: 'ThrottlingException', status: 400 },
};

/** The throttling error of the model, shaped as the SDK's service exceptions are (name, $fault, $metadata). */
export class ModelledThrottlingError extends Error {
  readonly $fault = 'client';
  readonly $metadata: { readonly httpStatusCode: number; readonly attempts?: number };

  constructor(name: string, status: number, detail: string) {
    super(`Rate exceeded (modelled): ${detail}`);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface AwsModelOptions {
  /** @default LATENCIES */
  readonly latencies?: Readonly<Record<string, ServiceLatencies>>;
  /** @default RATE_LIMITS */
  readonly limits?: readonly ApiLimit[];
  /** Model latency; false sends each call at once. @default true */
  readonly latency?: boolean;
  /** Meter calls with the buckets; false never throttles. @default true */
  readonly throttle?: boolean;
  /**
   * Show stops and starts under way (`stopping`, `pending`, draining tasks) for their modelled time
   * (transitions.ts), where moto completes them at once. @default true
   */
  readonly transitions?: boolean;
}

export interface AwsModelStats {
  /** Attempts that reached the model, per `Service:Operation` (throttled ones included). */
  readonly attempts: Readonly<Record<string, number>>;
  /** Attempts answered with a throttling error, per `Service:Operation`. */
  readonly throttled: Readonly<Record<string, number>>;
}

interface Level {
  tokens: number;
  at: number;
}

/** How many resources a call names, for a bucket that meters them (EC2's StopInstances, StartInstances). */
function resourcesOf(input: unknown): number {
  const ids = (input as { InstanceIds?: unknown } | undefined)?.InstanceIds;
  return Array.isArray(ids) ? ids.length : 1;
}

const nameOf = (context: { clientName?: string; commandName?: string }) => ({
  service: (context.clientName ?? 'Unknown').replace(/Client$/, ''),
  operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
});

/** The name of the sandbox's middleware that answers Step Functions' calls (sandbox/reactor.ts). */
const LOCAL_STEP_FUNCTIONS = 'localStepFunctions';
/** The client whose calls that middleware answers (it sits on every client of the reactor). */
const STEP_FUNCTIONS_CLIENT = 'SFNClient';

type Handler = (args: { input: unknown }) => Promise<unknown>;
type Middleware = (next: Handler, context: { clientName?: string; commandName?: string }) => Handler;

export class AwsModel {
  private readonly levels = new Map<string, Level>();
  private readonly attempts = new Map<string, number>();
  private readonly throttledCalls = new Map<string, number>();
  private readonly latencies: Readonly<Record<string, ServiceLatencies>>;
  private readonly limits: readonly ApiLimit[];
  private readonly transitions = new Transitions();

  constructor(private readonly options: AwsModelOptions = {}) {
    this.latencies = options.latencies ?? LATENCIES;
    this.limits = options.limits ?? RATE_LIMITS;
  }

  /** Calls made while `unmodelled` work runs: they go straight to moto. */
  private unmodelledDepth = 0;

  /**
   * Runs `work` with its calls sent straight to moto: no latency, no buckets, not counted. For a setup
   * that is not measured (the sweep's 10,000 keys), where the model would only add real time (every
   * modelled latency is a turn of the virtual clock) and drain buckets the measured part then finds low.
   * Nothing else may call AWS meanwhile: the switch is the process's, not the work's.
   */
  async unmodelled<T>(work: () => Promise<T>): Promise<T> {
    this.unmodelledDepth++;
    try {
      return await work();
    } finally {
      this.unmodelledDepth--;
    }
  }

  /** Full buckets and no counts: a fresh account, for the next scenario. */
  reset(): void {
    this.levels.clear();
    this.transitions.clear();
    this.attempts.clear();
    this.throttledCalls.clear();
  }

  stats(): AwsModelStats {
    return {
      attempts: Object.fromEntries(this.attempts),
      throttled: Object.fromEntries(this.throttledCalls),
    };
  }

  /** Throttled attempts in all. */
  throttledTotal(): number {
    return [...this.throttledCalls.values()].reduce((a, b) => a + b, 0);
  }

  /** Attached to every client (AwsOptions.instrument), the reactor's, the baseline's and the world's. */
  readonly instrument: ClientInstrument = (client) => this.attach(client);

  private attach(client: InstrumentableClient): void {
    const modelled: Middleware = (next, context) => async (args) => {
      const { service, operation } = nameOf(context);
      const name = `${service}:${operation}`;
      const clock = currentVirtualClock();
      if (this.unmodelledDepth > 0) return clock ? clock.real(() => next(args), name) : next(args);
      this.attempts.set(name, (this.attempts.get(name) ?? 0) + 1);
      if (this.options.latency !== false) {
        const { ms } = latencyOf(service, operation, this.latencies);
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      const limited = LIMITED_SERVICES[context.clientName ?? ''];
      if (limited && this.options.throttle !== false) this.meter(limited, operation, args.input, name);
      const result = clock ? await clock.real(() => next(args), name) : await next(args);
      if (service === 'STS' && operation === 'AssumeRole') return this.sessionOnModelledClock(args, result);
      if (this.options.transitions !== false) {
        const output = (result as { output?: Record<string, unknown> }).output;
        this.transitions.record(operation, args.input as Record<string, unknown>);
        if (output) this.transitions.rewrite(operation, output);
      }
      return result;
    };
    const stack = client.middlewareStack as unknown as {
      add: (mw: Middleware, options: object) => void;
      addRelativeTo: (mw: Middleware, options: object) => void;
      identify: () => string[];
    };
    // The sandbox answers Step Functions' calls itself, in finalizeRequest (sandbox/reactor.ts), and puts
    // that answer on every client of the reactor: the Step Functions client's model goes just before it,
    // or those calls would take no time at all. Every other client's stays below, where nothing but the
    // HTTP exchange with moto is under it: above the pacer, the model would count the pacer's DynamoDB
    // calls and its sleeps as one real call in flight, and time, standing still for it, would never
    // bring their modelled latency or their tokens (the stall of `pacing: 'shared'`).
    const answersLocally = stack.identify().some((entry) => entry.startsWith(`${LOCAL_STEP_FUNCTIONS} `));
    // Each call meets the model once: before the local answer for Step Functions there, else below.
    const model =
      (front: boolean): Middleware =>
      (next, context) => {
        const answered = answersLocally && context.clientName === STEP_FUNCTIONS_CLIENT;
        return answered === front ? modelled(next, context) : next;
      };
    if (answersLocally) {
      stack.addRelativeTo(model(true), {
        relation: 'before',
        toMiddleware: LOCAL_STEP_FUNCTIONS,
        name: 'keyReactorBenchAwsModelAnswered',
        override: true,
      });
    }
    // Below the SDK's retry and signing and every instrument of finalizeRequest (the sandbox's, the
    // reactor's pacer): the model sees each attempt as AWS would, after the pacer let it go, and its waits
    // and errors come before the request reaches moto.
    stack.add(model(false), {
      step: 'deserialize',
      priority: 'high',
      name: 'keyReactorBenchAwsModel',
      override: true,
    });
  }

  /** Takes the call's tokens from its request and resource buckets, or throws the service's throttling error. */
  private meter(service: LimitedService, operation: string, input: unknown, name: string): void {
    const limit = this.limits.find(
      (entry) => entry.service === service && entry.operations.includes(operation),
    );
    if (!limit) return;
    const now = Date.now();
    const wanted: [string, TokenBucket, number][] = [
      [`${service}:${limit.bucket}:request`, limit.request, 1],
    ];
    if (limit.resource) {
      // A call naming more resources than the bucket holds takes a full bucket, or it could never pass.
      const count = Math.min(resourcesOf(input), limit.resource.burst);
      wanted.push([`${service}:${limit.bucket}:resource`, limit.resource, count]);
    }
    const levels = wanted.map(([key, bucket, count]) => {
      const seen = this.levels.get(key);
      const tokens = seen
        ? Math.min(bucket.burst, seen.tokens + ((now - seen.at) / 1000) * bucket.refillPerSecond)
        : bucket.burst;
      return { key, tokens, count };
    });
    const short = levels.find(({ tokens, count }) => tokens < count);
    // A throttled call takes no tokens: AWS meters what it serves. Either way the level is brought up to now.
    for (const { key, tokens, count } of levels) {
      this.levels.set(key, { tokens: short ? tokens : tokens - count, at: now });
    }
    if (short) {
      this.throttledCalls.set(name, (this.throttledCalls.get(name) ?? 0) + 1);
      const { name: code, status } = THROTTLED[service];
      throw new ModelledThrottlingError(
        code,
        status,
        `${short.key} holds ${short.tokens.toFixed(1)}, wanted ${short.count}`,
      );
    }
  }

  /**
   * moto stamps a session's expiry on its own, real clock; AWS would on the modelled one. Without this
   * rewrite a run modelled hours ahead would find every session expired and assume the role per call.
   */
  private sessionOnModelledClock(args: { input: unknown }, result: unknown): unknown {
    const output = (result as { output?: { Credentials?: { Expiration?: Date } } }).output;
    const seconds = (args.input as { DurationSeconds?: number }).DurationSeconds ?? 3600;
    if (output?.Credentials) output.Credentials.Expiration = new Date(Date.now() + seconds * 1000);
    return result;
  }
}

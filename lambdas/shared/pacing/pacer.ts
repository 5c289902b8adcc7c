import type { ClientInstrument } from '../aws';
import type { Clock, Sleep } from '../clock';
import { ThrottlingError } from '../errors';
import { logger } from '../observability';
import { type ApiLimit, LIMITED_SERVICES, type LimitedService, limitFor, RATE_LIMITS } from '../rate-limits';
import type { Buckets } from './buckets';

export interface PacerOptions {
  readonly buckets: Buckets;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /**
   * The longest one call waits for its tokens. Past it the call is not made (PacedOutError): a stop or
   * start step ends its pass and the workflow waits for the bucket, so no step sleeps through its time box.
   * @default 20 s
   */
  readonly maxWaitMs?: number;
  /** The buckets' figures. @default RATE_LIMITS */
  readonly limits?: readonly ApiLimit[];
}

/**
 * A call the pacer would have had to hold longer than `maxWaitMs`: it was not made. A stop or start step
 * catches it, ends its pass there and returns how long the bucket needs (`waitMs`), so the workflow waits
 * on Step Functions instead of in a Lambda. Named ThrottlingError for Step Functions, so that anywhere
 * else it escapes, the Task retries it as before.
 */
export class PacedOutError extends ThrottlingError {
  /**
   * `waitMs`: until the tokens of the call turned away are there; `fullMs`: until the bucket is full,
   * what waiting for a whole burst costs (a step that has many calls left waits up to that, so that each
   * round of the workflow issues a burst rather than one call).
   */
  constructor(
    message: string,
    readonly waitMs: number,
    readonly fullMs: number = waitMs,
  ) {
    super(message);
    this.name = 'ThrottlingError';
  }
}

/** How many resources a call names, for a bucket that meters them (EC2's StopInstances, StartInstances). */
function resourcesOf(input: unknown): number {
  const ids = (input as { InstanceIds?: unknown } | undefined)?.InstanceIds;
  return Array.isArray(ids) ? ids.length : 1;
}

/**
 * Paces the reactor's own AWS calls by the model of rate-limits.ts: before each attempt of an operation
 * the model knows, it draws one token from the operation's request bucket and, where AWS meters
 * resources too, one per resource the call names; it waits until they are there. A burst of 10 calls
 * of 100 StartInstances each thus goes out at the pace of EC2's resource bucket instead of being
 * throttled and retried. Attached to the drivers' clients as SDK middleware (`instrument`).
 */
export class Pacer {
  private readonly maxWaitMs: number;

  constructor(private readonly options: PacerOptions) {
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
  }

  /** Waits until a call of `operation` naming `resources` resources may go. */
  async acquire(service: LimitedService, operation: string, resources = 1): Promise<void> {
    const limit = limitFor(service, operation, this.options.limits ?? RATE_LIMITS);
    if (!limit) return;
    const waitMs = Math.max(
      await this.take(limit, 'request', 1),
      limit.resource ? await this.take(limit, 'resource', resources) : 0,
    );
    if (waitMs > 0) {
      logger.info('Pacer: waiting for the rate limit', { service, operation, resources, waitMs });
      await this.options.sleep(waitMs);
    }
  }

  /** Attaches the pacer to a client: every attempt of an operation the model knows waits its turn. */
  readonly instrument: ClientInstrument = (client) => {
    type Handler = (args: { input: unknown }) => Promise<unknown>;
    type Context = { clientName?: string; commandName?: string };
    const add = client.middlewareStack.add as unknown as (
      middleware: (next: Handler, context: Context) => Handler,
      options: object,
    ) => void;
    add(
      (next, context) => async (args) => {
        const service = LIMITED_SERVICES[context.clientName ?? ''];
        if (service) {
          await this.acquire(
            service,
            (context.commandName ?? '').replace(/Command$/, ''),
            resourcesOf(args.input),
          );
        }
        return next(args);
      },
      // After the SDK's retry middleware, so every attempt, as AWS counts them, draws its tokens.
      { step: 'finalizeRequest', priority: 'low', name: 'keyReactorPacer', override: true },
    );
  };

  private async take(limit: ApiLimit, kind: 'request' | 'resource', count: number): Promise<number> {
    const bucket = kind === 'request' ? limit.request : limit.resource;
    if (!bucket) return 0;
    const name = `${limit.service}:${limit.bucket}:${kind}`;
    const waitMs = await this.options.buckets.take(name, bucket, count, {
      now: this.options.clock().getTime(),
      maxWaitMs: this.maxWaitMs,
    });
    if (waitMs === undefined) {
      const now = this.options.clock().getTime();
      const { buckets } = this.options;
      const owedMs = buckets.owedMs ? await buckets.owedMs(name, bucket, count, now) : this.maxWaitMs;
      const fullMs = buckets.owedMs ? await buckets.owedMs(name, bucket, bucket.burst, now) : owedMs;
      throw new PacedOutError(
        `The reactor's pacer holds back ${limit.service} ${limit.bucket}: its ${kind} bucket is owed more than ${this.maxWaitMs / 1000} s of tokens`,
        Math.max(owedMs, 1),
        Math.max(fullMs, owedMs, 1),
      );
    }
    return waitMs;
  }
}

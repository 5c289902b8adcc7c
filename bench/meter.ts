import type { ClientInstrument, InstrumentableClient } from '../lambdas/shared/aws';

/**
 * What AWS would bill or throttle, counted on the reactor's and the baselines' clients and functions:
 * throttled attempts (inside the SDK's retry loop, so a call retried after a throttle still counts it),
 * DynamoDB request units estimated from the items' sizes, and each Lambda invocation's duration.
 */

/**
 * The error codes the SDK's standard retry strategy treats as throttling
 * (@smithy/service-error-classification THROTTLING_ERROR_CODES), kept here rather than importing a
 * package the project does not depend on directly.
 */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<{ output?: Record<string, unknown> }>,
  context: { clientName?: string; commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<{ output?: Record<string, unknown> }>;

/** DynamoDB request units, estimated: sizes are the JSON length of the items, a slight overestimate. */
export interface RequestUnits {
  read: number;
  write: number;
}

const sizeOf = (item: unknown): number => (item === undefined ? 0 : Buffer.byteLength(JSON.stringify(item)));
/** A read unit covers 4 KB strongly consistent, twice that eventually consistent; a write unit 1 KB. */
const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

type Records = Record<string, unknown>;
const asRecords = (value: unknown): Records[] => (Array.isArray(value) ? (value as Records[]) : []);

/** Request units of one DynamoDB call, from its input and its output (`error`: it failed). */
export function requestUnits(operation: string, input: Records, output: Records | undefined): RequestUnits {
  const consistent = input.ConsistentRead === true;
  switch (operation) {
    case 'GetItem':
      return { read: readUnits(sizeOf(output?.Item), consistent), write: 0 };
    case 'Query':
    case 'Scan': {
      const bytes = asRecords(output?.Items).reduce((total, item) => total + sizeOf(item), 0);
      return { read: readUnits(bytes, consistent), write: 0 };
    }
    case 'BatchGetItem': {
      const requested = (input.RequestItems ?? {}) as Record<string, { ConsistentRead?: boolean }>;
      let read = 0;
      for (const [table, items] of Object.entries((output?.Responses ?? {}) as Record<string, unknown>))
        for (const item of asRecords(items))
          read += readUnits(sizeOf(item), requested[table]?.ConsistentRead === true);
      return { read, write: 0 };
    }
    case 'PutItem':
      return { read: 0, write: writeUnits(sizeOf(input.Item)) };
    case 'UpdateItem':
    case 'DeleteItem':
      return { read: 0, write: writeUnits(sizeOf(output?.Attributes)) };
    case 'BatchWriteItem': {
      let write = 0;
      for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>))
        for (const request of asRecords(requests))
          write += writeUnits(sizeOf((request.PutRequest as Records | undefined)?.Item));
      return { read: 0, write };
    }
    case 'TransactWriteItems':
      // A transaction costs two units per item: prepare and commit.
      return { read: 0, write: 2 * asRecords(input.TransactItems).length };
    case 'TransactGetItems':
      return { read: 2 * asRecords(input.TransactItems).length, write: 0 };
    default:
      return { read: 0, write: 0 };
  }
}

export interface MeterSnapshot {
  /** Attempts that failed with a throttling error, by `Service:Operation`. */
  readonly throttled: Record<string, number>;
  readonly throttledTotal: number;
  readonly dynamodb: RequestUnits;
}

export class Meter {
  private throttled = new Map<string, number>();
  private units: RequestUnits = { read: 0, write: 0 };

  clear(): void {
    this.throttled = new Map();
    this.units = { read: 0, write: 0 };
  }

  snapshot(): MeterSnapshot {
    const throttled = Object.fromEntries([...this.throttled].sort(([a], [b]) => a.localeCompare(b)));
    return {
      throttled,
      throttledTotal: Object.values(throttled).reduce((total, count) => total + count, 0),
      dynamodb: { read: Math.round(this.units.read * 10) / 10, write: this.units.write },
    };
  }

  readonly instrument: ClientInstrument = (client) => this.attach(client);

  private attach(client: InstrumentableClient): void {
    const name = (context: { clientName?: string; commandName?: string }) => ({
      service: (context.clientName ?? 'Unknown').replace(/Client$/, ''),
      operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
    });
    const attempts: Middleware = (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (THROTTLING_ERRORS.has((error as Error).name)) {
          const { service, operation } = name(context);
          const key = `${service}:${operation}`;
          this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
        }
        throw error;
      }
    };
    const billed: Middleware = (next, context) => async (args) => {
      const { service, operation } = name(context);
      let result: { output?: Record<string, unknown> };
      try {
        result = await next(args);
      } catch (error) {
        // A conditional write whose condition fails is still billed, one unit at least.
        if (service.startsWith('DynamoDB') && (error as Error).name === 'ConditionalCheckFailedException')
          this.units.write += 1;
        throw error;
      }
      if (service.startsWith('DynamoDB')) {
        const units = requestUnits(operation, args.input, result.output);
        this.units.read += units.read;
        this.units.write += units.write;
      }
      return result;
    };
    const add = client.middlewareStack.add as (mw: Middleware, options: object) => void;
    // Inside the SDK's retry middleware (added first, at the same step and priority), so once per attempt,
    // and outside the sandbox's fault injection and any modelled throttling (normal or low priority).
    add(attempts, {
      step: 'finalizeRequest',
      priority: 'high',
      name: 'keyReactorBenchThrottles',
      override: true,
    });
    add(billed, { step: 'initialize', name: 'keyReactorBenchUnits', override: true });
  }
}

/** Each Lambda function's invocations and their summed duration, by folder under lambdas/. */
export type LambdaUsage = Record<string, { invocations: number; ms: number }>;

/** Wraps a local invoke (LocalReactor.invoke) to time each invocation, in whatever clock performance.now() runs. */
export class LambdaMeter {
  private usage: LambdaUsage = {};

  clear(): void {
    this.usage = {};
  }

  snapshot(): LambdaUsage {
    return Object.fromEntries(
      Object.entries(this.usage).map(([folder, { invocations, ms }]) => [
        folder,
        { invocations, ms: Math.round(ms) },
      ]),
    );
  }

  wrap<E>(
    invoke: (folder: string, event: E) => Promise<unknown>,
  ): (folder: string, event: E) => Promise<unknown> {
    return async (folder, event) => {
      const started = performance.now();
      try {
        return await invoke(folder, event);
      } finally {
        const entry = this.usage[folder] ?? { invocations: 0, ms: 0 };
        this.usage[folder] = entry;
        entry.invocations++;
        // Lambda bills each invocation rounded up to the millisecond.
        entry.ms += Math.ceil(performance.now() - started);
      }
    };
  }
}

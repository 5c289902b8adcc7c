import type { RetryStrategyV2 } from '@smithy/types';

/**
 * How every AWS SDK client of the reactor is made: from explicit options, never from a module-scope
 * singleton, so that whoever builds the reactor's parts (a Lambda entry point, the CLI, the sandbox, the
 * bench, a test) says where the clients point and what is attached to them.
 */

/** The part of an SDK v3 client an instrument needs: its middleware stack. */
export interface InstrumentableClient {
  readonly middlewareStack: { add: (...args: never[]) => void };
}

/**
 * Something attached to every client built: X-Ray tracing in Lambda; locally a call log, fault
 * injection or the local Step Functions.
 */
export type ClientInstrument = (client: InstrumentableClient) => void;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsOptions {
  /** @default the SDK's own resolution (AWS_REGION, the profile) */
  readonly region?: string;
  /** An endpoint for every service, such as a local moto server. @default AWS's own endpoints */
  readonly endpoint?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: AwsCredentials;
  /** @default the SDK's (3) */
  readonly maxAttempts?: number;
  /** How throttled and failed calls are retried (the bench's scripts bring their own). @default the SDK's standard mode */
  readonly retryStrategy?: RetryStrategyV2;
  /** @default none */
  readonly instrument?: readonly ClientInstrument[];
}

interface ClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials;
  maxAttempts?: number;
  retryStrategy?: RetryStrategyV2;
}

/** A client of `Client` configured from `options`, with every instrument attached. */
export function awsClient<C extends InstrumentableClient>(
  Client: new (config: ClientConfig) => C,
  options: AwsOptions = {},
): C {
  const { instrument = [], region, endpoint, credentials, maxAttempts, retryStrategy } = options;
  const client = new Client({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(retryStrategy ? { retryStrategy } : {}),
  });
  for (const apply of instrument) apply(client);
  return client;
}

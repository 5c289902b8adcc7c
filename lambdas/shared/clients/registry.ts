import { tracer } from '../observability';

/** The part of an SDK v3 client the registry needs: its middleware stack. */
export interface InstrumentableClient {
  readonly middlewareStack: { add: (...args: never[]) => void };
}

const registered: InstrumentableClient[] = [];
const instruments: ((client: InstrumentableClient) => void)[] = [];

/**
 * Every AWS SDK client the handlers use is created once, at module scope, through here: traced by
 * X-Ray in Lambda, and listed so the local sandbox and the benchmark can attach their middleware
 * (counting calls, capturing sent emails, injecting faults) without any seam in the handlers.
 * The SDK reads AWS_ENDPOINT_URL itself, which is how the handlers reach moto locally.
 */
export function reactorClient<T extends InstrumentableClient>(client: T): T {
  tracer.captureAWSv3Client(client);
  registered.push(client);
  for (const instrument of instruments) instrument(client);
  return client;
}

/** Applies `instrument` to every client created so far and to every one created later. Local use only. */
export function instrumentClients(instrument: (client: InstrumentableClient) => void): void {
  instruments.push(instrument);
  for (const client of registered) instrument(client);
}

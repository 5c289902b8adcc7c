import type { ClientInstrument, InstrumentableClient } from '../lambdas/shared/aws';
import { currentExecution } from './execution-context';

/** One AWS API call made by a handler, as the SDK saw it. */
export interface AwsCall {
  readonly service: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly at: number;
  readonly error?: string;
  /** The local execution whose step made the call; absent for calls made outside any (the dispatcher's). */
  readonly execution?: string;
}

type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
  context: { clientName?: string; commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;

/**
 * Records every AWS call the handlers make, through an SDK middleware on the local reactor's clients: the
 * local view of what CloudTrail would show. The sandbox prints it, the tests assert on it (the order
 * of stop calls, the emails sent), the benchmark counts it.
 */
export class AwsCallLog {
  readonly calls: AwsCall[] = [];
  private readonly listeners: ((call: AwsCall) => void)[] = [];

  onCall(listener: (call: AwsCall) => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.calls.length = 0;
  }

  of(operation: string): AwsCall[] {
    return this.calls.filter((call) => call.operation === operation && call.error === undefined);
  }

  private push(call: AwsCall): void {
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
  }

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => this.attach(client);

  private attach(client: InstrumentableClient): void {
    const record: Middleware = (next, context) => async (args) => {
      const base = {
        service: (context.clientName ?? 'Unknown').replace(/Client$/, ''),
        operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
        input: args.input,
        execution: currentExecution.getStore(),
      };
      try {
        const result = await next(args);
        this.push({ ...base, at: Date.now() });
        return result;
      } catch (error) {
        this.push({ ...base, at: Date.now(), error: (error as Error).name });
        throw error;
      }
    };
    (client.middlewareStack.add as (mw: Middleware, options: object) => void)(record, {
      step: 'initialize',
      name: 'keyReactorCallLog',
      override: true,
    });
  }
}

/** The emails the notify step sent, read from the recorded SES calls. */
export interface SentEmail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function sentEmails(log: AwsCallLog): SentEmail[] {
  return log.of('SendEmail').map(({ input }) => {
    const message = input.Message as {
      Subject: { Data: string };
      Body: { Text?: { Data: string }; Html?: { Data: string } };
    };
    return {
      to: ((input.Destination as { ToAddresses?: string[] }).ToAddresses ?? []).slice(),
      subject: message.Subject.Data,
      text: message.Body.Text?.Data ?? '',
      html: message.Body.Html?.Data ?? '',
    };
  });
}

/** A message published to an SNS topic (the operators' channel that does not depend on SES). */
export interface PublishedNotification {
  readonly topic: string;
  readonly subject: string | null;
  readonly message: string;
}

/** What the reactor published to SNS topics, read from its recorded, successful Publish calls. */
export function publishedNotifications(log: AwsCallLog): PublishedNotification[] {
  return log.calls
    .filter((call) => call.service === 'SNS' && call.operation === 'Publish' && call.error === undefined)
    .map(({ input }) => ({
      topic: String(input.TopicArn ?? input.TargetArn ?? input.PhoneNumber ?? ''),
      subject: typeof input.Subject === 'string' ? input.Subject : null,
      message: String(input.Message ?? ''),
    }));
}

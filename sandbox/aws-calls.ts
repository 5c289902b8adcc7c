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
  /** Who signed the call: the reactor's own credentials, or a role session it assumed. */
  readonly signer: Signer;
}

/**
 * The principal behind a call's credentials, as the sandbox saw it hand them out: moto evaluates no IAM
 * policy, so this is what lets a test check that a call was made as the role that AWS would confine.
 */
export interface Signer {
  /** The assumed role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), or OWN_CREDENTIALS. */
  readonly principal: string;
  /** The session tags the reactor asked STS for when it assumed the role. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The signer of a call made with the reactor's own credentials (a function's own role, in AWS). */
export const OWN_CREDENTIALS: Signer = { principal: 'own credentials', tags: {} };

type Credentials = { readonly accessKeyId?: string };
type AssumeRoleInput = { readonly Tags?: readonly { readonly Key?: string; readonly Value?: string }[] };
type AssumeRoleOutput = {
  readonly output?: {
    readonly Credentials?: { readonly AccessKeyId?: string };
    readonly AssumedRoleUser?: { readonly Arn?: string };
  };
};

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
  /** The sessions STS handed the reactor, by access key: kept across `clear`, as the sessions are. */
  private readonly sessions = new Map<string, Signer>();

  onCall(listener: (call: AwsCall) => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.calls.length = 0;
  }

  of(operation: string): AwsCall[] {
    return this.calls.filter((call) => call.operation === operation && call.error === undefined);
  }

  private rememberSession(input: AssumeRoleInput, { output }: AssumeRoleOutput): void {
    const accessKeyId = output?.Credentials?.AccessKeyId;
    if (!accessKeyId) return;
    const tags = Object.fromEntries(
      (input.Tags ?? []).flatMap(({ Key, Value }) => (Key === undefined ? [] : [[Key, Value ?? '']])),
    );
    this.sessions.set(accessKeyId, { principal: output?.AssumedRoleUser?.Arn ?? 'unknown session', tags });
  }

  private push(call: AwsCall): void {
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
  }

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => this.attach(client);

  private attach(client: InstrumentableClient): void {
    const credentials = (client as { config?: { credentials?: () => Promise<Credentials> } }).config
      ?.credentials;
    const record: Middleware = (next, context) => async (args) => {
      const accessKeyId = (await credentials?.())?.accessKeyId;
      const base = {
        service: (context.clientName ?? 'Unknown').replace(/Client$/, ''),
        operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
        input: args.input,
        execution: currentExecution.getStore(),
        signer: (accessKeyId && this.sessions.get(accessKeyId)) || OWN_CREDENTIALS,
      };
      try {
        const result = await next(args);
        if (base.service === 'STS' && base.operation === 'AssumeRole') {
          this.rememberSession(args.input as AssumeRoleInput, result as AssumeRoleOutput);
        }
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

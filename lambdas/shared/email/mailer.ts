import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { chunk } from '../concurrency';
import { AUDIENCES, type Audience, type RenderedEmail } from './types';

/** SES takes at most 50 recipients per message. */
export const MAX_RECIPIENTS = 50;

/** What became of one audience's copy of an email. */
export type CopyOutcome =
  | { readonly status: 'sent'; readonly recipients: number; readonly messageIds: readonly string[] }
  /** SES did not take it (refused, throttled past the SDK's retries, unreachable): worth another try. */
  | { readonly status: 'refused'; readonly recipients: number; readonly reason: string }
  /** Nobody of this audience to send to (none registered, or not asked for). */
  | { readonly status: 'nobody' };

export type Delivery = Readonly<Record<Audience, CopyOutcome>>;

/** One email as each audience reads it: in its own language, with what only it can use (console links). */
export type Copies = Readonly<Record<Audience, RenderedEmail>>;

/** SES did not accept an email that a caller must not lose (the sweep's early warnings, retried next sweep). */
export class EmailNotAcceptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmailNotAcceptedError';
  }
}

export interface MailerOptions {
  /** The verified SES identity every email comes from. */
  readonly senderAddress: string;
  /** The platform's operators, who hear about every key. */
  readonly operatorAddresses: readonly string[];
}

/** Sends the reactor's emails through SES. */
export class Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly options: MailerOptions,
  ) {}

  /** The operators' addresses, as configured. */
  get operators(): readonly string[] {
    return this.options.operatorAddresses;
  }

  /**
   * Sends one rendered email, as UTF-8 text and HTML, in as many messages as SES needs for the
   * recipients. Returns the SES message IDs; sends nothing to an empty list; throws what SES throws.
   */
  async send(recipients: readonly string[], email: RenderedEmail): Promise<string[]> {
    const messageIds: string[] = [];
    for (const batch of chunk(recipients, MAX_RECIPIENTS)) {
      const { MessageId } = await this.ses.send(
        new SendEmailCommand({
          Source: this.options.senderAddress,
          Destination: { ToAddresses: batch },
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        }),
      );
      if (MessageId) messageIds.push(MessageId);
    }
    return messageIds;
  }

  /**
   * Sends the administrators' copy and, when `operators` is true, the operators' copy, as separate
   * messages. An operator who is also among the administrators gets the administrators' copy only.
   * Never throws for SES: each copy's outcome says whether SES took it, so that the caller can keep
   * what it could not send for later instead of failing a workflow over an email.
   */
  async deliver(
    copies: Copies,
    to: { readonly administrators: readonly string[]; readonly operators: boolean },
  ): Promise<Delivery> {
    const administrators = [...new Set(to.administrators)];
    const operators = to.operators
      ? [...new Set(this.options.operatorAddresses)].filter((address) => !administrators.includes(address))
      : [];
    return {
      administrators: await this.copy(administrators, copies.administrators),
      operators: await this.copy(operators, copies.operators),
    };
  }

  private async copy(recipients: readonly string[], email: RenderedEmail): Promise<CopyOutcome> {
    if (recipients.length === 0) return { status: 'nobody' };
    try {
      const messageIds = await this.send(recipients, email);
      return { status: 'sent', recipients: recipients.length, messageIds };
    } catch (error) {
      return { status: 'refused', recipients: recipients.length, reason: describeError(error) };
    }
  }
}

/** The audiences whose copy SES did not take. */
export function refusedAudiences(delivery: Delivery): Audience[] {
  return AUDIENCES.filter((audience) => delivery[audience].status === 'refused');
}

/** Why SES did not take an email, audience by audience, in one line. */
export function refusalOf(delivery: Delivery): string {
  return AUDIENCES.flatMap((audience) => {
    const copy = delivery[audience];
    return copy.status === 'refused' ? [`${audience}: ${copy.reason}`] : [];
  }).join('; ');
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { chunk } from '../concurrency';
import type { RenderedEmail } from './types';

/** SES takes at most 50 recipients per message. */
export const MAX_RECIPIENTS = 50;

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

  /**
   * Sends one rendered email, as UTF-8 text and HTML, in as many messages as SES needs for the
   * recipients. Returns the SES message IDs; sends nothing to an empty list. The caller logs.
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

  /** A key's administrators and the platform's operators, each once: who hears about a key. */
  recipientsFor(administrators: readonly string[]): string[] {
    return [...new Set([...administrators, ...this.options.operatorAddresses])];
  }
}

import { SendEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '../clients/ses';
import { chunk } from '../concurrency';
import { config } from '../config';
import type { RenderedEmail } from './types';

/** SES takes at most 50 recipients per message. */
export const MAX_RECIPIENTS = 50;

/**
 * Sends one rendered email, as UTF-8 text and HTML from the configured sender, in as many messages as SES
 * needs for the recipients. Returns the SES message IDs; sends nothing to an empty list. The caller logs.
 */
export async function sendEmail(recipients: readonly string[], email: RenderedEmail): Promise<string[]> {
  const messageIds: string[] = [];
  for (const batch of chunk(recipients, MAX_RECIPIENTS)) {
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        Source: config.senderAddress(),
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
export function recipientsFor(administrators: readonly string[]): string[] {
  return [...new Set([...administrators, ...config.operatorAddresses()])];
}

/**
 * What the operators are paged with (SNS, plain text) when email could not tell someone. Strings from an
 * event or the registry pass through `oneLine` or come from a text body already written by writers.ts.
 */

import { keyIdOf, shortKeyId } from '../arn';
import type { UndeliveredNews } from '../store/news';
import { oneLine } from './escape';
import type { Delivery } from './mailer';
import type { Audience, RenderedEmail } from './types';

export interface Page {
  readonly subject: string;
  readonly message: string;
}

const WHO: Readonly<Record<Audience, string>> = {
  administrators: "the key's administrators",
  operators: 'the operators',
};

/** What an undelivered email was: its key, the audiences that missed it, and the run it came from, if any. */
export type Undelivered = Pick<UndeliveredNews, 'keyArn' | 'pending' | 'lastError'> & {
  readonly executionArn?: string;
};

/** SES did not take an email for some of its audiences: who missed what, and what the reactor does next. */
export function undeliveredPage(news: Undelivered, email: RenderedEmail, delivery: Delivery): Page {
  const missed = news.pending.map((audience) => {
    const copy = delivery[audience];
    const reason = copy.status === 'refused' ? copy.reason : news.lastError;
    return `- ${WHO[audience]}: ${oneLine(reason, 500)}`;
  });
  return {
    subject: `Key reactor: email about key ${shortKeyId(keyIdOf(news.keyArn))} not delivered`,
    message: [
      `SES did not accept the reactor's email "${email.subject}" about the customer key ${news.keyArn}.`,
      '',
      'Not delivered to:',
      ...missed,
      '',
      'A failed email never delays, fails or skips a stop or a start. The reactor tries again at every ' +
        'sweep until SES accepts it, and then sends the news that still matters; a newer email about the ' +
        "key takes its place. Check the SES sending identity, the account's sandbox status and sending " +
        "quota, and the key's administrator addresses (key-reactor status <keyArn>).",
      ...(news.executionArn ? ['', `Execution: ${oneLine(news.executionArn, 500)}`] : []),
      '',
      'The email, as it would have read:',
      '',
      `Subject: ${email.subject}`,
      '',
      email.text,
    ].join('\n'),
  };
}

/** The key's policy holds addresses SES would refuse: they were left out of its email. */
export function invalidAddressesPage(keyArn: string, invalid: readonly string[], subject: string): Page {
  return {
    subject: `Key reactor: invalid administrator address for key ${shortKeyId(keyIdOf(keyArn))}`,
    message: [
      `The policy of the customer key ${keyArn} holds administrator addresses that are not email ` +
        'addresses SES accepts. They were left out of the email sent now, and will be from every email ' +
        'until the list is set again:',
      ...invalid.map((address) => `- "${oneLine(address, 320)}"`),
      '',
      `The email they missed: "${subject}".`,
      'Set the list again with: key-reactor register <keyArn> <resourceArn>... --admin <email> (repeat ' +
        '--admin for each administrator; the option replaces the list).',
    ].join('\n'),
  };
}

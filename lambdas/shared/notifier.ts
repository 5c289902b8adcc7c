import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { logger } from './observability';

/** SNS refuses a subject of 100 characters or more, or one with anything but printable ASCII. */
const MAX_SUBJECT_LENGTH = 99;
/** SNS takes 256 KB per message; a page is read by a person long before that. */
const MAX_MESSAGE_LENGTH = 64 * 1024;

export interface NotifierOptions {
  /**
   * The operators' SNS topic (the construct's alarm topic, every operator subscribed). Without one a
   * page is logged as an error and nothing is published.
   */
  readonly topicArn?: string;
}

/**
 * Pages the platform's operators through their SNS topic: the channel that does not depend on SES, for
 * what email could not tell anyone (an email SES refused, a stored address SES would refuse) and for
 * what must wake someone (the circuit breaker).
 */
export class Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly options: NotifierOptions,
  ) {}

  /**
   * Publishes one page. Returns whether SNS accepted it, and never throws for SNS or the network: a
   * page reports a failure elsewhere, and its own failure must not become the caller's (it is logged
   * at error level, where the function's error alarms and log searches find it).
   */
  async page(subject: string, message: string): Promise<boolean> {
    const { topicArn } = this.options;
    const safeSubject = snsSubject(subject);
    if (!topicArn) {
      logger.error('Operators not paged: no notification topic is configured', {
        subject: safeSubject,
        message,
      });
      return false;
    }
    try {
      const { MessageId } = await this.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: safeSubject,
          Message: snsMessage(message),
        }),
      );
      logger.info('Operators paged', { subject: safeSubject, messageId: MessageId });
      return true;
    } catch (error) {
      logger.error('Operators could not be paged: SNS refused the message', {
        subject: safeSubject,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return false;
    }
  }
}

/** A subject SNS accepts: printable ASCII on one line, starting with a letter, digit or punctuation, under 100 characters. */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const subject = ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
  return subject.length > 0 ? subject : 'Key reactor';
}

function snsMessage(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

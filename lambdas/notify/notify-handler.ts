import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { renderEmail } from '../shared/email/render';
import { EMAIL_TEMPLATES, type EmailTemplate } from '../shared/email/types';
import type { KeyEvent } from '../shared/model';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { KeyEventInput, SkippedResource, StepError, StepInput } from '../shared/step-input';
import { POLICY_ACTIONS } from '../shared/store/policy';

const NotifyInput = StepInput.extend({
  executionArn: z.string().min(1),
  template: z.enum(EMAIL_TEMPLATES),
  event: KeyEventInput,
  graceSeconds: z.number().int().min(0).optional(),
  action: z.enum(POLICY_ACTIONS).optional(),
  skipped: z.object({ services: z.array(SkippedResource), servers: z.array(SkippedResource) }).optional(),
  error: StepError.optional(),
});
type NotifyInput = z.infer<typeof NotifyInput>;

export function createNotifyHandler({
  store,
  keys,
  mailer,
  clock,
}: Pick<ReactorParts, 'store' | 'keys' | 'mailer' | 'clock'>) {
  /** Failures go to the platform's operators only; everything else also to the key's administrators. */
  const recipientsOf = async (template: EmailTemplate, keyArn: string): Promise<string[]> =>
    mailer.recipientsFor(template === 'workflow-failed' ? [] : await store.registry.administrators(keyArn));

  const lambdaHandler = async (input: NotifyInput) => {
    const { keyArn, template } = input;
    // One email per real change of the key: a duplicate or reordered event, or a retried step, sends none.
    const decision = await store.emailLog.claim({
      keyArn,
      executionName: input.executionName,
      template,
      eventTime: input.event.eventTime,
      // Unreadable counts as unusable: better one email too many than a grace period nobody hears of.
      keyUsable: () =>
        keys.state(keyArn).then(
          ({ usable }) => usable,
          () => false,
        ),
    });
    if (!decision.send) {
      logger.info('Email not sent: already sent for this change of the key', {
        template,
        reason: decision.reason,
      });
      return { sent: 0, suppressed: decision.reason };
    }
    // A restore email lists what this run saw restored (what could not be, it names as skipped); the others, what is registered.
    const resources =
      template === 'service-restored'
        ? await store.ledger.restoredBy(keyArn, input.executionName)
        : await store.registry.list(keyArn);
    const email = renderEmail({
      template,
      event: input.event as KeyEvent,
      resources,
      graceSeconds: input.graceSeconds,
      action: input.action,
      skipped: input.skipped ? [...input.skipped.services, ...input.skipped.servers] : undefined,
      error: input.error,
      executionArn: input.executionArn,
      now: clock(),
    });
    const recipients = await recipientsOf(template, keyArn);
    if (recipients.length === 0) {
      logger.warn('Nobody to email: no administrators registered for the key and no operators configured', {
        template,
      });
      return { sent: 0, subject: email.subject };
    }
    const messageIds = await mailer.send(recipients, email);
    // SES took it: a failure to record that must not fail the step, or its retry would send it again.
    await decision
      .sent()
      .catch((error: unknown) =>
        logger.warn('Email sent but not recorded as sent', { template, error: String(error) }),
      );
    logger.info('Email sent', {
      template,
      subject: email.subject,
      recipients: recipients.length,
      messageIds,
    });
    return { sent: recipients.length, subject: email.subject };
  };

  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: NotifyInput }));
}

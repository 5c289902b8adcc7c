import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { Courier } from '../shared/email/courier';
import { EMAIL_TEMPLATES } from '../shared/email/types';
import type { KeyEvent, Trigger } from '../shared/model';
import { logger, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { workflowEvent, workflowResources } from '../shared/reactor-events';
import { KeyEventInput, SkippedResource, StepError, StepInput } from '../shared/step-input';
import { POLICY_ACTIONS } from '../shared/store/policy';

const NotifyInput = StepInput.extend({
  executionArn: z.string().min(1),
  template: z.enum(EMAIL_TEMPLATES),
  event: KeyEventInput,
  graceSeconds: z.number().int().min(0).optional(),
  action: z.enum(POLICY_ACTIONS).optional(),
  // The describe-key step's word for a shutdown the reactor held back; null when it held nothing back.
  heldBack: z.enum(['paused', 'breaker', 'unconfirmed']).nullable().optional(),
  skipped: z.object({ services: z.array(SkippedResource), servers: z.array(SkippedResource) }).optional(),
  error: StepError.optional(),
});
type NotifyInput = z.infer<typeof NotifyInput>;

/**
 * Emails the key's administrators and the operators (each their own message), and puts the same news
 * on the platform bus as a reactor event (reactor-events.ts). An email SES does not accept does not fail
 * the step: the courier keeps it for the sweep and pages the operators, and the workflow goes on. Nor
 * does an event EventBridge does not take: the publisher logs and counts it, and never throws.
 */
export function createNotifyHandler(
  parts: Pick<ReactorParts, 'store' | 'resources' | 'keys' | 'mailer' | 'notifier' | 'publisher' | 'clock'>,
) {
  const { store, keys, publisher } = parts;
  const courier = new Courier({
    store: parts.store,
    resources: parts.resources,
    mailer: parts.mailer,
    notifier: parts.notifier,
    clock: parts.clock,
    aliasOf: (keyArn) => keys.alias(keyArn),
  });

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
    const skipped = input.skipped ? [...input.skipped.services, ...input.skipped.servers] : undefined;
    const outcome = await courier.send(
      {
        keyArn,
        template,
        executionName: input.executionName,
        executionArn: input.executionArn,
        event: input.event as KeyEvent,
        graceSeconds: input.graceSeconds,
        action: input.action,
        heldBack: input.heldBack ?? undefined,
        skipped,
        error: input.error,
      },
      decision,
    );
    if (outcome.sent > 0) {
      logger.info('Email sent', { template, subject: outcome.subject, recipients: outcome.sent });
    }
    // After the email, whatever SES said: the event tells the change, once, as the email log decided.
    const published = await publisher.publish([
      workflowEvent({
        template,
        keyArn,
        trigger: input.event.trigger as Trigger,
        keyChangedAt: input.event.eventTime,
        executionName: input.executionName,
        executionArn: input.executionArn,
        resources: workflowResources(template, outcome.resources, { action: input.action, skipped }),
        occurredAt: parts.clock(),
        graceSeconds: input.graceSeconds,
        action: input.action,
        heldBack: input.heldBack ?? undefined,
        error: input.error,
      }),
    ]);
    return {
      sent: outcome.sent,
      subject: outcome.subject,
      published: published.published,
      ...(outcome.undelivered.length > 0 ? { undelivered: outcome.undelivered, paged: outcome.paged } : {}),
    };
  };

  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: NotifyInput }));
}

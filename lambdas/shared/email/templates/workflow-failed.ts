/** Sent to the operators when a workflow ends with an error: what failed, and what to look at first. */

import { shortKeyId } from '../../arn';
import { type Email, facts, heading, list, paragraph } from '../blocks';
import { wordingFor } from '../i18n';
import type { EmailContext } from '../types';
import { followTheRun } from './sections';
import { eventTime } from './words';

export function workflowFailed(context: EmailContext): Email {
  const { event } = context;
  const w = wordingFor(context.language);
  const s = w.workflowFailed;
  const key = shortKeyId(event.keyId);
  const errorName = context.error?.Error ?? s.unknownError;
  const cause = context.error?.Cause ?? '';
  const message = causeMessage(cause);
  const direction = event.workflow === 'disable' ? 'shutdown' : 'restart';
  const advice = s.advice[errorName];
  return {
    subject: s.subject(direction, key, errorName),
    title: s.title(direction, key),
    blocks: [
      paragraph(
        s.paragraph(
          direction,
          event.keyArn,
          event.trigger,
          eventTime(w, event.eventTime),
          w.time(context.now),
        ),
      ),
      facts([
        [s.error, errorName],
        ...(message ? ([[s.message, message]] as const) : []),
        [s.key, event.keyArn],
        [s.trigger, s.triggerOf(event.trigger, event.eventId)],
      ]),
      ...(cause ? [heading(s.cause), { kind: 'preformatted', text: cause } as const] : []),
      heading(s.whatToCheck),
      list([...(advice ? [advice] : []), ...s.always]),
      ...followTheRun(w, context),
    ],
  };
}

/** A Lambda failure's Cause is JSON with an errorMessage: the one line worth reading first. */
function causeMessage(cause: string): string | null {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
      const { errorMessage } = parsed as { errorMessage: unknown };
      return typeof errorMessage === 'string' ? errorMessage : null;
    }
  } catch {
    // A plain-text cause is shown as it is.
  }
  return null;
}

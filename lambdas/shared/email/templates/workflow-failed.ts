/** Sent to the operators when a workflow ends with an error: what failed, and what to look at first. */

import { type Email, facts, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { formatEventTime, formatTime, keyLabel } from '../wording';
import { followTheRun } from './sections';

export function workflowFailed(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const errorName = context.error?.Error ?? 'Unknown error';
  const cause = context.error?.Cause ?? '';
  const message = causeMessage(cause);
  const action = event.workflow === 'disable' ? 'shutdown' : 'restart';
  return {
    subject: `Action needed: key reactor ${action} failed for key ${key} (${errorName})`,
    title: `The ${action} run for key ${key} failed`,
    blocks: [
      paragraph(
        `The reactor's ${event.workflow} workflow for the customer key ${event.keyArn}, started by ` +
          `${event.trigger} at ${formatEventTime(event.eventTime)}, ended with an error at ${formatTime(context.now)}. ` +
          `The key's resources may be partly ${event.workflow === 'disable' ? 'stopped' : 'started'}.`,
      ),
      facts([
        ['Error', errorName],
        ...(message ? ([['Message', message]] as const) : []),
        ['Key', event.keyArn],
        ['Trigger', `${event.trigger} (event ${event.eventId})`],
      ]),
      ...(cause ? [heading('Cause'), { kind: 'preformatted', text: cause } as const] : []),
      heading('What to check'),
      list([
        ...adviceFor(errorName),
        "The execution's event history shows the step that failed and its input.",
        "The key's ledger in the reactor's table lists what the reactor has stopped so far.",
        'Once the cause is fixed, start an execution of the same state machine with the same input and a ' +
          'new name: every step is safe to run again.',
      ]),
      ...followTheRun(context),
    ],
  };
}

/** What an operator should look at first for the errors the workflows raise on purpose. */
function adviceFor(errorName: string): string[] {
  switch (errorName) {
    case 'KeyAccessDeniedError':
      return ["The key's policy or grants: the platform's role may no longer describe the key."];
    case 'LeaseTakenError':
      return ['Another execution for the same key: it held the lease for the whole retry period.'];
    case 'ThrottlingError':
    case 'TransientError':
      return ['AWS service health and quotas in the Region: the calls kept failing after every retry.'];
    case 'UnsupportedResourceError':
    case 'InvalidInputError':
      return ["The key's registered resources: one of them is not a kind the reactor supports."];
    case 'ConfigurationError':
      return ["The function's environment variables, as set by the deployment."];
    case 'States.Timeout':
    case 'States.TaskFailed':
      return ['The resources that did not reach the expected state: their status in their own console.'];
    default:
      return [];
  }
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

/** Sent when a key becomes unusable: what will stop and when, unless the key is usable again by then. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { count, formatClock, formatDuration, formatTime, keyChanged, whatHappened } from '../wording';
import { recoveryOf } from './recovery';
import { resourcesAtRisk } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';

export function graceStarted(context: EmailContext): Email {
  const { event, resources } = context;
  const alertOnly = context.action === 'alert-only';
  const stopAt =
    context.graceSeconds !== undefined && Number.isFinite(context.graceSeconds)
      ? new Date(context.now.getTime() + context.graceSeconds * 1000)
      : null;
  const when = stopAt ? `at ${formatTime(stopAt)}` : 'after the grace period';
  const affected = count(resources.length, 'resource');
  const recovery = recoveryOf(event);
  const deadline = stopAt
    ? `by ${formatTime(stopAt)} (in ${formatDuration(context.graceSeconds ?? 0)})`
    : 'before the grace period ends';
  const checkAgain = stopAt
    ? `At ${formatTime(stopAt)} the reactor reads the key's state again.`
    : "When the grace period ends, the reactor reads the key's state again.";
  return {
    subject: alertOnly
      ? `${keyChanged(event)}: ${affected} affected, none will stop (alert-only)`
      : `${keyChanged(event)}: ${affected} ${resources.length === 1 ? 'stops' : 'stop'} ${
          stopAt ? `at ${formatClock(stopAt)}` : 'after the grace period'
        }`,
    title: alertOnly
      ? `${keyChanged(event)}: its resources keep running (alert-only policy)`
      : `${keyChanged(event)}: its resources stop ${when}`,
    blocks: [
      paragraph(
        `${whatHappened(event)}. ` +
          'The platform can no longer decrypt the data of the resources that depend on it. ' +
          (alertOnly
            ? "The key's policy is alert-only, so the reactor will not stop them: they keep running, and may " +
              'fail as they lose access to their data.'
            : `Unless the key is usable again ${deadline}, the reactor will stop them cleanly: the services ` +
              'first, then the servers that run them. Nothing is deleted.'),
      ),
      resourcesAtRisk(resources, alertOnly),
      heading('What happens next'),
      list(
        alertOnly
          ? [
              checkAgain,
              'If the key is usable by then, you get one more email saying so.',
              "If it is not, the reactor still stops nothing (the key's policy is alert-only) and emails you " +
                'that the resources were left running.',
            ]
          : [
              checkAgain,
              'If the key is usable by then, nothing stops, and you get one more email saying so.',
              'If it is not, the reactor stops the services, then the servers, and emails you what it stopped. ' +
                'When the key is usable again, it starts them again by itself.',
            ],
      ),
      ...whoChanged(event),
      ...howToRecover('How to undo it', recovery),
      ...(recovery.commands.length > 0 && !alertOnly
        ? [
            paragraph(
              `If the key is usable again ${stopAt ? `before ${formatTime(stopAt)}` : 'in time'}, nothing stops.`,
            ),
          ]
        : []),
      ...followTheRun(context),
    ],
  };
}

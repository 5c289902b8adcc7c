/** Sent at the end of the grace period for a key whose policy is alert-only: nothing was stopped. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { count, formatTime, keyChanged, whatHappened } from '../wording';
import { recoveryOf } from './recovery';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';

export function alertOnly(context: EmailContext): Email {
  const { event } = context;
  const resources = servicesFirst(context.resources);
  // An urgent event (a deleted key) had no grace period to wait out.
  const stillUnusable = event.urgent
    ? ''
    : ` and was still not usable at the end of the grace period (checked at ${formatTime(context.now)})`;
  return {
    subject: `${keyChanged(event)}: ${count(resources.length, 'resource')} left running (alert-only)`,
    title: `${keyChanged(event)}: nothing was stopped (alert-only policy)`,
    blocks: [
      paragraph(
        `${whatHappened(event)}${stillUnusable}. The key's policy is alert-only, so the reactor stopped ` +
          'nothing. The resources below keep running, but the platform can no longer decrypt their data: ' +
          'expect errors from them until the key is usable again.',
      ),
      resourceTable('Resources left running', resources),
      heading('What happens next'),
      list([
        'Nothing more happens by itself: the reactor does not stop the resources of an alert-only key.',
        'When the key is usable again, nothing needs restarting, because nothing was stopped.',
        'If these resources must not run without their data, stop them yourself.',
      ]),
      ...howToRecover('How to undo it', recoveryOf(event)),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

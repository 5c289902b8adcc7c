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
  const why = WHY[context.heldBack ?? 'policy'];
  return {
    subject: `${keyChanged(event)}: ${count(resources.length, 'resource')} left running (${why.tag})`,
    title: `${keyChanged(event)}: nothing was stopped (${why.title})`,
    blocks: [
      paragraph(
        `${whatHappened(event)}${stillUnusable}. ${why.reason} ` +
          'The resources below keep running, but the platform can no longer decrypt their data: ' +
          'expect errors from them until the key is usable again.',
      ),
      resourceTable('Resources left running', resources),
      heading('What happens next'),
      list([
        why.next,
        'When the key is usable again, nothing needs restarting, because nothing was stopped.',
        'If these resources must not run without their data, stop them yourself.',
      ]),
      ...howToRecover('How to undo it', recoveryOf(event)),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

/**
 * Why nothing was stopped: the key's own policy, the reactor holding every shutdown back, or a
 * revocation of the platform's access not yet confirmed by a second check.
 */
const WHY: Readonly<
  Record<
    'policy' | 'paused' | 'breaker' | 'unconfirmed',
    { readonly tag: string; readonly title: string; readonly reason: string; readonly next: string }
  >
> = {
  policy: {
    tag: 'alert-only',
    title: 'alert-only policy',
    reason: "The key's policy is alert-only, so the reactor stopped nothing.",
    next: 'Nothing more happens by itself: the reactor does not stop the resources of an alert-only key.',
  },
  paused: {
    tag: 'reactor paused',
    title: 'the reactor is paused',
    reason:
      "The reactor is paused: nothing was stopped. The platform's operators paused it, and it stops " +
      'nothing for any key until they resume it.',
    next: 'When the operators resume the reactor, it stops these resources, unless the key is usable again by then.',
  },
  breaker: {
    tag: 'shutdown held back',
    title: 'shutdown held back',
    reason:
      "The reactor's circuit breaker held the shutdown back: nothing was stopped. More keys became " +
      "unusable within an hour than the platform lets the reactor act on alone, so it stopped acting and paged the platform's operators.",
    next: "When the platform's operators resume the reactor, it stops these resources, unless the key is usable again by then.",
  },
  unconfirmed: {
    tag: 'access revoked, not yet confirmed',
    title: 'access revoked, not yet confirmed',
    reason:
      'The platform was first refused the key less than a grace period ago: the reactor stops resources for ' +
      'revoked access only when two checks at least a grace period apart are both refused, so that a key ' +
      'policy being fixed is given its grace period too.',
    next: 'If the platform is still refused the key at the next check, the reactor starts the grace period for these resources.',
  },
};

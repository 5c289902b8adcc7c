/**
 * The resources encrypted with the key that the reactor cannot stop (cannot-stop.ts), as the sweep last
 * recorded them: named in every email that concerns a shutdown, so nobody reads "stopped" and assumes
 * everything is.
 */

import { resourceIdOf } from '../../arn';
import { type Block, heading, paragraph } from '../blocks';
import type { CannotStopMoment, Wording } from '../i18n';
import type { EmailContext } from '../types';

/** The ARNs the email names as cannot be stopped: left out of the list of what will stop. */
export function cannotStopArns(context: EmailContext): ReadonlySet<string> {
  return new Set((context.cannotStop ?? []).map((resource) => resource.resourceArn));
}

/**
 * The section, or nothing when there is nothing to name. `leaveOut`: resources the email names already
 * with why (a registered read replica the run skipped). The list unread: a line saying where to see it,
 * except in the restore email, which has no shutdown to warn about.
 */
export function cannotStopSection(
  w: Wording,
  context: EmailContext,
  moment: CannotStopMoment,
  leaveOut: ReadonlySet<string> = new Set(),
): Block[] {
  const s = w.cannotStop;
  if (context.cannotStopUnread) {
    return moment === 'service-restored'
      ? []
      : [heading(s.heading), paragraph(s.unread(context.event.keyArn))];
  }
  const resources = (context.cannotStop ?? []).filter((resource) => !leaveOut.has(resource.resourceArn));
  if (resources.length === 0) return [];
  return [
    heading(s.heading),
    paragraph(s.intro(moment)),
    {
      kind: 'table',
      caption: s.caption,
      columns: s.columns,
      rows: resources.map((resource) => [
        resource.kind,
        resourceIdOf(resource.resourceArn),
        resource.resourceArn,
        s.why(resource.reason),
      ]),
    },
  ];
}

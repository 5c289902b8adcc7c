/** Sent when a key becomes unusable: what will stop and when, unless the key is usable again by then. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { cannotStopArns, cannotStopSection } from './cannot-stop';
import { estimateSection } from './estimate';
import { recoveryOf } from './recovery';
import { resourcesAtRisk } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';
import { eventWords } from './words';

export function graceStarted(context: EmailContext): Email {
  const { event, now } = context;
  // What the reactor cannot stop is named in its own section, not among what will stop.
  const unstoppable = cannotStopArns(context);
  const resources = context.resources.filter((resource) => !unstoppable.has(resource.resourceArn));
  const { w, keyChanged, happened } = eventWords(event, context.language, context.keyAlias);
  const alertOnly = context.action === 'alert-only';
  const stopAt =
    context.graceSeconds !== undefined && Number.isFinite(context.graceSeconds)
      ? new Date(now.getTime() + context.graceSeconds * 1000)
      : null;
  const at = stopAt ? w.time(stopAt) : null;
  const affected = w.resources(resources.length);
  const recovery = recoveryOf(w, event);
  const s = w.graceStarted;
  return {
    subject: alertOnly
      ? s.subjectAlertOnly(keyChanged, affected)
      : s.subject(keyChanged, affected, resources.length, stopAt ? w.subjectTime(stopAt, now) : null),
    title: w.headline(keyChanged, alertOnly ? s.titleAlertOnly : s.title(at)),
    blocks: [
      paragraph(
        s.paragraph(happened, at ? { at, in: w.duration(context.graceSeconds ?? 0) } : null, alertOnly),
      ),
      // What the reader can do comes first: undoing the change in time is the point of the grace period.
      ...howToRecover(w.sections.howToUndo, recovery),
      ...(recovery.commands.length > 0 && !alertOnly ? [paragraph(s.inTime(at))] : []),
      resourcesAtRisk(w, resources, alertOnly),
      ...(alertOnly ? [] : estimateSection(w, resources, 'stopped')),
      ...cannotStopSection(w, context, 'grace-started'),
      heading(w.sections.whatHappensNext),
      list([s.checkAgain(at), ...(alertOnly ? s.nextAlertOnly : s.next)]),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

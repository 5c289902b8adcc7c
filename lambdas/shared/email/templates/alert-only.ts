/** Sent at the end of the grace period for a key whose policy is alert-only: nothing was stopped. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { cannotStopSection } from './cannot-stop';
import { recoveryOf } from './recovery';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';
import { eventWords } from './words';

export function alertOnly(context: EmailContext): Email {
  const { event } = context;
  const { w, keyChanged, happened } = eventWords(event, context.language, context.keyAlias);
  const s = w.alertOnly;
  const resources = servicesFirst(context.resources);
  const why = s.heldBack[context.heldBack ?? 'policy'];
  return {
    subject: s.subject(keyChanged, w.resources(resources.length), why.tag),
    title: w.headline(keyChanged, s.title(why.title)),
    blocks: [
      // An urgent event (a deleted key) had no grace period to wait out.
      paragraph(s.paragraph(happened, event.urgent ? null : w.time(context.now), why.reason)),
      ...howToRecover(w.sections.howToUndo, recoveryOf(w, event)),
      resourceTable(w, w.tables.leftRunning, resources),
      // A registered replica is left running like the rest: listed once, in the table above.
      ...cannotStopSection(
        w,
        context,
        'alert-only',
        new Set(resources.map((resource) => resource.resourceArn)),
      ),
      heading(w.sections.whatHappensNext),
      list([why.next, s.nothingToRestart, s.stopThemYourself]),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

/** Sent when a key is usable again while the reactor is paused: nothing the reactor stopped was started. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, whoChanged } from './sections';
import { eventWords } from './words';

export function startHeldBack(context: EmailContext): Email {
  const { event } = context;
  const { w, keyChanged, happened } = eventWords(event, context.language, context.keyAlias);
  const s = w.startHeldBack;
  const resources = servicesFirst(context.resources);
  return {
    subject: s.subject(keyChanged, w.resources(resources.length)),
    title: w.headline(keyChanged, s.title),
    blocks: [
      paragraph(s.paragraph(happened)),
      resourceTable(w, w.tables.stillStopped, resources),
      heading(w.sections.whatHappensNext),
      list(s.next),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

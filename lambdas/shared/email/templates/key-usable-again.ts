/** Sent when the grace period ends with the key usable again: nothing was stopped. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, whoChanged } from './sections';
import { eventWords } from './words';

export function keyUsableAgain(context: EmailContext): Email {
  const { event } = context;
  const { w, key, happened } = eventWords(event, context.language, context.keyAlias);
  const headline = w.keyUsableAgain.headline(key);
  return {
    subject: headline,
    title: headline,
    blocks: [
      paragraph(w.keyUsableAgain.paragraph(happened, w.time(context.now))),
      ...(context.resources.length > 0
        ? [resourceTable(w, w.tables.keptRunning, servicesFirst(context.resources))]
        : []),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

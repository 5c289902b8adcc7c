/** Sent when the key is usable again and the reactor has started what it had stopped. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { cannotStopSection } from './cannot-stop';
import { runReport } from './resource-tables';
import { followTheRun, whoChanged } from './sections';
import { eventWords } from './words';

export function serviceRestored(context: EmailContext): Email {
  const { event } = context;
  const { w, key, arn } = eventWords(event, context.language, context.keyAlias);
  const report = runReport(w, context, 'restart');
  return {
    subject: w.serviceRestored.subject(key, report.tally),
    title: w.serviceRestored.title(key),
    blocks: [
      paragraph(w.serviceRestored.paragraph(arn)),
      ...report.blocks,
      ...cannotStopSection(w, context, 'service-restored'),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

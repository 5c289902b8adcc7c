/** Sent when the reactor has stopped a key's resources: what it stopped, and how to bring them back. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { cannotStopSection } from './cannot-stop';
import { estimateSection } from './estimate';
import { recoveryOf } from './recovery';
import { runReport } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';
import { eventWords } from './words';

export function shutdownComplete(context: EmailContext): Email {
  const { event } = context;
  const { w, keyChanged, happened } = eventWords(event, context.language, context.keyAlias);
  const recovery = recoveryOf(w, event);
  const report = runReport(w, context, 'shutdown');
  return {
    subject: w.headline(keyChanged, report.tally),
    title: w.headline(keyChanged, w.shutdownComplete.title),
    blocks: [
      paragraph(w.shutdownComplete.paragraph(happened)),
      ...howToRecover(w.sections.howToBringBack, recovery),
      ...(recovery.commands.length > 0 ? [paragraph(w.shutdownComplete.afterEnable)] : []),
      ...report.blocks,
      // The restart is the reader's next question: how long it will take once the key is back.
      ...estimateSection(w, context.resources, 'running'),
      // A registered replica the run skipped is listed with why already, under what needs attention.
      ...cannotStopSection(
        w,
        context,
        'shutdown-complete',
        new Set((context.skipped ?? []).map((item) => item.resourceArn)),
      ),
      ...whoChanged(w, event),
      ...followTheRun(w, context),
    ],
  };
}

/** Sent when the key is usable again and the reactor has started what it had stopped. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { keyLabel } from '../wording';
import { runReport } from './resource-tables';
import { followTheRun, whoChanged } from './sections';

export function serviceRestored(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const report = runReport(context, 'restart');
  return {
    subject: `Key ${key} is usable again: ${report.tally}`,
    title: `Key ${key} is usable again: service is restored`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} is usable again, so the reactor started the resources it had stopped: ` +
          'the servers first, then the services they run. ' +
          'Resources stopped by anyone else were left as they were.',
      ),
      ...report.blocks,
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

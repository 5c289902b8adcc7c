/** Sent when the grace period ends with the key usable again: nothing was stopped. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { formatTime, keyLabel, whatHappened } from '../wording';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, whoChanged } from './sections';

export function keyUsableAgain(context: EmailContext): Email {
  const { event } = context;
  const headline = `Key ${keyLabel(event.keyId)} is usable again: nothing was stopped`;
  return {
    subject: headline,
    title: headline,
    blocks: [
      paragraph(
        `${whatHappened(event)}, ` +
          `and was usable again when the grace period ended (checked at ${formatTime(context.now)}). ` +
          'The reactor stopped nothing. No action is needed.',
      ),
      ...(context.resources.length > 0
        ? [resourceTable('Resources that kept running', servicesFirst(context.resources))]
        : []),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

/** Sent when a key is usable again while the reactor is paused: nothing the reactor stopped was started. */

import { type Email, heading, list, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { count, keyChanged, whatHappened } from '../wording';
import { resourceTable, servicesFirst } from './resource-tables';
import { followTheRun, whoChanged } from './sections';

export function startHeldBack(context: EmailContext): Email {
  const { event } = context;
  const resources = servicesFirst(context.resources);
  return {
    subject: `${keyChanged(event)}: ${count(resources.length, 'resource')} not restarted (reactor paused)`,
    title: `${keyChanged(event)}: nothing was started (the reactor is paused)`,
    blocks: [
      paragraph(
        `${whatHappened(event)}. The reactor is paused: nothing was started. The platform's operators ` +
          'paused it, and it starts nothing for any key until they resume it.',
      ),
      resourceTable('Resources the reactor stopped, still stopped', resources),
      heading('What happens next'),
      list([
        'When the operators resume the reactor, it starts these resources again, if the key is still usable then.',
        "If they must run sooner, ask the platform's operators to resume the reactor.",
      ]),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

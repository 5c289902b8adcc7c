/** Sent when the reactor has stopped a key's resources: what it stopped, and how to bring them back. */

import { type Email, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { keyChanged, whatHappened } from '../wording';
import { recoveryOf } from './recovery';
import { runReport } from './resource-tables';
import { followTheRun, howToRecover, whoChanged } from './sections';

export function shutdownComplete(context: EmailContext): Email {
  const { event } = context;
  const recovery = recoveryOf(event);
  const report = runReport(context, 'shutdown');
  return {
    subject: `${keyChanged(event)}: ${report.tally}`,
    title: `${keyChanged(event)}: its resources are stopped`,
    blocks: [
      paragraph(
        `${whatHappened(event)} ` +
          `and was still not usable at the end of the grace period, so the reactor stopped the resources that ` +
          'depend on it: the services first, then the servers. Nothing was deleted: every resource keeps its ' +
          'data and configuration.',
      ),
      ...report.blocks,
      ...howToRecover('How to bring service back', recovery),
      ...(recovery.commands.length > 0
        ? [
            paragraph(
              'Once the key is usable, the reactor starts the servers, then the services, by itself, and emails ' +
                'you when they are back. It starts only what it stopped.',
            ),
          ]
        : []),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

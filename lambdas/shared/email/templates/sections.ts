/** Sections several templates end with: how to recover, who changed the key, where to follow the run. */

import { executionConsoleUrl } from '../../arn';
import { type KeyEvent, SWEEP_FINDINGS, type Trigger } from '../../model';
import { type Block, commands, facts, heading, paragraph } from '../blocks';
import type { EmailContext } from '../types';
import { formatEventTime } from '../wording';
import type { Recovery } from './recovery';

/** A user agent is free text its sender picks; past this length it only buries the rest of the facts. */
const MAX_USER_AGENT_LENGTH = 120;

export function howToRecover(title: string, recovery: Recovery): Block[] {
  return [heading(title), paragraph(recovery.summary), ...commands(recovery.commands)];
}

export function whoChanged(event: KeyEvent): Block[] {
  const { actor } = event;
  return [
    heading('Who changed the key'),
    actor
      ? facts([
          ['Who', actor.arn ?? 'unknown'],
          ['From', actor.sourceIp ?? 'unknown'],
          ['Using', actor.userAgent ?? 'unknown', MAX_USER_AGENT_LENGTH],
          ['When', formatEventTime(event.eventTime)],
          ['Event', `${event.trigger}, event ${event.eventId}`],
        ])
      : isSweepFinding(event.trigger)
        ? facts([
            ['Who', 'Unknown: no KMS event reached the reactor, the periodic sweep found the change'],
            ['When', `Found at ${formatEventTime(event.eventTime)}; the change itself happened before`],
            ['Event', `${event.trigger}, event ${event.eventId}`],
          ])
        : facts([
            ['Who', `AWS KMS itself (${event.trigger}), not a person`],
            ['When', formatEventTime(event.eventTime)],
            ['Event', event.eventId],
          ]),
  ];
}

function isSweepFinding(trigger: Trigger): boolean {
  return (SWEEP_FINDINGS as readonly string[]).includes(trigger);
}

export function followTheRun(context: EmailContext): Block[] {
  const href = executionConsoleUrl(context.executionArn);
  return [
    heading('Follow the run'),
    href
      ? { kind: 'link', text: 'Open the execution in the Step Functions console', href }
      : paragraph(`Execution: ${context.executionArn}`),
  ];
}

/** Sections several templates share: how to recover, who changed the key, where to follow the run. */

import { executionConsoleUrl } from '../../arn';
import { type KeyEvent, SWEEP_FINDINGS, type Trigger } from '../../model';
import { type Block, commands, facts, heading, paragraph } from '../blocks';
import type { Wording } from '../i18n';
import type { EmailContext } from '../types';
import type { Recovery } from './recovery';
import { eventTime } from './words';

/** A user agent is free text its sender picks; past this length it only buries the rest of the facts. */
const MAX_USER_AGENT_LENGTH = 120;

export function howToRecover(title: string, recovery: Recovery): Block[] {
  return [heading(title), paragraph(recovery.summary), ...commands(recovery.commands)];
}

export function whoChanged(w: Wording, event: KeyEvent): Block[] {
  const { actor } = event;
  const s = w.sections;
  const when = eventTime(w, event.eventTime);
  return [
    heading(s.whoChanged),
    actor
      ? facts([
          [s.who, actor.arn ?? s.unknown],
          [s.from, actor.sourceIp ?? s.unknown],
          [s.using, actor.userAgent ?? s.unknown, MAX_USER_AGENT_LENGTH],
          [s.when, when],
          [s.event, s.eventOf(event.trigger, event.eventId)],
        ])
      : isSweepFinding(event.trigger)
        ? facts([
            [s.who, s.sweepWho],
            [s.when, s.sweepWhen(when)],
            [s.event, s.eventOf(event.trigger, event.eventId)],
          ])
        : facts([
            [s.who, s.kmsItself(event.trigger)],
            [s.when, when],
            [s.event, event.eventId],
          ]),
  ];
}

function isSweepFinding(trigger: Trigger): boolean {
  return (SWEEP_FINDINGS as readonly string[]).includes(trigger);
}

/**
 * The operators get a link to the execution in the platform account's console. The key's administrators
 * cannot open that console, so they get the execution's name instead, to quote when they ask the operators.
 */
export function followTheRun(w: Wording, context: EmailContext): Block[] {
  const s = w.sections;
  if (context.audience === 'administrators') {
    return [paragraph(s.reference(executionNameOf(context.executionArn)))];
  }
  const href = executionConsoleUrl(context.executionArn);
  return [
    heading(s.followTheRun),
    href ? { kind: 'link', text: s.openInConsole, href } : paragraph(s.execution(context.executionArn)),
  ];
}

/** `disable-1234abcd-20261122T152233Z-3f1b8c9e`: what the operators search the console for. */
function executionNameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

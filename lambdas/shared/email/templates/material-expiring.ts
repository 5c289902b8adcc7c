/** Warns ahead of the date a key's imported key material expires, which makes the key unusable. */

import { expiresAt, importCommand, NO_EXPIRATION, reimportCommands } from '../aws-cli';
import { commands, type Email, heading, list, paragraph } from '../blocks';
import type { KeyWarningContext } from '../types';
import { dueOf, noCommand, oncePerThreshold } from './key-warning';
import { resourcesAtRisk } from './resource-tables';

export function materialExpiring(context: KeyWarningContext): Email {
  const { dueAt, resources } = context;
  const { w, key, arn, when, due, alertOnly, target } = dueOf(context);
  const s = w.materialExpiring;
  const listed = w.resources(resources.length);
  const consequence =
    resources.length === 0 ? s.noResources : alertOnly ? s.alertOnly(listed) : s.shutdown(listed);
  return {
    subject: s.subject(key, due, when),
    title: s.title(key, when),
    blocks: [
      paragraph(s.paragraph(arn, when, due)),
      // What to do comes first: nothing has happened yet, and doing it in time means nothing will.
      heading(s.whatToDo),
      ...(target
        ? [
            paragraph(s.reimport),
            ...commands(reimportCommands(target, NO_EXPIRATION)),
            paragraph(s.keepExpiring),
            ...commands([importCommand(target, expiresAt(yearAfter(dueAt)))]),
          ]
        : [noCommand(w, s.inConsole)]),
      heading(s.whatHappens),
      list([...s.happens, consequence]),
      resourcesAtRisk(w, resources, alertOnly),
      oncePerThreshold(w, context, s.before),
    ],
  };
}

function yearAfter(date: Date): Date {
  const later = new Date(date.getTime());
  later.setUTCFullYear(later.getUTCFullYear() + 1);
  return later;
}

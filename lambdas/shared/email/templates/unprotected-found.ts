/**
 * The operators' email about resources the sweep found encrypted with a key and not tagged for it: the
 * reactor would leave them running when the key becomes unusable. Sent once per resource.
 */

import { keyIdOf, shortKeyId } from '../../arn';
import { commands, type Email, heading, paragraph } from '../blocks';
import type { UnprotectedContext } from '../types';
import { wordsFor } from './words';

export function unprotectedFound(context: UnprotectedContext): Email {
  const { keyArn, resources } = context;
  const { w, arn } = wordsFor(keyIdOf(keyArn), keyArn, context.language, context.keyAlias);
  const s = w.unprotectedFound;
  const keyName = `${shortKeyId(keyIdOf(keyArn))}${context.keyAlias ? ` (${context.keyAlias})` : ''}`;
  return {
    subject: s.subject(resources.length, keyName),
    title: s.title(resources.length),
    blocks: [
      paragraph(s.paragraph(arn)),
      {
        kind: 'table',
        caption: s.caption,
        columns: s.columns,
        rows: resources.map((resource) => [resource.kind, resource.resourceArn, resource.via ?? '']),
      },
      heading(s.whatToDo),
      ...commands([`npx key-reactor adopt ${keyArn}`]),
      paragraph(s.adopt),
      paragraph(s.once),
    ],
  };
}

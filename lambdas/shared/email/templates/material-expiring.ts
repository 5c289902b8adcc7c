/** Warns ahead of the date a key's imported key material expires, which makes the key unusable. */

import { expiresAt, importCommand, NO_EXPIRATION, REIMPORT_STEPS, reimportCommands } from '../aws-cli';
import { type Block, commands, type Email, heading, list, paragraph } from '../blocks';
import type { KeyWarningContext } from '../types';
import { count, shortMaterialId } from '../wording';
import { dueOf, noCommand, oncePerThreshold } from './key-warning';
import { resourcesAtRisk } from './resource-tables';

export function materialExpiring(context: KeyWarningContext): Email {
  const { keyArn, dueAt, resources } = context;
  const { key, when, due, alertOnly, target } = dueOf(context);
  const listed = `the ${count(resources.length, 'resource')} listed below`;
  const consequence =
    resources.length === 0
      ? 'No resources are registered for the key, so the reactor has nothing to stop.'
      : alertOnly
        ? `The key's policy is alert-only, so the reactor will not stop ${listed}: they keep running, but ` +
          'their data cannot be decrypted until the same key material is imported again.'
        : `If the key is still unusable at the end of the grace period, the reactor stops ${listed}: the ` +
          'services first, then the servers. Nothing is deleted, and it starts them again by itself once the ' +
          'key is usable.';
  const material = context.material;
  const which = material
    ? `key material ${shortMaterialId(material.keyMaterialId)}`
    : 'imported key material';
  return {
    subject: `Key ${key}: ${which} expires ${due} (${when})`,
    title: `Key ${key}: ${which} expires at ${when}`,
    blocks: [
      paragraph(
        `The imported key material of the customer key ${keyArn} expires at ${when} (${due}). Nothing has ` +
          'happened to the key yet, and it keeps working past that date if the same key material is imported ' +
          'again before then.',
      ),
      ...(material ? [materialParagraph(material)] : []),
      heading('What happens when it expires'),
      list([
        'KMS deletes the expired key material and the key becomes unusable: the platform can no longer ' +
          'decrypt the data of the resources that depend on it.',
        'KMS emits a "KMS Imported Key Material Expiration" event, and the reactor emails you that the grace ' +
          'period has started.',
        consequence,
      ]),
      resourcesAtRisk(resources, alertOnly),
      heading('What to do before then'),
      ...(target
        ? [
            paragraph(
              'Import the same key material again, with a later expiration date or none: only the material ' +
                `the key has can decrypt its data, so new material will not do. ${REIMPORT_STEPS}:`,
            ),
            ...commands(reimportCommands(target, NO_EXPIRATION)),
            paragraph(
              'To keep an expiration date instead, import it with a later one (here a year after the current ' +
                'one; choose your own):',
            ),
            ...commands([importCommand(target, expiresAt(yearAfter(dueAt)))]),
          ]
        : [
            noCommand(
              'import the same key material again, with a later expiration date or none, in the KMS console ' +
                'of the account that owns the key',
            ),
          ]),
      oncePerThreshold(context, 'before the key material expires'),
    ],
  };
}

/** A key with imported material may have several since on-demand rotation: say which one, and why it matters. */
function materialParagraph(material: NonNullable<KeyWarningContext['material']>): Block {
  return paragraph(
    `The key has several key materials; the one that expires is ${material.keyMaterialId}` +
      (material.current
        ? ', its current material, which encrypts and decrypts.'
        : ', an earlier material that the key still uses to decrypt what was encrypted under it. Its ' +
          'expiry makes the whole key unusable all the same, not only that data.') +
      ' Import that same material again (the AWS CLI takes its ID with --key-material-id).',
  );
}

function yearAfter(date: Date): Date {
  const later = new Date(date.getTime());
  later.setUTCFullYear(later.getUTCFullYear() + 1);
  return later;
}

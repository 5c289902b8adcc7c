/** The operators' weekly digest: every key at risk, with why, in one email. Sent only when one is. */

import { type Email, heading, paragraph } from '../blocks';
import type { DigestContext, DigestRisk } from '../types';
import { count, formatTime } from '../wording';

/** How the digest names each risk, in the order it lists them. */
export const RISK_WORDS: Readonly<Record<DigestRisk['kind'], string>> = {
  'access-denied': 'Access denied',
  'deletion-pending': 'Deletion within 30 days',
  'material-expiring': 'Key material expires within 30 days',
  'cannot-stop': 'Resources that cannot be stopped',
  'failed-runs': 'Failed runs in the last 7 days',
};

export function weeklyDigest(context: DigestContext): Email {
  const { keys, now, since } = context;
  const kinds = Object.keys(RISK_WORDS) as DigestRisk['kind'][];
  const tally = kinds
    .map((kind) => [kind, keys.filter((key) => key.risks.some((risk) => risk.kind === kind)).length] as const)
    .filter(([, keysWith]) => keysWith > 0);
  return {
    subject: `Key reactor weekly digest: ${count(keys.length, 'key')} at risk`,
    title: `Keys at risk, week to ${formatTime(now)}`,
    blocks: [
      paragraph(
        `${count(keys.length, 'key')} ${keys.length === 1 ? 'needs' : 'need'} attention before ${keys.length === 1 ? 'it stops' : 'they stop'} ` +
          `the services that depend on ${keys.length === 1 ? 'it' : 'them'}. Runs are counted from ${formatTime(since)}. ` +
          'This digest is sent once a week, and only when a key is at risk.',
      ),
      {
        kind: 'table',
        caption: 'Keys at risk, by reason',
        columns: ['Reason', 'Keys'],
        rows: tally.map(([kind, keysWith]) => [RISK_WORDS[kind], String(keysWith)]),
      },
      heading('Each key'),
      {
        kind: 'table',
        caption: 'Keys at risk',
        columns: ['Key', 'Reason', 'Detail'],
        rows: keys.flatMap((key) =>
          [...key.risks]
            .sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind))
            .map((risk) => [key.keyArn, RISK_WORDS[risk.kind], risk.detail]),
        ),
      },
      ...(context.keysUnread.length > 0
        ? [
            paragraph(
              `${count(context.keysUnread.length, 'key')} could not be read this week (KMS did not answer), so ` +
                `this digest cannot say whether they are at risk: ${context.keysUnread.join(', ')}.`,
            ),
          ]
        : []),
      paragraph(
        'To see one key as the reactor sees it: key-reactor status <key ARN>. Warnings ahead of a date (key ' +
          "material, deletion, an RDS database waiting for its key) also go to each key's administrators.",
      ),
    ],
  };
}

/** The operators' weekly digest: every key at risk, with why, in one email. Sent only when one is. */

import { type Email, heading, paragraph } from '../blocks';
import { type Wording, wordingFor } from '../i18n';
import { DIGEST_RISKS, type DigestContext, type DigestRisk } from '../types';

/** At most this many resources or runs are named in one line. */
const NAMED = 3;

export function weeklyDigest(context: DigestContext): Email {
  const { keys, now, since } = context;
  const w = wordingFor(context.language);
  const s = w.digest;
  const tally = DIGEST_RISKS.map(
    (kind) => [kind, keys.filter((key) => key.risks.some((risk) => risk.kind === kind)).length] as const,
  ).filter(([, keysWith]) => keysWith > 0);
  return {
    subject: s.subject(keys.length),
    title: s.title(w.time(now)),
    blocks: [
      paragraph(s.paragraph(keys.length, w.time(since))),
      {
        kind: 'table',
        caption: s.byReason,
        columns: [...s.byReasonColumns],
        rows: tally.map(([kind, keysWith]) => [s.risks[kind], String(keysWith)]),
      },
      heading(s.eachKey),
      {
        kind: 'table',
        caption: s.atRisk,
        columns: [...s.atRiskColumns],
        rows: keys.flatMap((key) =>
          [...key.risks]
            .sort((a, b) => DIGEST_RISKS.indexOf(a.kind) - DIGEST_RISKS.indexOf(b.kind))
            .map((risk) => [key.keyArn, s.risks[risk.kind], detailOf(w, risk)]),
        ),
      },
      ...(context.keysUnread.length > 0
        ? [paragraph(s.unread(context.keysUnread.length, context.keysUnread.join(', ')))]
        : []),
      paragraph(s.howToSee),
    ],
  };
}

/** One line about one risk: the date, the resources, the runs. */
function detailOf(w: Wording, risk: DigestRisk): string {
  const s = w.digest;
  switch (risk.kind) {
    case 'deletion-pending':
      return s.deletion(w.time(risk.dueAt));
    case 'material-expiring':
      return s.material(w.time(risk.dueAt), risk.keyMaterialId ?? null);
    case 'access-denied':
      return risk.error;
    case 'cannot-stop':
    case 'unprotected-dependents':
      return named(w, risk.resources);
    case 'failed-runs':
      return named(
        w,
        risk.runs.map((run) => s.failedRun(run.name, run.status, w.time(run.stoppedAt))),
      );
  }
}

function named(w: Wording, items: readonly string[]): string {
  const shown = items.slice(0, NAMED).join('; ');
  return items.length > NAMED ? w.digest.more(items.length, shown, items.length - NAMED) : shown;
}

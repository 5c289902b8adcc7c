/**
 * The emails, as text and HTML from one description. A template (templates/) says what to tell, in the
 * words of the catalogue (i18n/); it never writes markup or escapes anything. The writers (writers.ts)
 * escape every string they are given, so no string from an event can reach a body or a subject
 * unescaped, however a template is changed.
 */

import type { Email } from './blocks';
import { wordingFor } from './i18n';
import { alertOnly } from './templates/alert-only';
import { databaseUnrecoverable } from './templates/database-unrecoverable';
import { deletionPending } from './templates/deletion-pending';
import { graceStarted } from './templates/grace-started';
import { keyUsableAgain } from './templates/key-usable-again';
import { materialExpiring } from './templates/material-expiring';
import { serviceRestored } from './templates/service-restored';
import { shutdownComplete } from './templates/shutdown-complete';
import { startHeldBack } from './templates/start-held-back';
import { unprotectedFound } from './templates/unprotected-found';
import { weeklyDigest } from './templates/weekly-digest';
import { workflowFailed } from './templates/workflow-failed';
import type {
  DatabaseWarningContext,
  DigestContext,
  EmailContext,
  EmailTemplate,
  KeyWarning,
  KeyWarningContext,
  RenderedEmail,
  UnprotectedContext,
} from './types';
import { written } from './writers';

const TEMPLATES: Readonly<Record<EmailTemplate, (context: EmailContext) => Email>> = {
  'grace-started': graceStarted,
  'key-usable-again': keyUsableAgain,
  'shutdown-complete': shutdownComplete,
  'service-restored': serviceRestored,
  'workflow-failed': workflowFailed,
  'alert-only': alertOnly,
  'start-held-back': startHeldBack,
};

const WARNINGS: Readonly<Record<KeyWarning, (context: KeyWarningContext) => Email>> = {
  'material-expiring': materialExpiring,
  'deletion-pending': deletionPending,
};

export function renderEmail(context: EmailContext): RenderedEmail {
  return written(TEMPLATES[context.template](context), wordingFor(context.language));
}

/** A warning sent ahead of a date KMS has set for a key, before anything has happened to it. */
export function renderKeyWarning(context: KeyWarningContext): RenderedEmail {
  return written(WARNINGS[context.warning](context), wordingFor(context.language));
}

/** The daily warning about an RDS database that RDS will make unrecoverable unless the key returns. */
export function renderDatabaseWarning(context: DatabaseWarningContext): RenderedEmail {
  return written(databaseUnrecoverable(context), wordingFor(context.language));
}

/** The operators' weekly digest of the keys at risk. */
export function renderDigest(context: DigestContext): RenderedEmail {
  return written(weeklyDigest(context), wordingFor(context.language));
}

/** The operators' email about resources encrypted with a key and not tagged for it. */
export function renderUnprotected(context: UnprotectedContext): RenderedEmail {
  return written(unprotectedFound(context), wordingFor(context.language));
}

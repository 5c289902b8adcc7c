/**
 * The emails, as text and HTML from one description. A template says what to tell; it never writes
 * markup or escapes anything. The two writers at the bottom escape every string they are given, so no
 * string from an event can reach a body or a subject unescaped, however a template is changed.
 */

import { isKeyArn, keyIdOf, parseArn, resourceIdOf, shortKeyId } from '../arn';
import { type KeyEvent, type Layer, SWEEP_FINDINGS, type Trigger } from '../model';
import { cleanText, escapeHtml, oneLine } from './escape';
import type {
  EmailContext,
  EmailResource,
  EmailTemplate,
  KeyWarning,
  KeyWarningContext,
  RenderedEmail,
} from './types';

const MAX_SUBJECT_LENGTH = 200;
/** Long enough for any sentence a template writes; it only bounds what an event could inflate. */
const MAX_PARAGRAPH_LENGTH = 2000;
const MAX_FIELD_LENGTH = 600;
const MAX_USER_AGENT_LENGTH = 120;
const DAY_MS = 24 * 60 * 60 * 1000;

const TABLE_STYLE = 'border-collapse:collapse;margin:8px 0';
const CELL_STYLE = 'border:1px solid #d5dbdb;padding:4px 8px;text-align:left;vertical-align:top';

type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'facts'; readonly rows: readonly (readonly [label: string, value: string])[] }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'commands'; readonly lines: readonly string[] }
  | { readonly kind: 'preformatted'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

interface Email {
  readonly subject: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export function renderEmail(context: EmailContext): RenderedEmail {
  return written(TEMPLATES[context.template](context));
}

/** A warning sent ahead of a date KMS has set for a key, before anything has happened to it. */
export function renderKeyWarning(context: KeyWarningContext): RenderedEmail {
  return written(WARNINGS[context.warning](context));
}

function written(email: Email): RenderedEmail {
  return {
    subject: oneLine(email.subject, MAX_SUBJECT_LENGTH),
    text: writeText(email),
    html: writeHtml(email),
  };
}

const TEMPLATES: Readonly<Record<EmailTemplate, (context: EmailContext) => Email>> = {
  'grace-started': graceStarted,
  'key-usable-again': keyUsableAgain,
  'shutdown-complete': shutdownComplete,
  'service-restored': serviceRestored,
  'workflow-failed': workflowFailed,
  'alert-only': alertOnly,
};

function graceStarted(context: EmailContext): Email {
  const { event, resources } = context;
  const key = keyLabel(event.keyId);
  const alertOnly = context.action === 'alert-only';
  const stopAt =
    context.graceSeconds !== undefined && Number.isFinite(context.graceSeconds)
      ? new Date(context.now.getTime() + context.graceSeconds * 1000)
      : null;
  const when = stopAt ? `at ${formatTime(stopAt)}` : 'after the grace period';
  const ordered = inOrder(resources, ['service', 'server']);
  const recovery = recoveryOf(event);
  const deadline = stopAt
    ? `by ${formatTime(stopAt)} (in ${formatDuration(context.graceSeconds ?? 0)})`
    : 'before the grace period ends';
  const checkAgain = stopAt
    ? `At ${formatTime(stopAt)} the reactor reads the key's state again.`
    : "When the grace period ends, the reactor reads the key's state again.";
  return {
    subject: alertOnly
      ? `Key ${key} ${CHANGE[event.trigger].subject}: ${count(resources.length, 'resource')} affected, none will stop (alert-only)`
      : `Key ${key} ${CHANGE[event.trigger].subject}: ${count(resources.length, 'resource')} ${
          resources.length === 1 ? 'stops' : 'stop'
        } ${stopAt ? `at ${formatClock(stopAt)}` : 'after the grace period'}`,
    title: alertOnly
      ? `Key ${key} ${CHANGE[event.trigger].subject}: its resources keep running (alert-only policy)`
      : `Key ${key} ${CHANGE[event.trigger].subject}: its resources stop ${when}`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} ${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)}. ` +
          'The platform can no longer decrypt the data of the resources that depend on it. ' +
          (alertOnly
            ? "The key's policy is alert-only, so the reactor will not stop them: they keep running, and may " +
              'fail as they lose access to their data.'
            : `Unless the key is usable again ${deadline}, the reactor will stop them cleanly: the services ` +
              'first, then the servers that run them. Nothing is deleted.'),
      ),
      resourceTable(
        alertOnly ? 'Resources that depend on the key' : 'Resources that will stop, in order',
        ordered,
      ),
      { kind: 'heading', text: 'What happens next' },
      {
        kind: 'list',
        items: alertOnly
          ? [
              checkAgain,
              'If the key is usable by then, you get one more email saying so.',
              "If it is not, the reactor still stops nothing (the key's policy is alert-only) and emails you " +
                'that the resources were left running.',
            ]
          : [
              checkAgain,
              'If the key is usable by then, nothing stops, and you get one more email saying so.',
              'If it is not, the reactor stops the services, then the servers, and emails you what it stopped. ' +
                'When the key is usable again, it starts them again by itself.',
            ],
      },
      ...whoChanged(event),
      { kind: 'heading', text: 'How to undo it' },
      paragraph(recovery.summary),
      ...commands(recovery.commands),
      ...(recovery.commands.length > 0 && !alertOnly
        ? [
            paragraph(
              `If the key is usable again ${stopAt ? `before ${formatTime(stopAt)}` : 'in time'}, nothing stops.`,
            ),
          ]
        : []),
      ...followTheRun(context),
    ],
  };
}

function keyUsableAgain(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  return {
    subject: `Key ${key} is usable again: nothing was stopped`,
    title: `Key ${key} is usable again: nothing was stopped`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} ${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)}, ` +
          `and was usable again when the grace period ended (checked at ${formatTime(context.now)}). ` +
          'The reactor stopped nothing. No action is needed.',
      ),
      ...(context.resources.length > 0
        ? [resourceTable('Resources that kept running', inOrder(context.resources, ['service', 'server']))]
        : []),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

function shutdownComplete(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const skipped = context.skipped ?? [];
  const stopped = withoutSkipped(context.resources, skipped);
  const recovery = recoveryOf(event);
  return {
    subject:
      `Key ${key} ${CHANGE[event.trigger].subject}: ${count(stopped.length, 'resource')} stopped` +
      (skipped.length > 0 ? `, ${needAttention(skipped.length)}` : ''),
    title: `Key ${key} ${CHANGE[event.trigger].subject}: its resources are stopped`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} ${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)} ` +
          `and was still not usable at the end of the grace period, so the reactor stopped the resources that ` +
          'depend on it: the services first, then the servers. Nothing was deleted: every resource keeps its ' +
          'data and configuration.',
      ),
      resourceTable('Services stopped', inOrder(stopped, ['service'])),
      resourceTable('Servers stopped', inOrder(stopped, ['server'])),
      ...needsAttention(skipped, 'The reactor did not stop these resources. Check each one yourself:'),
      { kind: 'heading', text: 'How to bring service back' },
      paragraph(recovery.summary),
      ...commands(recovery.commands),
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

function serviceRestored(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const skipped = context.skipped ?? [];
  const started = withoutSkipped(context.resources, skipped);
  return {
    subject:
      `Key ${key} is usable again: ${count(started.length, 'resource')} restarted` +
      (skipped.length > 0 ? `, ${needAttention(skipped.length)}` : ''),
    title: `Key ${key} is usable again: service is restored`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} is usable again, so the reactor started the resources it had stopped: ` +
          'the servers first, then the services they run. ' +
          'Resources stopped by anyone else were left as they were.',
      ),
      resourceTable('Servers started', inOrder(started, ['server'])),
      resourceTable('Services started', inOrder(started, ['service'])),
      ...needsAttention(skipped, 'The reactor could not start these resources. Check each one yourself:'),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

function workflowFailed(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const errorName = context.error?.Error ?? 'Unknown error';
  const cause = context.error?.Cause ?? '';
  const message = causeMessage(cause);
  const action = event.workflow === 'disable' ? 'shutdown' : 'restart';
  return {
    subject: `Action needed: key reactor ${action} failed for key ${key} (${errorName})`,
    title: `The ${action} run for key ${key} failed`,
    blocks: [
      paragraph(
        `The reactor's ${event.workflow} workflow for the customer key ${event.keyArn}, started by ` +
          `${event.trigger} at ${formatEventTime(event.eventTime)}, ended with an error at ${formatTime(context.now)}. ` +
          `The key's resources may be partly ${event.workflow === 'disable' ? 'stopped' : 'started'}.`,
      ),
      {
        kind: 'facts',
        rows: [
          ['Error', errorName],
          ...(message ? ([['Message', message]] as const) : []),
          ['Key', event.keyArn],
          ['Trigger', `${event.trigger} (event ${event.eventId})`],
        ],
      },
      ...(cause
        ? [{ kind: 'heading', text: 'Cause' } as const, { kind: 'preformatted', text: cause } as const]
        : []),
      { kind: 'heading', text: 'What to check' },
      {
        kind: 'list',
        items: [
          ...adviceFor(errorName),
          "The execution's event history shows the step that failed and its input.",
          "The key's ledger in the reactor's table lists what the reactor has stopped so far.",
          'Once the cause is fixed, start an execution of the same state machine with the same input and a ' +
            'new name: every step is safe to run again.',
        ],
      },
      ...followTheRun(context),
    ],
  };
}

function alertOnly(context: EmailContext): Email {
  const { event } = context;
  const key = keyLabel(event.keyId);
  const recovery = recoveryOf(event);
  const resources = inOrder(context.resources, ['service', 'server']);
  const when = event.urgent
    ? `${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)}`
    : `${CHANGE[event.trigger].sentence} at ${formatEventTime(event.eventTime)} and was still not usable at the ` +
      `end of the grace period (checked at ${formatTime(context.now)})`;
  return {
    subject: `Key ${key} ${CHANGE[event.trigger].subject}: ${count(resources.length, 'resource')} left running (alert-only)`,
    title: `Key ${key} ${CHANGE[event.trigger].subject}: nothing was stopped (alert-only policy)`,
    blocks: [
      paragraph(
        `The customer key ${event.keyArn} ${when}. The key's policy is alert-only, so the reactor stopped ` +
          'nothing. The resources below keep running, but the platform can no longer decrypt their data: ' +
          'expect errors from them until the key is usable again.',
      ),
      resourceTable('Resources left running', resources),
      { kind: 'heading', text: 'What happens next' },
      {
        kind: 'list',
        items: [
          'Nothing more happens by itself: the reactor does not stop the resources of an alert-only key.',
          'When the key is usable again, nothing needs restarting, because nothing was stopped.',
          'If these resources must not run without their data, stop them yourself.',
        ],
      },
      { kind: 'heading', text: 'How to undo it' },
      paragraph(recovery.summary),
      ...commands(recovery.commands),
      ...whoChanged(event),
      ...followTheRun(context),
    ],
  };
}

// Warnings, sent before a date KMS has set for a key: nothing has happened to the key yet

const WARNINGS: Readonly<Record<KeyWarning, (context: KeyWarningContext) => Email>> = {
  'material-expiring': materialExpiring,
  'deletion-pending': deletionPending,
};

function materialExpiring(context: KeyWarningContext): Email {
  const { keyArn, dueAt, resources } = context;
  const key = keyLabel(keyIdOf(keyArn));
  const when = formatTime(dueAt);
  const due = dueIn(dueAt, context.now);
  const alertOnly = context.action === 'alert-only';
  const target = commandTarget(keyArn, context.region);
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
  return {
    subject: `Key ${key}: imported key material expires ${due} (${when})`,
    title: `Key ${key}: imported key material expires at ${when}`,
    blocks: [
      paragraph(
        `The imported key material of the customer key ${keyArn} expires at ${when} (${due}). Nothing has ` +
          'happened to the key yet, and it keeps working past that date if the same key material is imported ' +
          'again before then.',
      ),
      { kind: 'heading', text: 'What happens when it expires' },
      {
        kind: 'list',
        items: [
          'KMS deletes the expired key material and the key becomes unusable: the platform can no longer ' +
            'decrypt the data of the resources that depend on it.',
          'KMS emits a "KMS Imported Key Material Expiration" event, and the reactor emails you that the grace ' +
            'period has started.',
          consequence,
        ],
      },
      resourceTable(
        alertOnly ? 'Resources that depend on the key' : 'Resources that will stop, in order',
        inOrder(resources, ['service', 'server']),
      ),
      { kind: 'heading', text: 'What to do before then' },
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
            ...commands([
              importCommand(
                target,
                `--expiration-model KEY_MATERIAL_EXPIRES --valid-to ${isoSeconds(yearAfter(dueAt))}`,
              ),
            ]),
          ]
        : [
            paragraph(
              "The key's ARN or Region in the registry is not well formed, so no command is given here: import " +
                'the same key material again, with a later expiration date or none, in the KMS console of the ' +
                'account that owns the key.',
            ),
          ]),
      oncePerThreshold(context, 'before the key material expires'),
    ],
  };
}

function deletionPending(context: KeyWarningContext): Email {
  const { keyArn, dueAt, resources } = context;
  const key = keyLabel(keyIdOf(keyArn));
  const when = formatTime(dueAt);
  const due = dueIn(dueAt, context.now);
  const alertOnly = context.action === 'alert-only';
  const target = commandTarget(keyArn, context.region);
  return {
    subject: `Key ${key} is scheduled for deletion ${due} (${when})`,
    title: `Key ${key} will be deleted at ${when}`,
    blocks: [
      paragraph(
        `The customer key ${keyArn} is scheduled for deletion: KMS deletes it at ${when} (${due}). Once KMS ` +
          'deletes the key, data encrypted under it can never be decrypted again, by anyone. This cannot be ' +
          'undone.',
      ),
      paragraph(
        alertOnly
          ? "A key pending deletion cannot be used. The key's policy is alert-only, so the reactor has left the " +
              'resources below running, without access to their data. Once the key is deleted, they can never ' +
              'read that data again.'
          : 'A key pending deletion cannot be used, so the reactor has stopped the resources below (or will, at ' +
              'the end of the grace period). While the key exists, they can come back; once it is deleted, they ' +
              'cannot be restored, because their data stays encrypted under a key that no longer exists.',
      ),
      resourceTable(
        alertOnly ? 'Resources left running' : 'Resources stopped, or to be stopped',
        inOrder(resources, ['service', 'server']),
      ),
      { kind: 'heading', text: 'How to keep the key' },
      ...(target
        ? [
            paragraph(
              `Before ${when}, cancel the deletion, then enable the key (a key whose deletion is cancelled ` +
                'stays disabled):',
            ),
            ...commands(cancelDeletionCommands(target)),
            paragraph(
              alertOnly
                ? 'Once the key is enabled, the resources can decrypt their data again.'
                : 'Once the key is enabled, the reactor starts the resources it stopped, by itself, and emails ' +
                    'you when they are back.',
            ),
          ]
        : [
            paragraph(
              "The key's ARN or Region in the registry is not well formed, so no command is given here: cancel " +
                'the deletion and enable the key in the KMS console of the account that owns it.',
            ),
          ]),
      oncePerThreshold(context, 'before the key is deleted'),
    ],
  };
}

function oncePerThreshold(context: KeyWarningContext, before: string): Block {
  return paragraph(
    `This is the ${context.thresholdDays}-day warning: it is sent once for each warning threshold ${before}.`,
  );
}

// What each trigger means for the people reading

const CHANGE: Readonly<Record<Trigger, { readonly subject: string; readonly sentence: string }>> = {
  DisableKey: { subject: 'disabled', sentence: 'was disabled' },
  ScheduleKeyDeletion: { subject: 'scheduled for deletion', sentence: 'was scheduled for deletion' },
  DeleteImportedKeyMaterial: {
    subject: 'key material deleted',
    sentence: 'had its imported key material deleted',
  },
  'KMS Imported Key Material Expiration': {
    subject: 'key material expired',
    sentence: 'had its imported key material expire',
  },
  'KMS CMK Deletion': { subject: 'deleted', sentence: 'was deleted by KMS at the end of its waiting period' },
  EnableKey: { subject: 'enabled', sentence: 'was enabled' },
  CancelKeyDeletion: { subject: 'deletion cancelled', sentence: 'had its scheduled deletion cancelled' },
  ImportKeyMaterial: { subject: 'key material imported', sentence: 'had its key material imported again' },
  KeyFoundUnusable: {
    subject: 'found unusable',
    sentence: 'was found unusable by the periodic sweep (no KMS event reached the reactor)',
  },
  KeyFoundUsable: {
    subject: 'found usable again',
    sentence: 'was found usable again by the periodic sweep (no KMS event reached the reactor)',
  },
};

interface Recovery {
  readonly summary: string;
  readonly commands: readonly string[];
}

/** How to make the key usable again after this trigger, with the exact AWS CLI commands. */
function recoveryOf(event: KeyEvent): Recovery {
  if (event.trigger === 'KMS CMK Deletion') {
    return {
      summary:
        'This cannot be undone: KMS has deleted the key, and data encrypted under it can no longer be ' +
        'decrypted. The resources stay stopped; restore them from backups that do not depend on this key, ' +
        "or remove them from the reactor's registry.",
      commands: [],
    };
  }
  const target = commandTarget(event.keyArn, event.region);
  if (!target) {
    return {
      summary:
        'The key ARN in the event is not well formed, so no command is given here: make the key usable again ' +
        'in the KMS console of the account that owns it.',
      commands: [],
    };
  }
  switch (event.trigger) {
    case 'ScheduleKeyDeletion':
      return {
        summary:
          'Cancel the deletion, then enable the key (a key whose deletion is cancelled stays disabled):',
        commands: cancelDeletionCommands(target),
      };
    case 'DeleteImportedKeyMaterial':
    case 'KMS Imported Key Material Expiration':
      return {
        summary:
          'Import the same key material again: only the material the key had can decrypt its data. ' +
          `${REIMPORT_STEPS}:`,
        commands: reimportCommands(target, NO_EXPIRATION),
      };
    case 'KeyFoundUnusable':
      // No event said what happened: describe-key tells, and each state has its own way back.
      return {
        summary:
          'See what happened to the key first (KeyState in the output). Disabled: enable it. PendingDeletion: ' +
          'cancel the deletion, then enable it. PendingImport: import the same key material again.',
        commands: [`aws kms describe-key ${target}`, enableCommand(target)],
      };
    default:
      return { summary: 'Enable the key:', commands: [enableCommand(target)] };
  }
}

// The AWS CLI commands the emails give

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const REIMPORT_STEPS =
  'Get a new wrapping key and import token, wrap the key material with that wrapping key, then import it';
const NO_EXPIRATION = '--expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE';

/**
 * The `--key-id <arn> --region <region>` of a command, or null. The commands are meant to be pasted into
 * a shell: they are built only from a well-formed key ARN and Region.
 */
function commandTarget(keyArn: string, region: string): string | null {
  return isKeyArn(keyArn) && REGION_PATTERN.test(region) ? `--key-id ${keyArn} --region ${region}` : null;
}

function enableCommand(target: string): string {
  return `aws kms enable-key ${target}`;
}

function cancelDeletionCommands(target: string): string[] {
  return [`aws kms cancel-key-deletion ${target}`, enableCommand(target)];
}

/** `expiration`: the --expiration-model option, and --valid-to with it when the material expires. */
function reimportCommands(target: string, expiration: string): string[] {
  return [
    `aws kms get-parameters-for-import ${target} --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_4096`,
    importCommand(target, expiration),
  ];
}

function importCommand(target: string, expiration: string): string {
  return (
    `aws kms import-key-material ${target} --encrypted-key-material fileb://EncryptedKeyMaterial.bin ` +
    `--import-token fileb://ImportToken.bin ${expiration}`
  );
}

/** What an operator should look at first for the errors the workflows raise on purpose. */
function adviceFor(errorName: string): string[] {
  switch (errorName) {
    case 'KeyAccessDeniedError':
      return ["The key's policy or grants: the platform's role may no longer describe the key."];
    case 'LeaseTakenError':
      return ['Another execution for the same key: it held the lease for the whole retry period.'];
    case 'ThrottlingError':
    case 'TransientError':
      return ['AWS service health and quotas in the Region: the calls kept failing after every retry.'];
    case 'UnsupportedResourceError':
    case 'InvalidInputError':
      return ["The key's registered resources: one of them is not a kind the reactor supports."];
    case 'ConfigurationError':
      return ["The function's environment variables, as set by the deployment."];
    case 'States.Timeout':
    case 'States.TaskFailed':
      return ['The resources that did not reach the expected state: their status in their own console.'];
    default:
      return [];
  }
}

/** A Lambda failure's Cause is JSON with an errorMessage: the one line worth reading first. */
function causeMessage(cause: string): string | null {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
      const { errorMessage } = parsed as { errorMessage: unknown };
      return typeof errorMessage === 'string' ? errorMessage : null;
    }
  } catch {
    // A plain-text cause is shown as it is.
  }
  return null;
}

// Blocks shared by templates

function paragraph(text: string): Block {
  return { kind: 'paragraph', text };
}

function commands(lines: readonly string[]): Block[] {
  return lines.length > 0 ? [{ kind: 'commands', lines }] : [];
}

function whoChanged(event: KeyEvent): Block[] {
  const { actor } = event;
  return [
    { kind: 'heading', text: 'Who changed the key' },
    actor
      ? {
          kind: 'facts',
          rows: [
            ['Who', actor.arn ?? 'unknown'],
            ['From', actor.sourceIp ?? 'unknown'],
            ['Using', actor.userAgent === null ? 'unknown' : oneLine(actor.userAgent, MAX_USER_AGENT_LENGTH)],
            ['When', formatEventTime(event.eventTime)],
            ['Event', `${event.trigger}, event ${event.eventId}`],
          ],
        }
      : isSweepFinding(event.trigger)
        ? {
            kind: 'facts',
            rows: [
              ['Who', 'Unknown: no KMS event reached the reactor, the periodic sweep found the change'],
              ['When', `Found at ${formatEventTime(event.eventTime)}; the change itself happened before`],
              ['Event', `${event.trigger}, event ${event.eventId}`],
            ],
          }
        : {
            kind: 'facts',
            rows: [
              ['Who', `AWS KMS itself (${event.trigger}), not a person`],
              ['When', formatEventTime(event.eventTime)],
              ['Event', event.eventId],
            ],
          },
  ];
}

function isSweepFinding(trigger: Trigger): boolean {
  return (SWEEP_FINDINGS as readonly string[]).includes(trigger);
}

function followTheRun(context: EmailContext): Block[] {
  const href = consoleLink(context.executionArn);
  return [
    { kind: 'heading', text: 'Follow the run' },
    href
      ? { kind: 'link', text: 'Open the execution in the Step Functions console', href }
      : paragraph(`Execution: ${context.executionArn}`),
  ];
}

function resourceTable(caption: string, resources: readonly EmailResource[]): Block {
  if (resources.length === 0) return paragraph(`${caption}: none.`);
  return {
    kind: 'table',
    caption,
    columns: ['Layer', 'Kind', 'Name', 'ARN'],
    rows: resources.map((resource) => [
      resource.layer,
      resource.kind,
      resourceIdOf(resource.resourceArn),
      resource.resourceArn,
    ]),
  };
}

function needsAttention(skipped: NonNullable<EmailContext['skipped']>, introduction: string): Block[] {
  if (skipped.length === 0) return [];
  return [
    { kind: 'heading', text: 'Needs attention' },
    paragraph(introduction),
    {
      kind: 'table',
      caption: 'Resources the reactor did not act on',
      columns: ['Name', 'ARN', 'Why'],
      rows: skipped.map((item) => [resourceIdOf(item.resourceArn), item.resourceArn, item.reason]),
    },
  ];
}

function withoutSkipped(
  resources: readonly EmailResource[],
  skipped: NonNullable<EmailContext['skipped']>,
): EmailResource[] {
  const skippedArns = new Set(skipped.map((item) => item.resourceArn));
  return resources.filter((resource) => !skippedArns.has(resource.resourceArn));
}

function inOrder(resources: readonly EmailResource[], layers: readonly Layer[]): EmailResource[] {
  return layers.flatMap((layer) => resources.filter((resource) => resource.layer === layer));
}

// Small formatting helpers

function keyLabel(keyId: string): string {
  return shortKeyId(keyId);
}

function needAttention(n: number): string {
  return `${count(n, 'resource')} ${n === 1 ? 'needs' : 'need'} attention`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2026-11-22 15:32 UTC`: unambiguous for readers in any time zone. */
export function formatTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `in 7 days`, `in 1 day`, `in less than a day`: the whole days left, rounded down. */
function dueIn(dueAt: Date, now: Date): string {
  const left = dueAt.getTime() - now.getTime();
  if (left <= 0) return 'now';
  const days = Math.floor(left / DAY_MS);
  return days === 0 ? 'in less than a day' : `in ${count(days, 'day')}`;
}

function yearAfter(date: Date): Date {
  const later = new Date(date.getTime());
  later.setUTCFullYear(later.getUTCFullYear() + 1);
  return later;
}

/** `2027-12-01T14:00:00Z`, as the AWS CLI takes a timestamp. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function formatClock(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

function formatEventTime(eventTime: string): string {
  const date = new Date(eventTime);
  return Number.isNaN(date.getTime()) ? eventTime : formatTime(date);
}

function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes === 0) return count(rest, 'second');
  return rest === 0 ? count(minutes, 'minute') : `${count(minutes, 'minute')} ${count(rest, 'second')}`;
}

/** The execution in the Step Functions console, or null when the ARN is not an execution ARN. */
function consoleLink(executionArn: string): string | null {
  const parts = parseArn(executionArn);
  if (
    parts?.service !== 'states' ||
    !parts.resource.startsWith('execution:') ||
    /[\s"'<>`\\]/.test(executionArn)
  ) {
    return null;
  }
  const { region } = parts;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

// The two writers: the only code that turns strings into a body, and the only code that escapes

function writeText(email: Email): string {
  const title = oneLine(email.title, MAX_PARAGRAPH_LENGTH);
  const lines: string[] = [title, '='.repeat(Math.min(title.length, 72))];
  for (const block of email.blocks) {
    lines.push('');
    switch (block.kind) {
      case 'heading': {
        const text = oneLine(block.text, MAX_PARAGRAPH_LENGTH);
        lines.push(text, '-'.repeat(Math.min(text.length, 72)));
        break;
      }
      case 'paragraph':
        lines.push(oneLine(block.text, MAX_PARAGRAPH_LENGTH));
        break;
      case 'facts': {
        const width = Math.max(...block.rows.map(([label]) => label.length)) + 1;
        for (const [label, value] of block.rows) {
          lines.push(`${`${oneLine(label)}:`.padEnd(width)} ${oneLine(value, MAX_FIELD_LENGTH)}`);
        }
        break;
      }
      case 'list':
        for (const item of block.items) lines.push(`- ${oneLine(item, MAX_PARAGRAPH_LENGTH)}`);
        break;
      case 'table':
        lines.push(`${oneLine(block.caption)}:`);
        for (const row of block.rows) {
          lines.push(`- ${row.map((cell) => oneLine(cell, MAX_FIELD_LENGTH)).join(' | ')}`);
        }
        break;
      case 'commands':
        for (const line of block.lines) lines.push(`    ${oneLine(line, MAX_PARAGRAPH_LENGTH)}`);
        break;
      case 'preformatted':
        // Indented, so a line break inside the block can never pass for a line of the email itself.
        for (const line of cleanText(block.text).split('\n')) lines.push(`    ${line}`);
        break;
      case 'link':
        lines.push(`${oneLine(block.text)}:`, oneLine(block.href, MAX_PARAGRAPH_LENGTH));
        break;
    }
  }
  lines.push('', '--', 'Sent by the key-lifecycle reactor.');
  return `${lines.join('\n')}\n`;
}

/** Inline: text after escapeHtml(oneLine(...)). Multi-line: escapeHtml(cleanText(...)). Nothing else. */
function writeHtml(email: Email): string {
  const inline = (value: string, max = MAX_FIELD_LENGTH): string => escapeHtml(oneLine(value, max));
  const parts: string[] = [];
  for (const block of email.blocks) {
    switch (block.kind) {
      case 'heading':
        parts.push(`<h2>${inline(block.text)}</h2>`);
        break;
      case 'paragraph':
        parts.push(`<p>${inline(block.text, MAX_PARAGRAPH_LENGTH)}</p>`);
        break;
      case 'facts':
        parts.push(
          `<dl>\n${block.rows.map(([label, value]) => `<dt>${inline(label)}</dt><dd>${inline(value)}</dd>`).join('\n')}\n</dl>`,
        );
        break;
      case 'list':
        parts.push(
          `<ul>\n${block.items.map((item) => `<li>${inline(item, MAX_PARAGRAPH_LENGTH)}</li>`).join('\n')}\n</ul>`,
        );
        break;
      case 'table':
        parts.push(
          [
            `<table style="${TABLE_STYLE}">`,
            `<caption style="text-align:left;font-weight:bold">${inline(block.caption)}</caption>`,
            `<thead><tr>${block.columns.map((column) => `<th scope="col" style="${CELL_STYLE}">${inline(column)}</th>`).join('')}</tr></thead>`,
            '<tbody>',
            ...block.rows.map(
              (row) =>
                `<tr>${row.map((cell) => `<td style="${CELL_STYLE}">${inline(cell)}</td>`).join('')}</tr>`,
            ),
            '</tbody>',
            '</table>',
          ].join('\n'),
        );
        break;
      case 'commands':
        parts.push(
          `<pre><code>${block.lines.map((line) => inline(line, MAX_PARAGRAPH_LENGTH)).join('\n')}</code></pre>`,
        );
        break;
      case 'preformatted':
        parts.push(`<pre>${escapeHtml(cleanText(block.text))}</pre>`);
        break;
      case 'link':
        parts.push(`<p><a href="${inline(block.href, MAX_PARAGRAPH_LENGTH)}">${inline(block.text)}</a></p>`);
        break;
    }
  }
  const title = inline(email.title, MAX_PARAGRAPH_LENGTH);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    '</head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#16191f">',
    `<h1 style="font-size:20px">${title}</h1>`,
    ...parts,
    '<hr>',
    '<p style="color:#545b64">Sent by the key-lifecycle reactor.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

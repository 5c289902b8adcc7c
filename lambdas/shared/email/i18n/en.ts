/** The emails in English: the default, and the operators' language. */

import { enCannotStop } from './en-cannot-stop';
import { enEstimate } from './en-estimate';
import { subjectTimeWith, type Wording } from './wording';

const DAY_MS = 24 * 60 * 60 * 1000;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function time(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const REIMPORT_STEPS =
  'Get a new wrapping key and import token, wrap the key material with that wrapping key, then import it';

export const en: Wording = {
  language: 'en',
  signature: 'Sent by the key-lifecycle reactor.',

  time,
  subjectTime: subjectTimeWith(time),
  duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = Math.round(seconds % 60);
    if (minutes === 0) return count(rest, 'second');
    return rest === 0 ? count(minutes, 'minute') : `${count(minutes, 'minute')} ${count(rest, 'second')}`;
  },
  dueIn(dueAt, now) {
    const left = dueAt.getTime() - now.getTime();
    if (left <= 0) return 'now';
    const days = Math.floor(left / DAY_MS);
    return days === 0 ? 'in less than a day' : `in ${count(days, 'day')}`;
  },
  resources: (n) => count(n, 'resource'),
  needAttention: (n) => `${count(n, 'resource')} ${n === 1 ? 'needs' : 'need'} attention`,

  key: (shortId, alias) => `Key ${shortId}${alias ? ` (${alias})` : ''}`,
  changes: {
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
    'KMS CMK Deletion': {
      subject: 'deleted',
      sentence: 'was deleted by KMS at the end of its waiting period',
    },
    EnableKey: { subject: 'enabled', sentence: 'was enabled' },
    CancelKeyDeletion: { subject: 'deletion cancelled', sentence: 'had its scheduled deletion cancelled' },
    ImportKeyMaterial: { subject: 'key material imported', sentence: 'had its key material imported again' },
    KeyFoundUnusable: {
      subject: 'found unusable',
      sentence: 'was found unusable by the periodic sweep (no KMS event reached the reactor)',
    },
    PutKeyPolicy: { subject: 'key policy changed', sentence: 'had its key policy changed' },
    RevokeGrant: { subject: 'grant revoked', sentence: 'had a grant revoked' },
    RetireGrant: { subject: 'grant retired', sentence: 'had a grant retired' },
    KeyAccessRevoked: {
      subject: 'access revoked',
      sentence: 'can no longer be used by the platform: access was revoked (key policy or grant)',
    },
    KeyAccessRestored: {
      subject: 'access restored',
      sentence: 'can be used by the platform again: access was restored (key policy or grant)',
    },
    KeyFoundUsable: {
      subject: 'found usable again',
      sentence: 'was found usable again by the periodic sweep (no KMS event reached the reactor)',
    },
  },
  keyChanged: (key, change) => `${key} ${change.subject}`,
  whatHappened: (keyArn, change, at) => `The customer key ${keyArn} ${change.sentence} at ${at}`,
  headline: (start, rest) => `${start}: ${rest}`,

  tables: {
    layers: { service: 'service', server: 'server' },
    resourceColumns: ['Layer', 'Kind', 'Name', 'ARN'],
    skippedColumns: ['Name', 'ARN', 'Why'],
    none: (caption) => `${caption}: none.`,
    atRisk: 'Resources that will stop, in order',
    atRiskAlertOnly: 'Resources that depend on the key',
    leftRunning: 'Resources left running',
    keptRunning: 'Resources that kept running',
    stillStopped: 'Resources the reactor stopped, still stopped',
    stoppedOrToBe: 'Resources stopped, or to be stopped',
    skipped: 'Resources the reactor did not act on',
    needsAttention: 'Needs attention',
    acted: (layer, direction) =>
      `${layer === 'service' ? 'Services' : 'Servers'} ${direction === 'shutdown' ? 'stopped' : 'started'}`,
    tally: (resources, direction, attention) =>
      `${resources} ${direction === 'shutdown' ? 'stopped' : 'restarted'}${attention ? `, ${attention}` : ''}`,
    missed: (direction) =>
      `The reactor ${direction === 'shutdown' ? 'did not stop' : 'could not start'} these resources. Check each one yourself:`,
  },

  sections: {
    howToUndo: 'How to undo it',
    howToBringBack: 'How to bring service back',
    whatHappensNext: 'What happens next',
    whoChanged: 'Who changed the key',
    who: 'Who',
    from: 'From',
    using: 'Using',
    when: 'When',
    event: 'Event',
    unknown: 'unknown',
    eventOf: (trigger, eventId) => `${trigger}, event ${eventId}`,
    sweepWho: 'Unknown: no KMS event reached the reactor, the periodic sweep found the change',
    sweepWhen: (at) => `Found at ${at}; the change itself happened before`,
    kmsItself: (trigger) => `AWS KMS itself (${trigger}), not a person`,
    followTheRun: 'Follow the run',
    openInConsole: 'Open the execution in the Step Functions console',
    execution: (executionArn) => `Execution: ${executionArn}`,
    reference: (executionName) =>
      `If you contact the platform's operators about this email, give them this reference: ${executionName}`,
  },

  recovery: {
    deleted:
      'This cannot be undone: KMS has deleted the key, and data encrypted under it can no longer be ' +
      'decrypted. The resources stay stopped; restore them from backups that do not depend on this key, ' +
      "or remove them from the reactor's registry.",
    badArn:
      'The key ARN in the event is not well formed, so no command is given here: make the key usable again ' +
      'in the KMS console of the account that owns it.',
    cancelDeletion:
      'Cancel the deletion, then enable the key (a key whose deletion is cancelled stays disabled):',
    reimport: `Import the same key material again: only the material the key had can decrypt its data. ${REIMPORT_STEPS}:`,
    findOut:
      'See what happened to the key first (KeyState in the output). Disabled: enable it. PendingDeletion: ' +
      'cancel the deletion, then enable it. PendingImport: import the same key material again.',
    enable: 'Enable the key:',
    accessRevoked:
      "Give the platform its access back: put back the key-policy statement (or the grant) that let the platform's " +
      'account use the key, kms:DescribeKey and kms:GenerateDataKeyWithoutPlaintext included. The reactor ' +
      'restarts what it stopped once its probe succeeds again:',
  },

  graceStarted: {
    subject: (keyChanged, resources, n, at) =>
      `${keyChanged}: ${resources} ${n === 1 ? 'stops' : 'stop'} ${at ? `at ${at}` : 'after the grace period'}`,
    subjectAlertOnly: (keyChanged, resources) =>
      `${keyChanged}: ${resources} affected, none will stop (alert-only)`,
    title: (at) => `its resources stop ${at ? `at ${at}` : 'after the grace period'}`,
    titleAlertOnly: 'its resources keep running (alert-only policy)',
    paragraph: (happened, deadline, alertOnly) =>
      `${happened}. The platform can no longer decrypt the data of the resources that depend on it. ` +
      (alertOnly
        ? "The key's policy is alert-only, so the reactor will not stop them: they keep running, and may " +
          'fail as they lose access to their data.'
        : `Unless the key is usable again ${deadline ? `by ${deadline.at} (in ${deadline.in})` : 'before the grace period ends'}, ` +
          'the reactor will stop them cleanly: the services first, then the servers that run them. Nothing is deleted.'),
    checkAgain: (at) =>
      at
        ? `At ${at} the reactor reads the key's state again.`
        : "When the grace period ends, the reactor reads the key's state again.",
    next: [
      'If the key is usable by then, nothing stops, and you get one more email saying so.',
      'If it is not, the reactor stops the services, then the servers, and emails you what it stopped. ' +
        'When the key is usable again, it starts them again by itself.',
    ],
    nextAlertOnly: [
      'If the key is usable by then, you get one more email saying so.',
      "If it is not, the reactor still stops nothing (the key's policy is alert-only) and emails you " +
        'that the resources were left running.',
    ],
    inTime: (at) => `If the key is usable again ${at ? `before ${at}` : 'in time'}, nothing stops.`,
  },

  shutdownComplete: {
    title: 'its resources are stopped',
    paragraph: (happened) =>
      `${happened} and was still not usable` +
      ' at the end of the grace period, so the reactor stopped the resources that ' +
      'depend on it: the services first, then the servers. Nothing was deleted: every resource keeps its ' +
      'data and configuration.',
    afterEnable:
      'Once the key is usable, the reactor starts the servers, then the services, by itself, and emails ' +
      'you when they are back. It starts only what it stopped.',
  },

  alertOnly: {
    subject: (keyChanged, resources, tag) => `${keyChanged}: ${resources} left running (${tag})`,
    title: (why) => `nothing was stopped (${why})`,
    paragraph: (happened, checkedAt, reason) =>
      `${happened}${checkedAt ? ` and was still not usable at the end of the grace period (checked at ${checkedAt})` : ''}. ` +
      `${reason} The resources below keep running, but the platform can no longer decrypt their data: ` +
      'expect errors from them until the key is usable again.',
    heldBack: {
      policy: {
        tag: 'alert-only',
        title: 'alert-only policy',
        reason: "The key's policy is alert-only, so the reactor stopped nothing.",
        next: 'Nothing more happens by itself: the reactor does not stop the resources of an alert-only key.',
      },
      paused: {
        tag: 'reactor paused',
        title: 'the reactor is paused',
        reason:
          "The reactor is paused: nothing was stopped. The platform's operators paused it, and it stops " +
          'nothing for any key until they resume it.',
        next: 'When the operators resume the reactor, it stops these resources, unless the key is usable again by then.',
      },
      breaker: {
        tag: 'shutdown held back',
        title: 'shutdown held back',
        reason:
          "The reactor's circuit breaker held the shutdown back: nothing was stopped. More keys became " +
          "unusable within an hour than the platform lets the reactor act on alone, so it stopped acting and paged the platform's operators.",
        next: "When the platform's operators resume the reactor, it stops these resources, unless the key is usable again by then.",
      },
      unconfirmed: {
        tag: 'access revoked, not yet confirmed',
        title: 'access revoked, not yet confirmed',
        reason:
          'The platform was first refused the key less than a grace period ago: the reactor stops resources for ' +
          'revoked access only when two checks at least a grace period apart are both refused, so that a key ' +
          'policy being fixed is given its grace period too.',
        next: 'If the platform is still refused the key at the next check, the reactor starts the grace period for these resources.',
      },
    },
    nothingToRestart: 'When the key is usable again, nothing needs restarting, because nothing was stopped.',
    stopThemYourself: 'If these resources must not run without their data, stop them yourself.',
  },

  keyUsableAgain: {
    headline: (key) => `${key} is usable again: nothing was stopped`,
    paragraph: (happened, checkedAt) =>
      `${happened}, and was usable again when the grace period ended (checked at ${checkedAt}). ` +
      'The reactor stopped nothing. No action is needed.',
  },

  serviceRestored: {
    subject: (key, tally) => `${key} is usable again: ${tally}`,
    title: (key) => `${key} is usable again: service is restored`,
    paragraph: (keyArn) =>
      `The customer key ${keyArn} is usable again, so the reactor started the resources it had stopped: ` +
      'the servers first, then the services they run. Resources stopped by anyone else were left as they were.',
  },

  startHeldBack: {
    subject: (keyChanged, resources) => `${keyChanged}: ${resources} not restarted (reactor paused)`,
    title: 'nothing was started (the reactor is paused)',
    paragraph: (happened) =>
      `${happened}. The reactor is paused: nothing was started.` +
      " The platform's operators paused it, and it starts " +
      'nothing for any key until they resume it.',
    next: [
      'When the operators resume the reactor, it starts these resources again, if the key is still usable then.',
      "If they must run sooner, ask the platform's operators to resume the reactor.",
    ],
  },

  workflowFailed: {
    subject: (direction, key, error) =>
      `Action needed: key reactor ${direction} failed for key ${key} (${error})`,
    title: (direction, key) => `The ${direction} run for key ${key} failed`,
    paragraph: (direction, keyArn, trigger, at, failedAt) =>
      `The reactor's ${direction === 'shutdown' ? 'disable' : 'enable'} workflow for the customer key ${keyArn}, ` +
      `started by ${trigger} at ${at}, ended with an error at ${failedAt}. ` +
      `The key's resources may be partly ${direction === 'shutdown' ? 'stopped' : 'started'}.`,
    unknownError: 'Unknown error',
    error: 'Error',
    message: 'Message',
    key: 'Key',
    trigger: 'Trigger',
    triggerOf: (trigger, eventId) => `${trigger} (event ${eventId})`,
    cause: 'Cause',
    whatToCheck: 'What to check',
    advice: {
      KeyAccessDeniedError: "The key's policy or grants: the platform's role may no longer describe the key.",
      LeaseTakenError: 'Another execution for the same key: it held the lease for the whole retry period.',
      ThrottlingError:
        'AWS service health and quotas in the Region: the calls kept failing after every retry.',
      TransientError:
        'AWS service health and quotas in the Region: the calls kept failing after every retry.',
      UnsupportedResourceError:
        "The key's registered resources: one of them is not a kind the reactor supports.",
      InvalidInputError: "The key's registered resources: one of them is not a kind the reactor supports.",
      ConfigurationError: "The function's environment variables, as set by the deployment.",
      'States.Timeout':
        'The resources that did not reach the expected state: their status in their own console.',
      'States.TaskFailed':
        'The resources that did not reach the expected state: their status in their own console.',
    },
    always: [
      "The execution's event history shows the step that failed and its input.",
      "The key's ledger in the reactor's table lists what the reactor has stopped so far.",
      'Once the cause is fixed, start an execution of the same state machine with the same input and a ' +
        'new name: every step is safe to run again.',
    ],
  },

  warnings: {
    noCommand: (todo) =>
      `The key's ARN or Region in the registry is not well formed, so no command is given here: ${todo}.`,
    oncePerThreshold: (days, before) =>
      `This is the ${days}-day warning: it is sent once for each warning threshold ${before}.`,
  },

  materialExpiring: {
    subject: (key, due, when, material) =>
      `${key}: ${material ?? 'imported key material'} expires ${due} (${when})`,
    title: (key, when, material) => `${key}: ${material ?? 'imported key material'} expires at ${when}`,
    material: (shortId) => `key material ${shortId}`,
    several: (keyMaterialId, current) =>
      `The key has several key materials; the one that expires is ${keyMaterialId}` +
      (current
        ? ', its current material, which encrypts and decrypts.'
        : ', an earlier material that the key still uses to decrypt what was encrypted under it. Its ' +
          'expiry makes the whole key unusable all the same, not only that data.') +
      ' Import that same material again (the AWS CLI takes its ID with --key-material-id).',
    paragraph: (keyArn, when, due) =>
      `The imported key material of the customer key ${keyArn} expires at ${when} (${due}). Nothing has ` +
      'happened to the key yet, and it keeps working past that date if the same key material is imported ' +
      'again before then.',
    whatHappens: 'What happens when it expires',
    happens: [
      'KMS deletes the expired key material and the key becomes unusable: the platform can no longer ' +
        'decrypt the data of the resources that depend on it.',
      'KMS emits a "KMS Imported Key Material Expiration" event, and the reactor emails you that the grace ' +
        'period has started.',
    ],
    noResources: 'No resources are registered for the key, so the reactor has nothing to stop.',
    alertOnly: (n) =>
      `The key's policy is alert-only, so the reactor will not stop the ${n} listed below: they keep running, but ` +
      'their data cannot be decrypted until the same key material is imported again.',
    shutdown: (n) =>
      `If the key is still unusable at the end of the grace period, the reactor stops the ${n} listed below: the ` +
      'services first, then the servers. Nothing is deleted, and it starts them again by itself once the ' +
      'key is usable.',
    whatToDo: 'What to do before then',
    reimport:
      'Import the same key material again, with a later expiration date or none: only the material ' +
      `the key has can decrypt its data, so new material will not do. ${REIMPORT_STEPS}:`,
    keepExpiring:
      'To keep an expiration date instead, import it with a later one (here a year after the current ' +
      'one; choose your own):',
    inConsole:
      'import the same key material again, with a later expiration date or none, in the KMS console ' +
      'of the account that owns the key',
    before: 'before the key material expires',
  },

  deletionPending: {
    subject: (key, due, when) => `${key} is scheduled for deletion ${due} (${when})`,
    title: (key, when) => `${key} will be deleted at ${when}`,
    paragraph: (keyArn, when, due) =>
      `The customer key ${keyArn} is scheduled for deletion: KMS deletes it at ${when} (${due}). Once KMS ` +
      'deletes the key, data encrypted under it can never be decrypted again, by anyone. This cannot be ' +
      'undone.',
    alertOnly:
      "A key pending deletion cannot be used. The key's policy is alert-only, so the reactor has left the " +
      'resources below running, without access to their data. Once the key is deleted, they can never ' +
      'read that data again.',
    shutdown:
      'A key pending deletion cannot be used, so the reactor has stopped the resources below (or will, at ' +
      'the end of the grace period). While the key exists, they can come back; once it is deleted, they ' +
      'cannot be restored, because their data stays encrypted under a key that no longer exists.',
    howToKeep: 'How to keep the key',
    cancelThenEnable: (when) =>
      `Before ${when}, cancel the deletion, then enable the key (a key whose deletion is cancelled stays disabled):`,
    afterEnableAlertOnly: 'Once the key is enabled, the resources can decrypt their data again.',
    afterEnable:
      'Once the key is enabled, the reactor starts the resources it stopped, by itself, and emails you when they are back.',
    inConsole: 'cancel the deletion and enable the key in the KMS console of the account that owns it',
    before: 'before the key is deleted',
  },

  databaseUnrecoverable: {
    subject: (database, keyName, when) =>
      `Database ${database} on key ${keyName}: unrecoverable on ${when} unless the key is restored`,
    title: (database, when) => `Database ${database} becomes unrecoverable at ${when}`,
    paragraph: (databaseArn, keyArn, when, due) =>
      `The RDS database ${databaseArn} cannot use the customer key ${keyArn}: RDS reports it ` +
      'inaccessible-encryption-credentials-recoverable. RDS keeps it recoverable for 7 days. Unless the key ' +
      `is usable again before ${when} (${due}), RDS marks it inaccessible-encryption-credentials, and it can ` +
      'then only be restored from a backup.',
    database: 'Database',
    kind: 'Kind',
    unrecoverableAt: 'Unrecoverable at',
    day: 'Day',
    dayOf: (day) => `${day} of 7`,
    whatToDo: 'What to do before then',
    steps: [
      'Make the key usable again: enable it, cancel its deletion, or import its key material again, ' +
        'whichever made it unusable.',
      'Once the key is usable, the reactor starts the database again by itself and emails you when it is back.',
    ],
    keyStateNow: "The key's state now:",
    inConsole: 'look at the key in the KMS console of the account that owns it',
    daily:
      'This warning is sent once a day from day 4 of the 7 until the key is usable again or the database is ' +
      'past saving.',
  },

  unprotectedFound: {
    subject: (n, keyName) =>
      `${count(n, 'resource')} encrypted with key ${keyName} ${n === 1 ? 'is' : 'are'} not protected by the reactor`,
    title: (n) => `${count(n, 'resource')} the reactor would leave running`,
    paragraph: (keyArn) =>
      `These resources are encrypted with the customer key ${keyArn}, but they do not carry the tag ` +
      'key-reactor:key-arn with its ARN: if the key becomes unusable, the reactor does not stop them, and they ' +
      'fail on their own instead.',
    caption: 'Found by the sweep',
    columns: ['Kind', 'ARN', 'Through'],
    whatToDo: 'To protect them, tag them for the key (after checking the list):',
    adopt: 'or tag each with key-reactor:key-arn = the key ARN and the managed tag.',
    once: 'Each resource is reported once; key-reactor status and plan list them until they are tagged.',
  },
  cannotStop: enCannotStop,
  estimate: enEstimate,
  digest: {
    risks: {
      'access-denied': 'Access denied',
      'deletion-pending': 'Deletion within 30 days',
      'material-expiring': 'Key material expires within 30 days',
      'cannot-stop': 'Resources that cannot be stopped',
      'unprotected-dependents': 'Encrypted with the key but not tagged for it',
      'failed-runs': 'Failed runs in the last 7 days',
    },
    subject: (keys) => `Key reactor weekly digest: ${count(keys, 'key')} at risk`,
    title: (now) => `Keys at risk, week to ${now}`,
    paragraph: (keys, since) =>
      `${count(keys, 'key')} ${keys === 1 ? 'needs' : 'need'} attention before ${keys === 1 ? 'it stops' : 'they stop'} ` +
      `the services that depend on ${keys === 1 ? 'it' : 'them'}. Runs are counted from ${since}. ` +
      'This digest is sent once a week, and only when a key is at risk.',
    byReason: 'Keys at risk, by reason',
    byReasonColumns: ['Reason', 'Keys'],
    eachKey: 'Each key',
    atRisk: 'Keys at risk',
    atRiskColumns: ['Key', 'Reason', 'Detail'],
    deletion: (at) => `KMS deletes the key at ${at}`,
    material: (at, keyMaterialId) =>
      `${keyMaterialId ? `key material ${keyMaterialId}` : 'imported key material'} expires at ${at}`,
    failedRun: (name, status, at) => `${name} ${status} at ${at}`,
    more: (total, shown, rest) => `${total}: ${shown} and ${rest} more`,
    unread: (keys, list) =>
      `${count(keys, 'key')} could not be read this week (KMS did not answer), so this digest cannot say ` +
      `whether they are at risk: ${list}.`,
    howToSee:
      'To see one key as the reactor sees it: key-reactor status <key ARN>. Warnings ahead of a date (key ' +
      "material, deletion, an RDS database waiting for its key) also go to each key's administrators.",
  },
};

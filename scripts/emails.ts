/**
 * npm run emails: renders every email template in every language, as the administrators and the operators
 * get it, into emails-out/ (git-ignored), and screenshots each HTML part in the headless Chromium that
 * Debian packages (`chromium`), at a phone's width and a desktop's. Without chromium it still writes the
 * HTML and text, and says how to install it.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  renderDatabaseWarning,
  renderDigest,
  renderEmail,
  renderKeyWarning,
  renderUnprotected,
} from '../lambdas/shared/email/render';
import {
  type Audience,
  type DigestContext,
  EMAIL_TEMPLATES,
  type EmailContext,
  type EmailTemplate,
  KEY_WARNINGS,
  type RenderedEmail,
} from '../lambdas/shared/email/types';
import type { KeyEvent } from '../lambdas/shared/model';
import { POLICY_LANGUAGES, type PolicyLanguage } from '../lambdas/shared/store/policy';

const OUT = resolve(__dirname, '..', 'emails-out');
const WIDTHS = { phone: 390, desktop: 1280 } as const;
const NOW = new Date('2026-11-22T15:22:40Z');
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EXECUTION_ARN =
  'arn:aws:states:us-east-1:111122223333:execution:ReactorKeyDisabledWorkflowE5A4B1C2-Xy7Zq9Wv3Ab1:disable-1234abcd-20261122T152233Z-3f1b8c9e';
const RESOURCES = [
  {
    resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/customer-data/api',
    kind: 'ecs-service',
    layer: 'service',
  },
  {
    resourceArn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890',
    kind: 'ec2-instance',
    layer: 'server',
  },
  { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:customer-db', kind: 'rds-instance', layer: 'server' },
] as const;

/** The sample event of docs/emails.md, as parseKeyEvent makes it: a customer disabling a key with the CLI. */
const EVENT: KeyEvent = {
  workflow: 'disable',
  trigger: 'DisableKey',
  keyArn: KEY_ARN,
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  account: '111122223333',
  region: 'us-east-1',
  eventTime: '2026-11-22T15:22:33Z',
  eventId: '3f1b8c9e-6d2a-4e0b-9a51-2c7d4e8f1a01',
  urgent: false,
  actor: {
    arn: 'arn:aws:iam::111122223333:user/alice',
    sourceIp: '203.0.113.10',
    userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 command/kms.disable-key',
  },
};

/**
 * The emails whose wording revoked access changes (issue 15): the trigger, the way back, and the shutdown
 * held back until a second probe confirms the revocation.
 */
const ACCESS_EMAILS: readonly (readonly [
  name: string,
  template: EmailTemplate,
  extra: Partial<EmailContext>,
])[] = [
  ['grace-started', 'grace-started', { event: { ...EVENT, trigger: 'KeyAccessRevoked' } }],
  ['shutdown-complete', 'shutdown-complete', { event: { ...EVENT, trigger: 'KeyAccessRevoked' } }],
  [
    'alert-only-unconfirmed',
    'alert-only',
    { event: { ...EVENT, trigger: 'KeyAccessRevoked' }, heldBack: 'unconfirmed' },
  ],
  [
    'service-restored',
    'service-restored',
    { event: { ...EVENT, workflow: 'enable', trigger: 'KeyAccessRestored' } },
  ],
];

/** What the sweep records a key's resources the reactor cannot stop (issue 14): one of each reason. */
const CANNOT_STOP: EmailContext['cannotStop'] = [
  {
    resourceArn: 'arn:aws:elasticache:us-east-1:111122223333:replicationgroup:sessions',
    kind: 'elasticache-replication-group',
    reason: { kind: 'no-stop-call' },
  },
  {
    resourceArn: 'arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0',
    kind: 'efs-file-system',
    reason: { kind: 'no-stop-call' },
  },
  { resourceArn: 'arn:aws:s3:::customer-uploads', kind: 's3-bucket', reason: { kind: 'no-stop-call' } },
  {
    resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:customer-db-replica',
    kind: 'rds-instance',
    reason: { kind: 'read-replica', source: 'customer-db' },
  },
];

/** The emails that concern a shutdown, with what the reactor cannot stop, and one whose record was unread. */
const CANNOT_STOP_EMAILS: readonly (readonly [
  name: string,
  template: EmailTemplate,
  extra: Partial<EmailContext>,
])[] = [
  ['grace-started', 'grace-started', { cannotStop: CANNOT_STOP }],
  ['shutdown-complete', 'shutdown-complete', { cannotStop: CANNOT_STOP }],
  ['alert-only', 'alert-only', { cannotStop: CANNOT_STOP }],
  [
    'service-restored',
    'service-restored',
    { cannotStop: CANNOT_STOP, event: { ...EVENT, workflow: 'enable', trigger: 'EnableKey' } },
  ],
  ['grace-started-unread', 'grace-started', { cannotStopUnread: true }],
];

/**
 * A fleet large enough for AWS's rate limits to make it slow (600 services, 1,600 instances): the grace
 * email says how long stopping takes, the shutdown email how long starting will (templates/estimate.ts).
 */
const LARGE_FLEET: EmailContext['resources'] = [
  ...Array.from({ length: 600 }, (_, i) => ({
    resourceArn: `arn:aws:ecs:us-east-1:111122223333:service/customer-data/api-${i}`,
    kind: 'ecs-service' as const,
    layer: 'service' as const,
  })),
  ...Array.from({ length: 1_600 }, (_, i) => ({
    resourceArn: `arn:aws:ec2:us-east-1:111122223333:instance/i-${i.toString(16).padStart(17, '0')}`,
    kind: 'ec2-instance' as const,
    layer: 'server' as const,
  })),
];

const LARGE_FLEET_EMAILS: readonly EmailTemplate[] = ['grace-started', 'shutdown-complete'];

function workflowEmail(
  template: EmailTemplate,
  audience: Audience,
  language: PolicyLanguage,
  extra: Partial<EmailContext> = {},
): RenderedEmail {
  return renderEmail({
    template,
    event: EVENT,
    resources: RESOURCES,
    executionArn: EXECUTION_ARN,
    now: NOW,
    audience,
    language,
    keyAlias: 'alias/customer-data',
    graceSeconds: 600,
    ...(template === 'workflow-failed'
      ? { error: { Error: 'States.Timeout', Cause: 'The servers did not stop within 30 minutes.' } }
      : {}),
    ...extra,
  });
}

const DAY_MS = 24 * 3600 * 1000;

/** The weekly digest's sample: one key with every risk it lists, and one key KMS did not answer for. */
const DIGEST: Omit<DigestContext, 'language'> = {
  keys: [
    {
      keyArn: KEY_ARN,
      risks: [
        { kind: 'deletion-pending', dueAt: new Date(NOW.getTime() + 12 * DAY_MS) },
        {
          kind: 'material-expiring',
          dueAt: new Date(NOW.getTime() + 20 * DAY_MS),
          keyMaterialId: 'a'.repeat(64),
        },
        { kind: 'access-denied', error: `KeyAccessDeniedError: The platform may not describe ${KEY_ARN}` },
        {
          kind: 'cannot-stop',
          resources: [
            `${RESOURCES[2].resourceArn} (available (a read replica of customer-db-source, which RDS cannot stop))`,
          ],
        },
        {
          kind: 'failed-runs',
          runs: [{ name: 'disable-1234abcd-20261120T101500Z-1a2b3c4d', status: 'FAILED', stoppedAt: NOW }],
        },
      ],
    },
  ],
  keysUnread: ['arn:aws:kms:us-east-1:111122223333:key/5678efab-12ab-34cd-56ef-1234567890ab'],
  since: new Date(NOW.getTime() - 7 * DAY_MS),
  now: NOW,
};

/** The sweep's own emails: the material of several that expires, the database countdown, the digest. */
function sweepEmails(language: PolicyLanguage): [string, RenderedEmail][] {
  const common = {
    keyArn: KEY_ARN,
    region: 'us-east-1',
    now: NOW,
    language,
    keyAlias: 'alias/customer-data',
  };
  return [
    [
      `${language}-material-expiring-non-current`,
      renderKeyWarning({
        ...common,
        warning: 'material-expiring',
        dueAt: new Date(NOW.getTime() + 6.8 * DAY_MS),
        thresholdDays: 7,
        resources: RESOURCES,
        action: 'shutdown',
        material: { keyMaterialId: 'a'.repeat(64), current: false },
      }),
    ],
    [
      `${language}-database-unrecoverable`,
      renderDatabaseWarning({
        ...common,
        database: RESOURCES[2],
        unrecoverableAt: new Date(NOW.getTime() + 2.5 * DAY_MS),
        day: 5,
      }),
    ],
    // The digest goes to the operators only, in English; the Japanese is rendered to be looked at.
    [`${language}-weekly-digest-operators`, renderDigest({ ...DIGEST, language })],
    // Like the digest, the safety net's email goes to the operators only.
    [
      `${language}-unprotected-found-operators`,
      renderUnprotected({
        keyArn: common.keyArn,
        keyAlias: 'alias/customer-data',
        now: NOW,
        language,
        resources: [
          { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:reporting', kind: 'rds-instance' },
          {
            resourceArn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0def5678abc123456',
            kind: 'ec2-instance',
            via: 'arn:aws:ec2:us-east-1:111122223333:volume/vol-0123456789abcdef0',
          },
        ],
      }),
    ],
  ];
}

function hasChromium(): boolean {
  return spawnSync('chromium', ['--version'], { stdio: 'ignore' }).status === 0;
}

function screenshot(html: string, png: string, width: number): void {
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--window-size=${width},2400`,
      `--screenshot=${png}`,
      `file://${html}`,
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
}

function main(): void {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const emails: [string, RenderedEmail][] = [];
  for (const language of POLICY_LANGUAGES) {
    for (const template of EMAIL_TEMPLATES) {
      for (const audience of ['administrators', 'operators'] as const) {
        emails.push([`${language}-${template}-${audience}`, workflowEmail(template, audience, language)]);
      }
    }
    for (const [name, template, extra] of ACCESS_EMAILS) {
      for (const audience of ['administrators', 'operators'] as const) {
        emails.push([
          `${language}-access-revoked-${name}-${audience}`,
          workflowEmail(template, audience, language, extra),
        ]);
      }
    }
    for (const [name, template, extra] of CANNOT_STOP_EMAILS) {
      for (const audience of ['administrators', 'operators'] as const) {
        emails.push([
          `${language}-cannot-stop-${name}-${audience}`,
          workflowEmail(template, audience, language, extra),
        ]);
      }
    }
    for (const template of LARGE_FLEET_EMAILS) {
      emails.push([
        `${language}-large-fleet-${template}-administrators`,
        workflowEmail(template, 'administrators', language, { resources: LARGE_FLEET }),
      ]);
    }
    for (const warning of KEY_WARNINGS) {
      const dueAt = new Date(NOW.getTime() + 6.8 * 24 * 3600 * 1000);
      const context = { warning, keyArn: KEY_ARN, region: 'us-east-1', dueAt, thresholdDays: 7, now: NOW };
      emails.push([
        `${language}-${warning}`,
        renderKeyWarning({
          ...context,
          resources: RESOURCES,
          action: 'shutdown',
          language,
          keyAlias: 'alias/customer-data',
        }),
      ]);
    }
  }
  for (const language of POLICY_LANGUAGES) emails.push(...sweepEmails(language));
  const chromium = hasChromium();
  for (const [name, email] of emails) {
    const html = join(OUT, `${name}.html`);
    writeFileSync(html, email.html);
    writeFileSync(join(OUT, `${name}.txt`), `Subject: ${email.subject}\n\n${email.text}`);
    console.log(html);
    if (!chromium) continue;
    for (const [label, width] of Object.entries(WIDTHS)) {
      const png = join(OUT, `${name}-${label}.png`);
      screenshot(html, png, width);
      console.log(png);
    }
  }
  if (!chromium) console.log('No screenshots: chromium is not installed (sudo apt-get install -y chromium).');
}

main();

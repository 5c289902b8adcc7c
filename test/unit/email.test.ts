import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { cleanText, escapeHtml, oneLine } from '../../lambdas/shared/email/escape';
import { MAX_RECIPIENTS, Mailer } from '../../lambdas/shared/email/mailer';
import { renderEmail, renderKeyWarning } from '../../lambdas/shared/email/render';
import {
  EMAIL_TEMPLATES,
  type EmailContext,
  type EmailTemplate,
  KEY_WARNINGS,
  type KeyWarning,
  type KeyWarningContext,
} from '../../lambdas/shared/email/types';
import type { KeyEvent } from '../../lambdas/shared/model';
import { sample } from '../support/samples';

const NOW = new Date('2026-11-22T15:22:40Z');
const EXECUTION_ARN =
  'arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:disable-1234abcd-20261122T152233Z-3f1b8c9e';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const UNDO = `aws kms enable-key --key-id ${KEY_ARN} --region us-east-1`;

const RESOURCES: EmailContext['resources'] = [
  {
    resourceArn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890',
    kind: 'ec2-instance',
    layer: 'server',
  },
  {
    resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
    kind: 'ecs-service',
    layer: 'service',
  },
  { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', kind: 'rds-instance', layer: 'server' },
];

function keyEvent(name = 'disable-key-cli.json'): KeyEvent {
  return parseKeyEvent(sample(name), { allowedAccounts: [] });
}

/** What the workflows pass for each template. */
function contextFor(template: EmailTemplate, event: KeyEvent = keyEvent()): EmailContext {
  const base = {
    template,
    event,
    resources: RESOURCES,
    executionArn: EXECUTION_ARN,
    now: NOW,
    audience: 'operators' as const,
  };
  switch (template) {
    case 'grace-started':
      return { ...base, graceSeconds: 600 };
    case 'shutdown-complete':
    case 'service-restored':
      return {
        ...base,
        skipped: [
          { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', reason: 'not tagged as managed' },
        ],
      };
    case 'workflow-failed':
      return {
        ...base,
        resources: [],
        error: {
          Error: 'KeyAccessDeniedError',
          Cause: JSON.stringify({
            errorType: 'KeyAccessDeniedError',
            errorMessage: `The platform may not describe ${KEY_ARN}`,
            trace: [
              'KeyAccessDeniedError: The platform may not describe the key',
              '    at describe (index.js:1:1)',
            ],
          }),
        },
      };
    default:
      return base;
  }
}

/** Nothing for a mail client to fetch: no images, scripts, style sheets or frames. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<(img|script|link|iframe)\b/i);
  expect(html).not.toMatch(/src=/i);
}

describe('renderEmail snapshots', () => {
  it.each(EMAIL_TEMPLATES)('renders %s', (template) => {
    const email = renderEmail(contextFor(template));

    expect(email.subject).toMatchSnapshot('subject');
    expect(email.text).toMatchSnapshot('text');
    expect(email.html).toMatchSnapshot('html');
  });

  it('renders grace-started for an alert-only key', () => {
    const email = renderEmail({ ...contextFor('grace-started'), action: 'alert-only' });

    expect(email.subject).toMatchSnapshot('subject');
    expect(email.text).toMatchSnapshot('text');
    expect(email.html).toMatchSnapshot('html');
  });
});

describe('what every email tells its reader', () => {
  // The failure email goes to the operators, about the run rather than the key change: checked apart.
  const TO_ADMINISTRATORS = EMAIL_TEMPLATES.filter((template) => template !== 'workflow-failed');
  const actor = keyEvent().actor;

  it.each(TO_ADMINISTRATORS)('%s lists each resource by name and ARN', (template) => {
    const { text, html } = renderEmail(contextFor(template));

    for (const resource of RESOURCES) {
      expect(text).toContain(resource.resourceArn);
      expect(html).toContain(resource.resourceArn);
    }
  });

  it.each(TO_ADMINISTRATORS)('%s says who changed the key, from where, with what and when', (template) => {
    const { text } = renderEmail(contextFor(template));

    expect(text).toContain(`Who:   ${actor?.arn}`);
    expect(text).toContain(`From:  ${actor?.sourceIp}`);
    expect(text).toMatch(/^Using: aws-cli\/2\.15\.30 /m);
    expect(text).toContain('When:  2026-11-22 15:22 UTC');
  });

  it.each(TO_ADMINISTRATORS)('%s links the execution in the console', (template) => {
    expect(renderEmail(contextFor(template)).text).toContain(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
  });

  it.each(['grace-started', 'shutdown-complete', 'alert-only'] as const)(
    '%s gives the exact command that makes the key usable again',
    (template) => {
      expect(renderEmail(contextFor(template)).text).toContain(UNDO);
    },
  );

  it.each(['grace-started', 'alert-only'] as const)('%s says what happens next', (template) => {
    const { text, html } = renderEmail(contextFor(template));

    expect(text).toContain('What happens next\n-----------------');
    expect(html).toContain('<h2>What happens next</h2>');
  });

  it('keeps every subject short', () => {
    for (const template of EMAIL_TEMPLATES) {
      expect(renderEmail(contextFor(template)).subject.length).toBeLessThanOrEqual(90);
    }
  });
});

describe('the alert-only policy', () => {
  it('warns in the grace-started email that nothing will stop', () => {
    const { subject, text } = renderEmail({ ...contextFor('grace-started'), action: 'alert-only' });

    expect(subject).toBe('Key 1234abcd disabled: 3 resources affected, none will stop (alert-only)');
    expect(text).toContain("The key's policy is alert-only, so the reactor will not stop them");
    expect(text).not.toContain('Resources that will stop');
    expect(text).toContain('At 2026-11-22 15:32 UTC the reactor reads the key');
  });

  it('says at the end of the grace period that nothing was stopped, services listed first', () => {
    const { subject, text } = renderEmail(contextFor('alert-only'));

    expect(subject).toBe('Key 1234abcd disabled: 3 resources left running (alert-only)');
    expect(text).toContain('was still not usable at the end of the grace period');
    expect(text).toContain('the reactor stopped nothing');
    expect(text.indexOf('orders-api')).toBeLessThan(text.indexOf('i-0abc1234def567890'));
  });

  it('leaves out the grace period for a deleted key, and says it cannot be undone', () => {
    const { subject, text } = renderEmail(contextFor('alert-only', keyEvent('kms-cmk-deletion.json')));

    expect(subject).toBe('Key 1234abcd deleted: 3 resources left running (alert-only)');
    expect(text).not.toContain('grace period');
    expect(text).toContain('This cannot be undone');
  });
});

describe('renderEmail content', () => {
  it('says how many resources stop and when, in the subject', () => {
    expect(renderEmail(contextFor('grace-started')).subject).toBe(
      'Key 1234abcd disabled: 3 resources stop at 15:32 UTC',
    );
  });

  it('lists the services before the servers in the grace-started email', () => {
    const { text } = renderEmail(contextFor('grace-started'));

    expect(text.indexOf('orders-api')).toBeLessThan(text.indexOf('i-0abc1234def567890'));
    expect(text).toContain('2026-11-22 15:32 UTC');
  });

  it.each(['grace-started', 'shutdown-complete'] as const)(
    'gives the exact undo command in %s',
    (template) => {
      const { text, html } = renderEmail(contextFor(template));

      expect(text).toContain(UNDO);
      expect(html).toContain(UNDO);
    },
  );

  it('links the execution in the Step Functions console of its Region', () => {
    const { text, html } = renderEmail(contextFor('grace-started'));
    const link = `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`;

    expect(text).toContain(link);
    expect(html).toContain(`<a href="${link}">`);
  });

  it('cancels the deletion, then enables the key, after ScheduleKeyDeletion', () => {
    const { text } = renderEmail(contextFor('grace-started', keyEvent('schedule-key-deletion.json')));

    const cancel = text.indexOf(`aws kms cancel-key-deletion --key-id ${KEY_ARN} --region us-east-1`);
    expect(cancel).toBeGreaterThan(0);
    expect(text.indexOf(UNDO)).toBeGreaterThan(cancel);
  });

  it.each(['DeleteImportedKeyMaterial', 'KMS Imported Key Material Expiration'] as const)(
    'asks for the same key material to be imported again after %s',
    (trigger) => {
      const { text, subject } = renderEmail(
        contextFor('grace-started', { ...keyEvent(), trigger, actor: null }),
      );

      expect(text).toContain(`aws kms import-key-material --key-id ${KEY_ARN} --region us-east-1`);
      expect(text).toContain('Import the same key material again');
      expect(text).not.toContain('aws kms enable-key');
      expect(subject).toMatch(/^Key 1234abcd key material (deleted|expired): /);
    },
  );

  it('says a deleted key cannot come back, with no command to paste', () => {
    const { text } = renderEmail(contextFor('shutdown-complete', keyEvent('kms-cmk-deletion.json')));

    expect(text).toContain('This cannot be undone');
    expect(text).not.toContain('aws kms');
    expect(text).toContain('AWS KMS itself (KMS CMK Deletion), not a person');
  });

  it('puts skipped resources under "Needs attention"', () => {
    const { text, html, subject } = renderEmail(contextFor('shutdown-complete'));

    expect(text).toContain('Needs attention');
    expect(text).toContain('not tagged as managed');
    expect(html).toContain('<h2>Needs attention</h2>');
    expect(subject).toBe('Key 1234abcd disabled: 2 resources stopped, 1 resource needs attention');
  });

  it('lists the servers before the services in the service-restored email', () => {
    const { text } = renderEmail(contextFor('service-restored', keyEvent('enable-key-console.json')));

    expect(text.indexOf('Servers started')).toBeLessThan(text.indexOf('Services started'));
  });

  it('gives operators the error, its message and the cause', () => {
    const { text, subject } = renderEmail(contextFor('workflow-failed'));

    expect(subject).toBe(
      'Action needed: key reactor shutdown failed for key 1234abcd (KeyAccessDeniedError)',
    );
    expect(text).toContain('Error:   KeyAccessDeniedError');
    expect(text).toContain(`Message: The platform may not describe ${KEY_ARN}`);
    expect(text).toContain("The key's policy or grants");
  });

  it('has no external images, scripts or style sheets', () => {
    for (const template of EMAIL_TEMPLATES) expectSelfContained(renderEmail(contextFor(template)).html);
  });
});

describe("the sweep's findings", () => {
  const found = (trigger: 'KeyFoundUnusable' | 'KeyFoundUsable'): KeyEvent => ({
    ...keyEvent(),
    trigger,
    workflow: trigger === 'KeyFoundUnusable' ? 'disable' : 'enable',
    actor: null,
  });

  it('says the sweep found the key unusable, with no actor, and how to find out what happened', () => {
    const email = renderEmail(contextFor('grace-started', found('KeyFoundUnusable')));
    expect(email.subject).toMatch(/^Key 1234abcd found unusable: /);
    expect(email.text).toContain(
      'was found unusable by the periodic sweep (no KMS event reached the reactor)',
    );
    expect(email.text).toContain(`aws kms describe-key --key-id ${KEY_ARN} --region us-east-1`);
    expect(email.text).toContain(UNDO);
  });

  it('says the sweep found the key usable again', () => {
    const email = renderEmail(contextFor('service-restored', found('KeyFoundUsable')));
    expect(email.text).toContain(
      'Unknown: no KMS event reached the reactor, the periodic sweep found the change',
    );
    expect(email.text).not.toContain('AWS KMS itself');
  });
});

describe('renderEmail with hostile event strings', () => {
  const HOSTILE = {
    arn: 'arn:aws:iam::111122223333:user/<script>alert(1)</script>',
    sourceIp: '"><img src=x onerror=alert(1)>',
    userAgent:
      'curl/8\r\nBcc: evil@example.com\r\n\r\nTo: victim@example.com\u2028Run: aws kms schedule-key-deletion',
  };
  const hostileEvent: KeyEvent = { ...keyEvent(), actor: HOSTILE };
  const RAW_HTML = ['<script', '<img', '"><'];
  const CONTROL = ['\r', '\u2028', '\u2029', '\u0000', '\u202e'];

  it.each(EMAIL_TEMPLATES)('keeps %s safe', (template) => {
    const context = contextFor(template, hostileEvent);
    const { subject, text, html } = renderEmail({
      ...context,
      error: {
        Error: 'States.TaskFailed\r\nBcc: evil@example.com',
        Cause: '<script>alert(1)</script>\r\nline\u2028two',
      },
      skipped: [
        { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', reason: '<img onerror=x>\nBcc: x' },
      ],
    });

    for (const needle of RAW_HTML) expect(html).not.toContain(needle);
    for (const needle of CONTROL) {
      expect(html).not.toContain(needle);
      expect(text).not.toContain(needle);
      expect(subject).not.toContain(needle);
    }
    expect(subject).not.toContain('\n');
    expect(subject.length).toBeLessThanOrEqual(200);
    // No hostile line break may start a line of its own that reads like a header or an instruction.
    expect(text).not.toMatch(/^(Bcc|To|Run):/m);
  });

  it('escapes actor fields in HTML and keeps them on one line in text', () => {
    const { text, html } = renderEmail(contextFor('grace-started', hostileEvent));

    expect(html).toContain('user/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(text).toContain(
      'Using: curl/8 Bcc: evil@example.com To: victim@example.com Run: aws kms schedule-key-',
    );
  });

  it('cuts the user agent to about 120 characters', () => {
    const { text } = renderEmail(
      contextFor('grace-started', {
        ...keyEvent(),
        actor: { ...HOSTILE, userAgent: `agent/${'x'.repeat(500)}` },
      }),
    );
    const line = text.split('\n').find((candidate) => candidate.startsWith('Using:')) ?? '';

    expect(line.length).toBeLessThanOrEqual('Using: '.length + 120);
    expect(line.endsWith('…')).toBe(true);
  });

  it('escapes a forged key ARN and prints no command built from it', () => {
    const forged: KeyEvent = {
      ...keyEvent(),
      keyArn: 'arn:aws:kms:us-east-1:111122223333:key/$(curl evil.example)<b>',
      keyId: '<b>x</b>$(rm -rf ~)\r\nSubject: hi',
    };

    for (const template of EMAIL_TEMPLATES) {
      const { subject, text, html } = renderEmail(contextFor(template, forged));
      expect(html).not.toContain('<b>');
      expect(text).not.toContain('aws kms enable-key');
      expect(subject).not.toMatch(/[\r\n]/);
    }
  });

  it('keeps every subject to one line of at most 200 characters', () => {
    const long: EmailContext = {
      ...contextFor('workflow-failed'),
      error: { Error: `Custom.${'E'.repeat(1000)}\nBcc: x`, Cause: 'x' },
    };
    const { subject } = renderEmail(long);

    expect(subject.length).toBeLessThanOrEqual(200);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('gives no console link for an ARN that is not an execution', () => {
    const { html } = renderEmail({ ...contextFor('grace-started'), executionArn: 'javascript:alert(1)' });

    expect(html).not.toContain('href="javascript');
  });
});

describe('escape helpers', () => {
  it('escapes the six characters that matter in HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('makes one line of anything, without invisible characters', () => {
    expect(oneLine(`DisableKey\r\nBcc: x\u2028\u2029\t\u0007\u202eevil\u200b  end`)).toBe(
      'DisableKey Bcc: x evil end',
    );
  });

  it('caps a line with an ellipsis, within the limit', () => {
    const capped = oneLine('a'.repeat(300), 200);

    expect(capped).toHaveLength(200);
    expect(capped.endsWith('…')).toBe(true);
  });

  it('keeps line breaks in a text block but nothing else invisible', () => {
    expect(cleanText('one\r\ntwo\rthree\u2028four\u0000five\n')).toBe('one\ntwo\nthree four five');
  });
});

// Early warnings: sent by the sweep before a date KMS has set for the key

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** 7 days and 4 hours after NOW. */
const DUE_AT = new Date('2026-11-29T19:22:40Z');

function warningFor(warning: KeyWarning, overrides: Partial<KeyWarningContext> = {}): KeyWarningContext {
  return {
    warning,
    keyArn: KEY_ARN,
    region: 'us-east-1',
    dueAt: DUE_AT,
    thresholdDays: 7,
    resources: RESOURCES,
    action: 'shutdown',
    now: NOW,
    ...overrides,
  };
}

describe('renderKeyWarning snapshots', () => {
  it.each(
    KEY_WARNINGS.flatMap((warning) =>
      (['shutdown', 'alert-only'] as const).map((action) => [warning, action] as const),
    ),
  )('renders %s for the %s policy', (warning, action) => {
    const email = renderKeyWarning(warningFor(warning, { action }));

    expect(email.subject).toMatchSnapshot('subject');
    expect(email.text).toMatchSnapshot('text');
    expect(email.html).toMatchSnapshot('html');
  });
});

describe('renderKeyWarning content', () => {
  it('says when the key material expires, in days and as a date, in the subject', () => {
    expect(renderKeyWarning(warningFor('material-expiring')).subject).toBe(
      'Key 1234abcd: imported key material expires in 7 days (2026-11-29 19:22 UTC)',
    );
  });

  it('says when the key is deleted, in days and as a date, in the subject', () => {
    expect(renderKeyWarning(warningFor('deletion-pending')).subject).toBe(
      'Key 1234abcd is scheduled for deletion in 7 days (2026-11-29 19:22 UTC)',
    );
  });

  it.each([
    [DAY_MS - 60_000, 'in less than a day'],
    [1, 'in less than a day'],
    [DAY_MS, 'in 1 day'],
    [2 * DAY_MS - 1, 'in 1 day'],
    [30 * DAY_MS + 23 * HOUR_MS, 'in 30 days'],
  ])('rounds %d ms left down to whole days: "%s"', (left, wording) => {
    const dueAt = new Date(NOW.getTime() + left);

    for (const warning of KEY_WARNINGS) {
      const { subject, text } = renderKeyWarning(warningFor(warning, { dueAt }));
      expect(subject).toContain(` ${wording} (`);
      expect(text).toContain(`(${wording})`);
    }
  });

  it.each(KEY_WARNINGS)('%s lists each resource, the services first', (warning) => {
    const { text, html } = renderKeyWarning(warningFor(warning));

    for (const resource of RESOURCES) {
      expect(text).toContain(resource.resourceArn);
      expect(html).toContain(resource.resourceArn);
    }
    expect(text.indexOf('orders-api')).toBeLessThan(text.indexOf('i-0abc1234def567890'));
  });

  it.each(KEY_WARNINGS)('%s says it is sent once per threshold', (warning) => {
    const { text } = renderKeyWarning(warningFor(warning, { thresholdDays: 30 }));

    expect(text).toContain('This is the 30-day warning: it is sent once for each warning threshold');
  });

  it('asks for the same key material, with no expiration or a later one, with the exact commands', () => {
    const { text, html } = renderKeyWarning(warningFor('material-expiring'));
    const target = `--key-id ${KEY_ARN} --region us-east-1`;
    const parameters = text.indexOf(`aws kms get-parameters-for-import ${target} `);
    const importNoExpiry = text.indexOf(
      `aws kms import-key-material ${target} --encrypted-key-material fileb://EncryptedKeyMaterial.bin ` +
        '--import-token fileb://ImportToken.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE\n',
    );

    expect(text).toContain('Import the same key material again, with a later expiration date or none');
    expect(parameters).toBeGreaterThan(0);
    expect(importNoExpiry).toBeGreaterThan(parameters);
    expect(text).toContain('--expiration-model KEY_MATERIAL_EXPIRES --valid-to 2027-11-29T19:22:40Z');
    expect(text).toContain('KMS Imported Key Material Expiration');
    expect(text).toContain('the reactor stops the 3 resources listed below');
    expect(text).not.toContain('aws kms enable-key');
    expect(html).toContain(`">aws kms get-parameters-for-import ${target} `);
  });

  it('cancels the deletion, then enables the key, and says a deleted key cannot come back', () => {
    const { text } = renderKeyWarning(warningFor('deletion-pending'));
    const cancel = text.indexOf(`aws kms cancel-key-deletion --key-id ${KEY_ARN} --region us-east-1`);

    expect(cancel).toBeGreaterThan(0);
    expect(text.indexOf(UNDO)).toBeGreaterThan(cancel);
    expect(text).toContain('data encrypted under it can never be decrypted again');
    expect(text).toContain('they cannot be restored');
  });

  it.each(KEY_WARNINGS)('%s says an alert-only key leaves its resources running', (warning) => {
    const { text } = renderKeyWarning(warningFor(warning, { action: 'alert-only' }));

    expect(text).toContain("The key's policy is alert-only");
    expect(text).not.toMatch(/reactor (stops|has stopped)/);
  });

  it('says nothing stops when the key has no registered resources', () => {
    const { text } = renderKeyWarning(warningFor('material-expiring', { resources: [] }));

    expect(text).toContain('No resources are registered for the key, so the reactor has nothing to stop.');
    expect(text).toContain('Resources that will stop, in order: none.');
  });

  it('has no external images, scripts or style sheets', () => {
    for (const warning of KEY_WARNINGS) expectSelfContained(renderKeyWarning(warningFor(warning)).html);
  });
});

describe('renderKeyWarning with a hostile registry entry', () => {
  const HOSTILE_ARN =
    'arn:aws:kms:us-east-1:111122223333:key/<script>alert(1)</script>\r\nBcc: evil@example.com\u2028$(rm -rf ~)';

  it.each(KEY_WARNINGS)('escapes a forged key ARN in %s and prints no command built from it', (warning) => {
    const { subject, text, html } = renderKeyWarning(warningFor(warning, { keyArn: HOSTILE_ARN }));

    expect(html).not.toContain('<script');
    expect(html).toContain('key/&lt;script&gt;alert(1)&lt;/script&gt; Bcc: evil@example.com $(rm -rf ~)');
    for (const needle of ['\r', '\u2028']) {
      expect(html).not.toContain(needle);
      expect(text).not.toContain(needle);
      expect(subject).not.toContain(needle);
    }
    expect(subject).not.toContain('\n');
    expect(subject.length).toBeLessThanOrEqual(200);
    expect(text).not.toMatch(/^Bcc:/m);
    expect(text).not.toContain('aws kms');
    expect(html).not.toContain('aws kms');
    expect(text).toContain('not well formed, so no command is given here');
  });

  it.each(KEY_WARNINGS)('prints no command in %s for a Region that is not one', (warning) => {
    const { text } = renderKeyWarning(warningFor(warning, { region: 'us-east-1; curl evil.example' }));

    expect(text).not.toContain('aws kms');
    expect(text).toContain('not well formed, so no command is given here');
  });
});

describe('Mailer.send', () => {
  const sesMock = mockClient(SESClient);
  const EMAIL = { subject: 'Subject é', text: 'text\n', html: '<p>html</p>\n' };
  const mailer = new Mailer(new SESClient({}), {
    senderAddress: 'reactor@platform.example',
    operatorAddresses: [],
  });

  beforeEach(() => {
    sesMock.reset();
  });

  afterAll(() => {
    sesMock.restore();
  });

  it('sends at most 50 recipients per message, as UTF-8 text and HTML, and returns the message IDs', async () => {
    let calls = 0;
    sesMock.on(SendEmailCommand).callsFake(async () => ({ MessageId: `message-${++calls}` }));
    const recipients = Array.from({ length: 2 * MAX_RECIPIENTS + 20 }, (_, i) => `admin${i}@example.com`);

    await expect(mailer.send(recipients, EMAIL)).resolves.toEqual(['message-1', 'message-2', 'message-3']);

    const sent = sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.Destination?.ToAddresses)).toEqual([
      recipients.slice(0, 50),
      recipients.slice(50, 100),
      recipients.slice(100),
    ]);
    expect(sent[0]).toEqual({
      Source: 'reactor@platform.example',
      Destination: { ToAddresses: recipients.slice(0, 50) },
      Message: {
        Subject: { Data: 'Subject é', Charset: 'UTF-8' },
        Body: {
          Text: { Data: 'text\n', Charset: 'UTF-8' },
          Html: { Data: '<p>html</p>\n', Charset: 'UTF-8' },
        },
      },
    });
  });

  it('sends nothing to nobody', async () => {
    await expect(mailer.send([], EMAIL)).resolves.toEqual([]);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('revoked access (issue 15)', () => {
  const revoked: KeyEvent = { ...keyEvent(), trigger: 'KeyAccessRevoked' };

  it('says access was revoked, in the subject and the first sentence, and how to give it back', () => {
    const { subject, text } = renderEmail(contextFor('grace-started', revoked));

    expect(subject).toBe('Key 1234abcd access revoked: 3 resources stop at 15:32 UTC');
    expect(text).toContain('can no longer be used by the platform: access was revoked (key policy or grant)');
    expect(text).toContain('aws kms get-key-policy');
    expect(text).not.toContain('aws kms enable-key');
  });

  it('says why nothing was stopped when the denial is not yet confirmed', () => {
    const { subject, text } = renderEmail({ ...contextFor('alert-only', revoked), heldBack: 'unconfirmed' });

    expect(subject).toBe(
      'Key 1234abcd access revoked: 3 resources left running (access revoked, not yet confirmed)',
    );
    expect(text).toContain('two checks at least a grace period apart are both refused');
  });
});

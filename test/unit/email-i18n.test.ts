import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { en } from '../../lambdas/shared/email/i18n/en';
import { ja } from '../../lambdas/shared/email/i18n/ja';
import {
  renderDatabaseWarning,
  renderDigest,
  renderEmail,
  renderKeyWarning,
} from '../../lambdas/shared/email/render';
import {
  type DatabaseWarningContext,
  type DigestContext,
  EMAIL_TEMPLATES,
  type EmailContext,
  type EmailTemplate,
  KEY_WARNINGS,
  type KeyWarning,
  type KeyWarningContext,
} from '../../lambdas/shared/email/types';
import { sample } from '../support/samples';

const NOW = new Date('2026-11-22T15:22:40Z');
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EXECUTION_NAME = 'disable-1234abcd-20261122T152233Z-3f1b8c9e';
const EXECUTION_ARN = `arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:${EXECUTION_NAME}`;
const RESOURCES: EmailContext['resources'] = [
  {
    resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
    kind: 'ecs-service',
    layer: 'service',
  },
  { resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', kind: 'rds-instance', layer: 'server' },
];
const event = parseKeyEvent(sample('disable-key-cli.json'), { allowedAccounts: [] });

function contextFor(template: EmailTemplate, overrides: Partial<EmailContext> = {}): EmailContext {
  return {
    template,
    event,
    resources: RESOURCES,
    executionArn: EXECUTION_ARN,
    now: NOW,
    audience: 'administrators',
    language: 'ja',
    ...(template === 'grace-started' ? { graceSeconds: 600 } : {}),
    ...(template === 'shutdown-complete'
      ? { skipped: [{ resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders', reason: 'not tagged' }] }
      : {}),
    ...(template === 'workflow-failed'
      ? {
          error: { Error: 'KeyAccessDeniedError', Cause: '{"errorMessage":"denied"}' },
          audience: 'operators' as const,
        }
      : {}),
    ...overrides,
  };
}

function warningFor(warning: KeyWarning): KeyWarningContext {
  return {
    warning,
    keyArn: KEY_ARN,
    region: 'us-east-1',
    dueAt: new Date('2026-11-29T10:00:00Z'),
    thresholdDays: 7,
    resources: RESOURCES,
    action: 'shutdown',
    now: NOW,
    language: 'ja',
  };
}

const DATABASE_WARNING: DatabaseWarningContext = {
  keyArn: KEY_ARN,
  region: 'us-east-1',
  database: {
    resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders',
    kind: 'rds-instance',
    layer: 'server',
  },
  unrecoverableAt: new Date('2026-11-25T09:30:00Z'),
  day: 5,
  now: NOW,
  language: 'ja',
  keyAlias: 'alias/orders-db',
};

const DIGEST: DigestContext = {
  keys: [
    {
      keyArn: KEY_ARN,
      risks: [
        { kind: 'failed-runs', runs: [{ name: EXECUTION_NAME, status: 'FAILED', stoppedAt: NOW }] },
        { kind: 'deletion-pending', dueAt: new Date('2026-12-02T10:00:00Z') },
        { kind: 'material-expiring', dueAt: new Date('2026-12-10T10:00:00Z'), keyMaterialId: 'a'.repeat(64) },
        {
          kind: 'cannot-stop',
          resources: ['r1 (available)', 'r2 (available)', 'r3 (available)', 'r4 (available)'],
        },
      ],
    },
  ],
  keysUnread: ['arn:aws:kms:us-east-1:111122223333:key/5678efab-12ab-34cd-56ef-1234567890ab'],
  since: new Date('2026-11-15T15:22:40Z'),
  now: NOW,
  language: 'ja',
};

/** Latin letters outside ARNs, commands, AWS names and identifiers would be English left untranslated. */
function englishWordsIn(text: string): string[] {
  const words = text.match(/\b[a-z]{4,}\b(?![-:/.])/g) ?? [];
  const allowed = new Set(['alert', 'only', 'disable', 'enable', 'event', 'denied', 'tagged', 'disabled']);
  return words.filter((word) => !allowed.has(word));
}

describe('Japanese emails', () => {
  it.each(EMAIL_TEMPLATES)('renders %s in Japanese (text and HTML)', (template) => {
    const email = renderEmail(contextFor(template));
    expect(email).toMatchSnapshot();
    expect(email.html).toContain('<html lang="ja">');
    expect(englishWordsIn(email.subject)).toEqual([]);
  });

  it.each(KEY_WARNINGS)('renders the %s warning in Japanese (text and HTML)', (warning) => {
    const email = renderKeyWarning(warningFor(warning));
    expect(email).toMatchSnapshot();
    expect(email.html).toContain('<html lang="ja">');
  });

  it('renders the material-expiring warning for one of several key materials in Japanese', () => {
    const email = renderKeyWarning({
      ...warningFor('material-expiring'),
      material: { keyMaterialId: 'a'.repeat(64), current: false },
    });
    expect(email).toMatchSnapshot();
    expect(email.subject).toBe(
      'キー 1234abcd: 鍵マテリアル aaaaaaaa の有効期限まであと6日 (2026年11月29日 10:00 UTC)',
    );
    expect(email.text).toContain('以前の鍵マテリアル');
  });

  it('renders the database-unrecoverable countdown in Japanese (text and HTML)', () => {
    const email = renderDatabaseWarning(DATABASE_WARNING);
    expect(email).toMatchSnapshot();
    expect(email.html).toContain('<html lang="ja">');
    expect(email.subject).toBe(
      'キー 1234abcd (alias/orders-db) のデータベース orders: キーを復旧しない場合、2026年11月25日 09:30 UTC に復旧できなくなります',
    );
    expect(email.text).toContain('7 日中 5 日目');
  });

  it('has the weekly digest in Japanese too, though the operators get it in English', () => {
    const email = renderDigest(DIGEST);
    expect(email).toMatchSnapshot();
    expect(email.html).toContain('<html lang="ja">');
    expect(email.subject).toBe('キーリアクター週次ダイジェスト: リスクのあるキー 1 件');
    expect(email.text).toContain('4 件: r1 (available); r2 (available); r3 (available) ほか 1 件');
    expect(englishWordsIn(email.subject)).toEqual([]);
  });

  it('writes dates unambiguously, with the year, month, day and UTC', () => {
    expect(renderEmail(contextFor('grace-started')).text).toContain('2026年11月22日 15:32 UTC');
  });

  it('underlines a Japanese title as wide as it shows in a monospaced font', () => {
    const [title = '', rule = ''] = renderEmail(contextFor('shutdown-complete')).text.split('\n');
    expect(rule).toMatch(/^=+$/);
    expect(rule.length).toBeGreaterThan(title.length);
  });

  it('has every string of the English catalogue', () => {
    // The interface makes this a type error already; this catches a section left as an empty object.
    const keysOf = (value: object): string[] =>
      Object.entries(value).flatMap(([key, inner]) =>
        inner && typeof inner === 'object' && !Array.isArray(inner)
          ? keysOf(inner).map((k) => `${key}.${k}`)
          : [key],
      );
    expect(keysOf(ja).sort()).toEqual(keysOf(en).sort());
  });
});

describe('Japanese emails for revoked access (issue 15)', () => {
  const revoked = { ...event, trigger: 'KeyAccessRevoked' as const };
  const restored = { ...event, workflow: 'enable' as const, trigger: 'KeyAccessRestored' as const };
  const REVOKED = 'キー 1234abcd が使用できなくなりました (アクセス権の取り消し)';
  const cases = [
    ['grace-started', {}, REVOKED],
    ['shutdown-complete', {}, REVOKED],
    ['alert-only', { heldBack: 'unconfirmed' as const }, REVOKED],
    ['key-usable-again', {}, 'キー 1234abcd は再び使用可能です'],
  ] as const;

  it.each(cases)(
    'renders %s for revoked access in Japanese (text and HTML)',
    (template, overrides, subject) => {
      const email = renderEmail(contextFor(template, { event: revoked, ...overrides }));
      expect(email).toMatchSnapshot();
      expect(email.html).toContain('<html lang="ja">');
      expect(email.subject).toContain(subject);
      expect(englishWordsIn(email.subject)).toEqual([]);
      expect(email.text).toContain('アクセス権が取り消され、プラットフォームから使用できなくなりました');
    },
  );

  it('says how to give the platform its access back, not to enable the key', () => {
    const { text } = renderEmail(contextFor('grace-started', { event: revoked }));
    expect(text).toContain('プラットフォームのアクセス権を元に戻してください');
    expect(text).toContain('aws kms get-key-policy');
    expect(text).not.toContain('aws kms enable-key');
  });

  it('says why nothing was stopped while the revocation is not yet confirmed', () => {
    const { subject, text } = renderEmail(
      contextFor('alert-only', { event: revoked, heldBack: 'unconfirmed' }),
    );
    expect(subject).toContain('(アクセス権の取り消しは未確定)');
    expect(text).toContain('猶予期間以上の間隔を空けた 2 回の確認がどちらも拒否された場合だけです');
    expect(text).not.toContain('not yet confirmed');
  });

  it('renders the restoration in Japanese, and in English with the console link for the operators', () => {
    const administrators = renderEmail(contextFor('service-restored', { event: restored }));
    expect(administrators).toMatchSnapshot();
    expect(administrators.html).toContain('<html lang="ja">');
    const operators = renderEmail(
      contextFor('service-restored', { event: restored, audience: 'operators', language: 'en' }),
    );
    expect(operators.html).toContain('<html lang="en">');
    expect(operators.html).toContain('console.aws.amazon.com/states');
  });
});

describe('emails the reader can act on', () => {
  it('puts the date in the subject when the stop time is not on the day the email is sent', () => {
    const lateEvening = new Date('2026-11-22T23:50:00Z');
    const tomorrow = renderEmail(contextFor('grace-started', { now: lateEvening, language: 'en' }));
    expect(tomorrow.subject).toBe('Key 1234abcd disabled: 2 resources stop at 2026-11-23 00:00 UTC');
    const longGrace = renderEmail(contextFor('grace-started', { graceSeconds: 86_400, language: 'en' }));
    expect(longGrace.subject).toContain('stop at 2026-11-23 15:22 UTC');
    const today = renderEmail(contextFor('grace-started', { language: 'en' }));
    expect(today.subject).toBe('Key 1234abcd disabled: 2 resources stop at 15:32 UTC');
    expect(renderEmail(contextFor('grace-started', { now: lateEvening })).subject).toContain(
      '2026年11月23日 00:00 UTC',
    );
  });

  it('says how to undo the change right after the first paragraph, before the resources and who changed it', () => {
    for (const template of ['grace-started', 'shutdown-complete', 'alert-only'] as const) {
      const { text } = renderEmail(contextFor(template, { language: 'en' }));
      const undo = text.indexOf('aws kms enable-key');
      const firstParagraphEnd = text.indexOf('\n\n', text.indexOf('The customer key'));
      expect(undo).toBeGreaterThan(firstParagraphEnd);
      expect(text.lastIndexOf('\n\n', undo - 6)).toBeLessThan(text.indexOf('Resources'));
      expect(undo).toBeLessThan(text.indexOf('Who changed the key'));
    }
  });

  it("links the Step Functions console only in the operators' copy", () => {
    for (const template of EMAIL_TEMPLATES) {
      const operators = renderEmail(contextFor(template, { audience: 'operators', language: 'en' }));
      expect(operators.html).toContain('console.aws.amazon.com/states');
      const administrators = renderEmail(
        contextFor(template, { audience: 'administrators', language: 'en' }),
      );
      expect(administrators.html).not.toContain('console.aws.amazon.com');
      expect(administrators.text).not.toContain('console.aws.amazon.com');
    }
    const { text } = renderEmail(contextFor('grace-started', { language: 'en' }));
    expect(text).toContain(`give them this reference: ${EXECUTION_NAME}`);
  });

  it("shows the key's alias beside its ID in the subject and the first paragraph", () => {
    const email = renderEmail(contextFor('grace-started', { language: 'en', keyAlias: 'alias/orders-db' }));
    expect(email.subject).toBe('Key 1234abcd (alias/orders-db) disabled: 2 resources stop at 15:32 UTC');
    expect(email.text).toContain(`The customer key ${KEY_ARN} (alias/orders-db) was disabled`);
    const warning = renderKeyWarning({ ...warningFor('deletion-pending'), keyAlias: 'alias/orders-db' });
    expect(warning.subject).toContain('キー 1234abcd (alias/orders-db)');
  });

  it("renders the sweep's own emails in English for the operators, with no console link for anyone", () => {
    const database = renderDatabaseWarning({ ...DATABASE_WARNING, language: 'en' });
    expect(database.subject).toBe(
      'Database orders on key 1234abcd (alias/orders-db): unrecoverable on 2026-11-25 09:30 UTC unless the key is restored',
    );
    expect(database.text).toMatch(/Day: +5 of 7/);
    const digest = renderDigest({ ...DIGEST, language: 'en' });
    expect(digest.subject).toBe('Key reactor weekly digest: 1 key at risk');
    // In the digest's order, whatever order the checks found them in.
    const text = digest.text;
    expect(text.indexOf('Deletion within 30 days')).toBeLessThan(
      text.indexOf('Failed runs in the last 7 days'),
    );
    expect(text).toContain(`key material ${'a'.repeat(64)} expires at 2026-12-10 10:00 UTC`);
    for (const email of [database, digest]) expect(email.html).not.toContain('console.aws.amazon.com');
  });

  it('escapes an alias like any other string', () => {
    const { html } = renderEmail(contextFor('grace-started', { keyAlias: 'alias/<b>x</b>' }));
    expect(html).toContain('alias/&lt;b&gt;x&lt;/b&gt;');
  });

  it('lets a command wrap on a narrow screen', () => {
    const { html } = renderEmail(contextFor('grace-started', { language: 'en' }));
    expect(html).toMatch(/<code style="[^"]*white-space:pre-wrap;word-break:break-all/);
  });
});

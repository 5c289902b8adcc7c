import { storeOnMoto } from './on-moto';

/**
 * The email log (lambdas/shared/store/email-log.ts) against moto's DynamoDB, whose conditional writes
 * decide: which execution sends which email, once.
 */

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EVENT_TIME = '2026-11-22T15:22:33Z';

/** The store's time: when a workflow sees the key usable. */
let now = new Date(EVENT_TIME);
const store = storeOnMoto(() => now);
const log = () => store().emailLog;

/** What a workflow's DescribeKey records when it reads the key usable, at `at`. */
async function keySeenUsable(at: Date): Promise<void> {
  now = at;
  await log().keySeenUsable(KEY);
}

/** Claims and, when allowed, marks sent: what the notify step does around its SES call. */
async function send(executionName: string, template: string, usable = false, eventTime = EVENT_TIME) {
  const decision = await log().claim({
    keyArn: KEY,
    executionName,
    template,
    eventTime,
    keyUsable: async () => usable,
  });
  if (decision.send) await decision.sent();
  return decision.send ? 'sent' : decision.reason;
}

it('sends each email of an unusable episode once, whichever workflow gets there first', async () => {
  expect(await send('disable-a', 'grace-started')).toBe('sent');
  expect(await send('disable-b', 'grace-started')).toBe(
    'disable-a sent it already while the key has been unusable',
  );
  expect(await send('disable-b', 'shutdown-complete')).toBe('sent');
  expect(await send('disable-a', 'shutdown-complete')).toMatch(/^disable-b sent it already/);

  // A workflow sees the key usable: the episode is over, the next change is announced again.
  await keySeenUsable(new Date('2026-11-22T15:30:00Z'));
  expect(await send('disable-c', 'grace-started', false, '2026-11-22T15:40:00Z')).toBe('sent');
});

it('makes a retried step idempotent once SES took the email, and resends when it may not have', async () => {
  expect(await send('disable-a', 'grace-started')).toBe('sent');
  expect(await send('disable-a', 'grace-started')).toBe('this execution sent it already (a retried step)');

  // An attempt that claimed the email, then failed before SES answered: the retry sends.
  const first = await log().claim({
    keyArn: KEY,
    executionName: 'enable-a',
    template: 'service-restored',
    eventTime: EVENT_TIME,
    keyUsable: async () => true,
  });
  expect(first.send).toBe(true);
  expect(await send('enable-a', 'service-restored')).toBe('sent');
  expect(await send('enable-a', 'service-restored')).toMatch(/already/);
  // Another execution's restore is its own email.
  expect(await send('enable-b', 'service-restored')).toBe('sent');
});

it('calls off only a grace period this execution announced', async () => {
  expect(await send('disable-a', 'grace-started')).toBe('sent');
  expect(await send('disable-b', 'grace-started')).toMatch(/already/);

  expect(await send('disable-b', 'key-usable-again')).toBe(
    'this execution sent no grace-period email, so there is nothing to call off',
  );
  expect(await send('disable-a', 'key-usable-again')).toBe('sent');
});

it('sends no grace-period email for a key seen usable after the event, but does for a fresh flip', async () => {
  // Seen usable after the event: its enable was handled already.
  await keySeenUsable(new Date('2026-11-22T15:25:00Z'));
  expect(await send('disable-late', 'grace-started', true)).toMatch(
    /^the key is usable, and was seen usable at/,
  );

  // Usable now, but not seen so since the event: disabled and enabled at once, both events on their way.
  expect(await send('disable-flip', 'grace-started', true, '2026-11-22T15:26:00Z')).toBe('sent');
});

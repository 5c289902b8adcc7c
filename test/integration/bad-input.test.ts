import '../support/warn-logs';
import { sentEmails } from '../../sandbox/aws-calls';
import type { EventBridgeEvent } from '../../sandbox/cloudtrail';
import type { LocalReactor } from '../../sandbox/reactor';
import { deliver, freshKeyWorldEachCase, trailEvent } from '../support/key-world';

// Bad input through the whole intake: moto's EventBridge with the deployed rules where the rules have a
// say, then the real dispatcher, then (for what is accepted) the real workflow and its emails. Each bad
// event is rejected or made safe with exactly one warning line from the dispatcher, and nothing stops.
// The parser's own cases are in test/unit/key-event.test.ts and the escaping in test/unit/email.test.ts.

const STOPS = ['UpdateService', 'StopInstances', 'StopDBInstance', 'StopDBCluster', 'SuspendProcesses'];

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly function_name?: string;
  readonly [field: string]: unknown;
}

let reactor: LocalReactor;
let keyArn: string;
freshKeyWorldEachCase(
  { graceMs: 20, graceSeconds: 600, pollMs: 5, retryMs: 20 },
  { instances: 1, database: false },
  (world) => {
    ({ reactor, keyArn } = world);
  },
);
let lines: LogLine[];
let restore: (() => void) | undefined;

beforeEach(() => {
  // Powertools Logger writes JSON lines to stdout, and warnings to stderr: the tests read both.
  lines = [];
  const capture = (stream: NodeJS.WriteStream) => {
    const write = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      // A log line is kept for the test, and not printed: the output stays readable.
      if (text.startsWith('{"level"')) {
        lines.push(JSON.parse(text) as LogLine);
        return true;
      }
      return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  };
  const undo = [capture(process.stdout), capture(process.stderr)];
  restore = () => {
    for (const fn of undo) fn();
  };
});

afterEach(async () => {
  await reactor.settle();
  restore?.();
});

/** The dispatcher's warning lines (its function name is on every line it writes). */
function dispatcherWarnings(): LogLine[] {
  return lines.filter((line) => line.level === 'WARN' && line.function_name === 'key-reactor-dispatcher');
}

function stopsMade(): string[] {
  return reactor.calls.calls.filter((call) => STOPS.includes(call.operation)).map((call) => call.operation);
}

const disableEvent = (): EventBridgeEvent => structuredClone(trailEvent(reactor, keyArn, 'DisableKey'));

/** Delivers a rejected event to the dispatcher and returns the one warning line it wrote. */
async function rejection(event: unknown): Promise<LogLine> {
  const outcome = await deliver(reactor, event as EventBridgeEvent);
  expect(outcome.accepted).toBe(false);
  const warnings = dispatcherWarnings();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.reason).toBe(outcome.reason);
  expect(reactor.executions).toEqual([]);
  expect(stopsMade()).toEqual([]);
  return warnings[0] as LogLine;
}

describe('rejected, with one warning line, nothing started', () => {
  it('an event without detail', async () => {
    const { detail: _, ...event } = disableEvent();
    expect(await rejection(event)).toMatchObject({
      message: 'Event rejected',
      reason: 'Event has no detail object',
    });
  });

  it('an event that names no key: the rule matches it, the dispatcher refuses it', async () => {
    // Prepare: no key resource, no requestParameters.keyId.
    const event = disableEvent();
    event.detail.resources = [];
    event.detail.requestParameters = {};

    // Act: through moto's EventBridge and the deployed rule first.
    const [outcome] = await reactor.publish(event);

    // Assess
    expect(outcome?.accepted).toBe(false);
    const warnings = dispatcherWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.reason).toBe(
      'No key identified: the event has no key resource and no requestParameters.keyId',
    );
    expect(reactor.executions).toEqual([]);
    expect(stopsMade()).toEqual([]);
  });

  it('fields of the wrong type', async () => {
    const event = disableEvent() as unknown as { detail: Record<string, unknown> };
    event.detail.eventName = 42;
    expect((await rejection(event)).reason).toBe(
      'CloudTrail detail is malformed at eventName: Invalid input: expected string, received number',
    );
  });

  it('an unknown event name: no rule matches it, and the dispatcher would refuse it', async () => {
    // Prepare
    const event = disableEvent();
    event.detail.eventName = 'TagResource';

    // Act and assess: EventBridge delivers nothing...
    expect(await reactor.publish(event)).toEqual([]);
    // ...and a delivery that got through anyway (a hand-made rule, a replay) is refused.
    expect((await rejection(event)).reason).toMatch(
      /^Unknown eventName "TagResource": the reactor acts on DisableKey/,
    );
  });

  it("an event whose key is not in the event's account", async () => {
    const event = disableEvent();
    const foreignKey = keyArn.replace(`:${reactor.place.account}:`, ':111122223333:');
    event.detail.resources = [{ type: 'AWS::KMS::Key', ARN: foreignKey }];
    event.detail.requestParameters = { keyId: foreignKey };
    expect((await rejection(event)).reason).toBe(
      `Key "${foreignKey}" is not in the event's account and Region (${reactor.place.account}, us-east-1)`,
    );
  });

  it('an event from an account the reactor does not serve', async () => {
    const event = disableEvent();
    const foreignKey = keyArn.replace(`:${reactor.place.account}:`, ':444455556666:');
    (event as { account: string }).account = '444455556666';
    event.detail.resources = [{ type: 'AWS::KMS::Key', ARN: foreignKey }];
    event.detail.requestParameters = { keyId: foreignKey };
    expect((await rejection(event)).reason).toBe(
      `Account 444455556666 is not one the reactor serves (allowed: ${reactor.place.account})`,
    );
  });
});

describe('accepted and made safe, with one warning line', () => {
  it('a 250 KB user agent, through the rules: cut to 512 characters, a short execution input and email', async () => {
    // Prepare: near EventBridge's 256 KB limit for one event.
    const event = disableEvent();
    event.detail.userAgent = `aws-cli/2.15.30 ${'x'.repeat(250 * 1024)}`;

    // Act
    const [outcome] = await reactor.publish(event);
    await reactor.settle();

    // Assess
    expect(outcome?.accepted).toBe(true);
    expect(dispatcherWarnings()).toEqual([
      expect.objectContaining({
        message: 'Event accepted with untrusted actor fields made safe',
        notes: [`userAgent cut from ${250 * 1024 + 16} to 512 characters`],
      }),
    ]);
    const [execution] = reactor.executions;
    expect(execution?.input.actor?.userAgent).toHaveLength(512);
    expect(JSON.stringify(execution?.input).length).toBeLessThan(2000);
    const emails = sentEmails(reactor.calls);
    expect(emails.length).toBeGreaterThan(0);
    for (const email of emails) {
      expect(email.text.length + email.html.length).toBeLessThan(40_000);
      expect(email.text).not.toContain('x'.repeat(600));
    }
    // The key was never disabled: the workflow read it Enabled and stopped nothing.
    expect(stopsMade()).toEqual([]);
  });

  it('HTML, CR/LF and U+2028 in the actor fields: escaped in the email, one line per header', async () => {
    // Prepare
    const event = disableEvent();
    const identity = event.detail.userIdentity as Record<string, unknown>;
    identity.arn = `arn:aws:iam::${reactor.place.account}:user/<script>alert(1)</script>`;
    event.detail.sourceIPAddress = '"><img src=x onerror=alert(1)>';
    event.detail.userAgent = 'curl\r\nBcc: evil@example.com\u2028X-Injected: yes';

    // Act
    const [outcome] = await reactor.publish(event);
    await reactor.settle();

    // Assess
    expect(outcome?.accepted).toBe(true);
    const warnings = dispatcherWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.notes).toEqual([
      'userIdentity.arn has HTML markup characters, escaped in emails',
      'sourceIPAddress has HTML markup characters, escaped in emails',
      'userAgent has control or line-separator characters, replaced in emails',
    ]);
    const [grace] = sentEmails(reactor.calls);
    if (!grace) throw new Error('no grace-period email');
    expect(grace.subject).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(grace.html).not.toContain('<script>');
    expect(grace.html).not.toContain('<img');
    expect(grace.html).toContain('&lt;script&gt;');
    expect(grace.text).not.toMatch(/[\r\u2028\u2029]/);
    expect(grace.text).not.toMatch(/^Bcc:/m);
    expect(grace.text).toContain('curl Bcc: evil@example.com X-Injected: yes');
    expect(stopsMade()).toEqual([]);
  });
});

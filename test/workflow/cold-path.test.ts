import type { AwsCall } from '../../sandbox/aws-calls';
import type { LocalReactor } from '../../sandbox/reactor';
import { customerCalls, freshKeyWorldEachCase, statesEntered } from '../support/key-world';

// The cold path: how many Lambda functions run, each a possible cold start, between a change of the key
// and the first call that stops or starts one of its resources. The real ASL files run on
// aws-local-stepfunctions with the real handlers in-process against moto; every invocation and every
// AWS call goes into one ordered log, so the count does not hang on clock resolution.

let reactor: LocalReactor;
let keyArn: string;

freshKeyWorldEachCase({ graceMs: 30, graceSeconds: 600, pollMs: 5, retryMs: 20 }, {}, (world) => {
  ({ reactor, keyArn } = world);
});

type Entry =
  | { readonly type: 'invoke'; readonly folder: string; readonly event: unknown }
  | { readonly type: 'call'; readonly call: AwsCall };

/** Records, in the order they happen, each function invoked (as it starts) and each AWS call (as it ends). */
function recordInOrder(): Entry[] {
  const log: Entry[] = [];
  const invoke = reactor.invoke.bind(reactor);
  jest.spyOn(reactor, 'invoke').mockImplementation((folder, event) => {
    log.push({ type: 'invoke', folder, event });
    return invoke(folder, event);
  });
  reactor.calls.onCall((call) => log.push({ type: 'call', call }));
  return log;
}

/** The functions invoked from `from` (an index in the log) up to the first call `acts` picks, in order. */
function invokedBefore(log: readonly Entry[], acts: (call: AwsCall) => boolean, from = 0): string[] {
  const first = log.findIndex((entry, index) => index >= from && entry.type === 'call' && acts(entry.call));
  if (first < 0) throw new Error('no call acted on the fleet');
  return log.slice(from, first).flatMap((entry) => (entry.type === 'invoke' ? [entry.folder] : []));
}

const isStart = (call: AwsCall) => !call.error && call.operation === 'StartInstances';
const isStop = (call: AwsCall) =>
  !call.error &&
  (['StopInstances', 'StopDBInstance', 'StopDBCluster', 'SuspendProcesses'].includes(call.operation) ||
    (call.operation === 'UpdateService' && call.input.desiredCount === 0));

afterEach(() => jest.restoreAllMocks());

describe('the cold path', () => {
  it('runs three functions from the enable event to the first StartInstances: the dispatcher, one step, the start', async () => {
    // Prepare: the fleet stopped by a disable run, then a clean log.
    await reactor.publish(await customerCalls(reactor, keyArn, 'DisableKey'));
    await reactor.settle();
    expect(reactor.executions[0]?.status).toBe('SUCCEEDED');
    const log = recordInOrder();

    // Act: the customer enables the key; EventBridge hands the event to the dispatcher.
    await reactor.publish(await customerCalls(reactor, keyArn, 'EnableKey'));
    await reactor.settle();

    // Assess: before, the lease, the key check and the ledger count were three steps (five functions).
    const enable = reactor.executions[1];
    expect(enable?.status).toBe('SUCCEEDED');
    expect(statesEntered(enable ?? ({ events: [] } as never))).toContain('Service restored');
    expect(invokedBefore(log, isStart)).toEqual(['dispatcher', 'describe-key', 'start-resources']);
  });

  it('runs two functions from the end of the grace period to the first stop: one step, the stop', async () => {
    // Prepare
    const log = recordInOrder();

    // Act
    await reactor.publish(await customerCalls(reactor, keyArn, 'DisableKey'));
    await reactor.settle();

    // Assess: the grace period starts with its email; what runs after it comes after the wait.
    expect(reactor.executions[0]?.status).toBe('SUCCEEDED');
    const graceEmail = log.findIndex(
      (entry) =>
        entry.type === 'invoke' &&
        entry.folder === 'notify' &&
        (entry.event as { template?: string }).template === 'grace-started',
    );
    expect(graceEmail).toBeGreaterThan(0);
    expect(invokedBefore(log, isStop)).toEqual([
      'dispatcher',
      'list-resources',
      'notify',
      'describe-key',
      'stop-resources',
    ]);
    expect(invokedBefore(log, isStop, graceEmail + 1)).toEqual(['describe-key', 'stop-resources']);
  });
});

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+), as sandbox/local-workflows.ts notes.
import 'core-js/actual/promise/with-resolvers';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateMachine } from 'aws-local-stepfunctions';
import { VirtualClock, VirtualClockStalledError } from '../../bench/model/virtual-clock';

// The bench's virtual clock: time moves only to the next timer, and only while nothing real is in flight;
// aws-local-stepfunctions' Wait states, TimeoutSeconds and Retry intervals follow it.

let clock: VirtualClock | undefined;
let server: Server;
let port: number;
/** The server answers after this many real milliseconds. */
const SLOW_MS = 150;
/** Taken before any clock is installed: the server's delay is real. */
const realSetTimeout = globalThis.setTimeout;
const realMs = () => Number(process.hrtime.bigint()) / 1e6;

beforeAll(async () => {
  server = createServer((_, response) => {
    realSetTimeout(() => response.end('ok'), SLOW_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

const virtualSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real HTTP request, not wrapped by anything of the model: counted by the clock's HTTP watch alone. */
function slowRequest(): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/`, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += String(chunk);
      });
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('the virtual clock', () => {
  it('stands still while a real request is in flight, then fires the timers in order', async () => {
    // Prepare
    clock = VirtualClock.install({ now: Date.UTC(2026, 0, 1) });
    const installed = clock;
    const order: string[] = [];

    // Act: a 10 ms virtual timer set while a request that takes 150 real ms is in flight.
    const elapsed = await installed.run(async () => {
      const started = Date.now();
      await Promise.all([
        slowRequest().then(() => order.push(`request at +${Date.now() - started}`)),
        virtualSleep(10).then(() => order.push(`10 ms timer at +${Date.now() - started}`)),
        virtualSleep(5_000).then(() => order.push(`5 s timer at +${Date.now() - started}`)),
      ]);
      return Date.now() - started;
    });

    // Assess: the request ended at virtual +0, before any timer; the clock moved by the timers alone.
    expect(order).toEqual(['request at +0', '10 ms timer at +10', '5 s timer at +5000']);
    expect(elapsed).toBe(5_000);
    expect(installed.elapsedMs()).toBe(5_000);
  });

  it('runs Wait states, a Task timeout and its Retry interval of an ASL definition in modelled time', async () => {
    // Prepare: two branches waiting 300 s and 20 s; a Task that takes 8 s against its 5 s timeout, retried
    // after 3 s, then answering at once.
    clock = VirtualClock.install({ now: Date.UTC(2026, 0, 1) });
    const installed = clock;
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 300, End: true } } },
            { StartAt: 'Short', States: { Short: { Type: 'Wait', Seconds: 20, End: true } } },
          ],
          Next: 'Slow task',
        },
        'Slow task': {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:slow',
          TimeoutSeconds: 5,
          Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 1 }],
          End: true,
        },
      },
    };
    const attempts: number[] = [];
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const realStarted = realMs();

    // Act
    const { events, startedAt } = await installed.run(async () => {
      const startedAt = Date.now();
      const run = machine.run(
        {},
        {
          overrides: {
            taskResourceLocalHandlers: {
              'Slow task': async () => {
                attempts.push(Date.now());
                if (attempts.length === 1) await virtualSleep(8_000);
                return { done: true };
              },
            },
          },
        },
      );
      const events: { type: string; at: number; name?: string }[] = [];
      for await (const event of run.eventLogs) {
        const name = 'state' in event ? event.state.name : undefined;
        events.push({ type: event.type, at: event.timestamp - startedAt, name });
      }
      await run.result;
      return { events, startedAt };
    });

    // Assess: the short Wait exits at 20 s, the long at 300 s; the Task's first attempt times out at 305 s
    // and the second starts 3 s later, at 308 s, and succeeds there. It took far less real time than modelled.
    const exited = (name: string) =>
      events.find((event) => event.type === 'StateExited' && event.name === name)?.at;
    expect(exited('Short')).toBe(20_000);
    expect(exited('Long')).toBe(300_000);
    expect(attempts.map((at) => at - startedAt)).toEqual([300_000, 308_000]);
    expect(exited('Slow task')).toBe(308_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(308_000);
    expect(realMs() - realStarted).toBeLessThan(30_000);
  });

  it('fails loudly when nothing can make progress', async () => {
    // Prepare
    clock = VirtualClock.install({ watchdogMs: 200 });

    // Act, Assess: no timer, no request, a promise nobody settles.
    await expect(clock.run(new Promise(() => undefined))).rejects.toBeInstanceOf(VirtualClockStalledError);
  });

  it('gives the real timers back on uninstall', async () => {
    // Prepare
    clock = VirtualClock.install({ now: 0 });
    expect(Date.now()).toBe(0);

    // Act
    clock.uninstall();

    // Assess: a real timer fires without anyone driving it, and Date is real again.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(Date.now()).toBeGreaterThan(Date.UTC(2026, 0, 1));
  });
});

import { channel } from 'node:diagnostics_channel';
import { type Clock as FakeClock, withGlobal } from '@sinonjs/fake-timers';

/**
 * Modelled time for the bench. AWS's own rate limits make an enable of 8,000 instances take an hour, which
 * the bench cannot wait: the process runs on a fake clock (timers, Date and performance.now) that stands
 * still while real work happens (a call to moto, the CPU) and moves only to the next modelled delay, a
 * Wait state, a retry backoff, an API's latency, once nothing real is left to do.
 *
 * setImmediate, process.nextTick and queueMicrotask stay real: the driver needs them to see the process
 * go idle, and no modelled delay is made of them.
 */

/** The originals, taken before any clock is installed: the driver and its watchdog live in real time. */
const real = {
  setTimeout: globalThis.setTimeout.bind(globalThis),
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  setImmediate: globalThis.setImmediate.bind(globalThis),
};
const realMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Real milliseconds from an arbitrary origin, whatever clock is installed: for timing the bench itself. */
export const realMilliseconds = realMs;
const realTurn = (): Promise<void> => new Promise((resolve) => real.setImmediate(resolve));

export interface VirtualClockOptions {
  /** Virtual epoch milliseconds at install. @default the real Date.now() */
  readonly now?: number;
  /** Real setImmediate turns with nothing new before the process counts as idle. @default 3 */
  readonly quietTurns?: number;
  /** Real milliseconds without progress (no timer fired, no call ended) before `run` fails. @default 60 s */
  readonly watchdogMs?: number;
}

/** `run` saw no progress for the watchdog's time: something real is stuck, or waits on a timer never set. */
export class VirtualClockStalledError extends Error {
  constructor(detail: string) {
    super(`The virtual clock made no progress: ${detail}`);
    this.name = 'VirtualClockStalledError';
  }
}

/** A second clock, or `run` on one uninstalled: one process has one clock at a time. */
export class VirtualClockStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtualClockStateError';
  }
}

let installed: VirtualClock | undefined;

/** The clock installed now, if any: the AWS and Lambda models count real calls and wait on it. */
export function currentVirtualClock(): VirtualClock | undefined {
  return installed;
}

type Subscriber = (message: unknown) => void;

export class VirtualClock {
  /** Real calls (to moto) in flight: time stands still while any is. */
  private inFlight = 0;
  /** What is in flight, with when it started (real ms): named in the watchdog's error. */
  private readonly calls = new Map<number, { readonly what: string; readonly since: number }>();
  private nextCall = 0;
  /** Bumped by every real call started or ended: what the idle check watches besides `inFlight`. */
  private activity = 0;
  private lastProgress = realMs();
  private idleWaiters: (() => void)[] = [];
  private readonly fake: FakeClock;
  private readonly quietTurns: number;
  private readonly watchdogMs: number;
  private readonly unsubscribe: (() => void)[] = [];
  /** Modelled milliseconds moved so far, by `run` or `advance`. */
  private moved = 0;
  /** Whether a `run` drives the clock now: two drivers would move it twice. */
  private driving = false;

  private constructor(options: VirtualClockOptions) {
    this.quietTurns = options.quietTurns ?? 3;
    this.watchdogMs = options.watchdogMs ?? 60_000;
    this.fake = withGlobal(globalThis).install({
      now: options.now ?? Date.now(),
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
      shouldAdvanceTime: false,
      // Timers set before install (a socket's, say) may be cleared after it: clear them for real.
      shouldClearNativeTimers: true,
      loopLimit: 1_000_000,
    });
    this.watchHttp();
  }

  /** Fakes the process's timers, Date and performance.now until `uninstall`. */
  static install(options: VirtualClockOptions = {}): VirtualClock {
    if (installed) throw new VirtualClockStateError('A virtual clock is already installed');
    installed = new VirtualClock(options);
    return installed;
  }

  /** Restores the real timers; timers still pending on the virtual clock are dropped. */
  uninstall(): void {
    if (installed !== this) return;
    for (const undo of this.unsubscribe) undo();
    this.fake.uninstall();
    installed = undefined;
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return this.fake.now;
  }

  /** Modelled milliseconds moved since install. */
  elapsedMs(): number {
    return this.moved;
  }

  /** Timers waiting on the virtual clock. */
  pendingTimers(): number {
    return this.fake.countTimers();
  }

  /**
   * Runs `call`, a real call, counted as in flight until it settles: virtual time does not move meanwhile.
   * The AWS model wraps each SDK call in it, below its modelled latency and throttling.
   */
  async real<T>(call: () => Promise<T>, what = 'a real call'): Promise<T> {
    const id = this.begin(what);
    try {
      return await call();
    } finally {
      this.end(id);
    }
  }

  /**
   * Waits for `work` in modelled time: whenever the process is idle (no real call in flight, a few real
   * turns with nothing new), moves the clock to the next timer and fires it. Fails with
   * VirtualClockStalledError after the watchdog's real time without progress.
   */
  async run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    if (installed !== this) throw new VirtualClockStateError('run() on a virtual clock not installed');
    if (this.driving) throw new VirtualClockStateError('run() inside run(): one driver at a time');
    this.driving = true;
    try {
      return await this.drive(typeof work === 'function' ? work() : work);
    } finally {
      this.driving = false;
    }
  }

  private async drive<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    this.lastProgress = realMs();
    while (!settled) {
      this.checkWatchdog();
      if (this.inFlight > 0) {
        await this.untilNoCallInFlight();
        continue;
      }
      if (!(await this.quiet(() => settled))) continue;
      if (this.fake.countTimers() === 0) {
        // Nothing modelled to wait for and nothing counted in flight: some uncounted real work (a file,
        // a child process) must finish, or nothing ever will, which the watchdog reports.
        await new Promise((resolve) => real.setTimeout(resolve, 5));
        continue;
      }
      const before = this.fake.now;
      this.fake.next();
      this.moved += this.fake.now - before;
      this.lastProgress = realMs();
    }
    return promise;
  }

  /** Moves the clock by `ms` at once, firing every timer due on the way (for setup outside `run`). */
  advance(ms: number): void {
    this.fake.tick(ms);
    this.moved += ms;
  }

  private begin(what: string): number {
    const id = this.nextCall++;
    this.calls.set(id, { what, since: realMs() });
    this.inFlight++;
    this.activity++;
    return id;
  }

  private end(id: number): void {
    if (!this.calls.delete(id)) return;
    this.inFlight--;
    this.activity++;
    this.lastProgress = realMs();
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Whether `quietTurns` real turns passed with no call started or ended and the work not settled. */
  private async quiet(settled: () => boolean): Promise<boolean> {
    const seen = this.activity;
    for (let turn = 0; turn < this.quietTurns; turn++) {
      await realTurn();
      if (settled() || this.inFlight > 0 || this.activity !== seen) return false;
    }
    return true;
  }

  private untilNoCallInFlight(): Promise<void> {
    return new Promise((resolve) => {
      const timer = real.setTimeout(resolve, Math.max(1, this.watchdogMs - (realMs() - this.lastProgress)));
      // Never what keeps the process alive: the calls it waits for are.
      timer.unref?.();
      this.idleWaiters.push(() => {
        real.clearTimeout(timer);
        resolve();
      });
    });
  }

  private checkWatchdog(): void {
    const quietFor = realMs() - this.lastProgress;
    if (quietFor < this.watchdogMs) return;
    const oldest = [...this.calls.values()]
      .slice(0, 3)
      .map(({ what, since }) => `${what} (${Math.round((realMs() - since) / 1000)} s)`);
    throw new VirtualClockStalledError(
      `${Math.round(quietFor / 1000)} s real with ${this.inFlight} real call(s) in flight ` +
        `${oldest.length > 0 ? `[${oldest.join(', ')}] ` : ''}and ` +
        `${this.fake.countTimers()} timer(s) pending at virtual ${new Date(this.fake.now).toISOString()}; ` +
        `active: ${process.getActiveResourcesInfo().join(', ')}`,
    );
  }

  /**
   * Counts every HTTP request of the process, not only those of instrumented SDK clients: the sandbox's
   * event bus and moto's reset call moto with clients of their own. A request counts from its start to
   * its `close`, which comes once its response was read, or it failed.
   */
  private watchHttp(): void {
    const subscribe = (name: string, subscriber: Subscriber) => {
      const chan = channel(name);
      chan.subscribe(subscriber);
      this.unsubscribe.push(() => chan.unsubscribe(subscriber));
    };
    subscribe('http.client.request.start', (message) => {
      const request = (message as { request?: NodeJS.EventEmitter & { method?: string; path?: string } })
        .request;
      if (!request) return;
      const id = this.begin(`HTTP ${request.method ?? ''} ${request.path ?? ''}`);
      request.once('close', () => this.end(id));
    });
    // fetch (undici): moto's reset.
    const undiciRequests = new WeakMap<object, number>();
    subscribe('undici:request:create', (message) => {
      const request = (message as { request?: { method?: string; path?: string } }).request;
      if (!request) return;
      undiciRequests.set(request, this.begin(`fetch ${request.method ?? ''} ${request.path ?? ''}`));
    });
    // Headers, not the end of the body: a caller that never reads the body (moto's reset) would hold
    // the clock for ever; moto's bodies are read from memory within the quiet turns.
    const undiciDone: Subscriber = (message) => {
      const request = (message as { request?: object }).request;
      const id = request === undefined ? undefined : undiciRequests.get(request);
      if (request && id !== undefined) {
        undiciRequests.delete(request);
        this.end(id);
      }
    };
    subscribe('undici:request:headers', undiciDone);
    subscribe('undici:request:error', undiciDone);
  }
}

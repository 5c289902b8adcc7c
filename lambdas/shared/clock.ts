/**
 * Where the reactor reads the time. Passed in, never read from `Date` directly by the parts, so that a
 * rehearsal can move the reactor's clock (days of a key's material expiry, hours of a failed run's
 * back-off) without faking the process's timers.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/**
 * How the reactor waits, passed in beside the clock: the pacer waits for its buckets with it, and a test
 * gives one that moves a fake clock instead of the process's timers.
 */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

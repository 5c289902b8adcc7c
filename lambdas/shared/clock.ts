/**
 * Where the reactor reads the time. Passed in, never read from `Date` directly by the parts, so that a
 * rehearsal can move the reactor's clock (days of a key's material expiry, hours of a failed run's
 * back-off) without faking the process's timers.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

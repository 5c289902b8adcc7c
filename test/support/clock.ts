/**
 * Moves only the clock: `Date` is faked from `now` on (move it with jest.setSystemTime), while every
 * timer stays real, so moto's sockets, the SDK and the local workflows run as they do. Undo with
 * jest.useRealTimers().
 */
export function fakeDateOnly(now: number): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
    now,
  });
}

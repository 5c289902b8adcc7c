/**
 * How a step that acts on a fleet stays inside its Lambda's time: it works through the layer in ARN
 * order, a chunk at a time, and before each chunk asks whether one more (as long as the longest so far)
 * still fits before its deadline. What does not fit is left for the next invocation, which the workflow
 * makes at once, from the cursor this one returns. A Lambda that runs out of time loses the work of its
 * chunk in flight and retries it (`Sandbox.Timedout`); a step that stops itself loses nothing.
 */

export interface TimeBox {
  /**
   * Resources observed and acted on together: one describe call per kind and one stop or start call per
   * kind for each chunk (the drivers split further where an API caps the IDs of one call).
   */
  readonly chunkSize: number;
  /** Time kept back before the Lambda's own timeout: for the step to write its answer and return. */
  readonly safetyMarginMs: number;
  /**
   * A shorter budget than the Lambda's remaining time, if set: tests and the bench use it to make a
   * small fleet take several turns.
   */
  readonly budgetMs?: number;
  /**
   * Above this many resources, a layer of several kinds is not acted on by its first step: it hands the
   * workflow one lane per kind, which a Map state runs side by side (docs/workflows.md).
   */
  readonly batchSize: number;
  /**
   * A monotonic millisecond reading; not the reactor's Clock, which a rehearsal may move or stop.
   * @default performance.now
   */
  readonly stopwatch?: () => number;
}

/** What a deployment gets: chunks of 100 (EC2's describe page size), 15 s kept back, batches of 500. */
export const DEFAULT_TIME_BOX: TimeBox = { chunkSize: 100, safetyMarginMs: 15_000, batchSize: 500 };

/** The budget of one invocation, started when it is made. */
export class Budget {
  private readonly startedAt: number;
  private readonly limitMs: number;
  private longestChunkMs = 0;
  private chunks = 0;

  /** `remainingMs`: what the Lambda has left (its context's getRemainingTimeInMillis). */
  constructor(
    private readonly box: TimeBox,
    remainingMs: number,
  ) {
    this.startedAt = this.now();
    const afterMargin = Math.max(0, remainingMs - box.safetyMarginMs);
    this.limitMs = box.budgetMs === undefined ? afterMargin : Math.min(afterMargin, box.budgetMs);
  }

  /**
   * Whether another chunk may start: always the first (a step that could never do one chunk would loop
   * for ever), then only while one as long as the longest so far ends before the deadline.
   */
  allowsAnotherChunk(): boolean {
    if (this.chunks === 0) return true;
    return this.elapsedMs() + this.longestChunkMs < this.limitMs;
  }

  /** Times `work` as one chunk. */
  async chunk<T>(work: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await work();
    } finally {
      this.chunks += 1;
      this.longestChunkMs = Math.max(this.longestChunkMs, this.now() - started);
    }
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  private now(): number {
    return (this.box.stopwatch ?? (() => performance.now()))();
  }
}

/** The time box a deployment's settings ask for, the defaults filling in what they leave out. */
export function timeBoxOf(settings: { readonly timeBox?: Partial<Omit<TimeBox, 'stopwatch'>> }): TimeBox {
  return { ...DEFAULT_TIME_BOX, ...settings.timeBox };
}

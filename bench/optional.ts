import type { BundleFigures } from './bundles';
import type { SweepRun } from './figures';
import { Meter } from './meter';
import { ModelledReactor } from './model/modelled-reactor';
import { measureSweep, type SweepFigures } from './sweep';

/**
 * The sweep of many keys (bench/sweep.ts) in modelled time: its own modelled reactor (so its cold start is
 * the sweep bundle's), the keys set up and swept inside the clock's run. The sweep is one scheduled Lambda
 * with a 290 s timeout; a sweep that outlives it, or sees a key out of sync, has no figure, and says why.
 */

export const SWEEP_KEYS = 10_000;

export interface SweepResult {
  /** Modelled seconds from the sweep's invocation to its return; null when it did not complete. */
  readonly seconds: number | null;
  readonly figures?: SweepFigures;
  /** The run as the cost model reads it (bench/cost.ts sweepCosts); present when it completed. */
  readonly run?: SweepRun;
  /** Attempts the AWS model throttled during the sweep, per Service:Operation. */
  readonly throttled?: Readonly<Record<string, number>>;
  readonly error?: string;
}

export async function measureModelledSweep(
  keys: number,
  bundles: readonly BundleFigures[],
  log: (line: string) => void,
): Promise<SweepResult> {
  const meter = new Meter();
  const modelled = await ModelledReactor.start({
    lambda: { bundles },
    graceSeconds: 0,
    instrument: [meter.instrument],
  });
  try {
    const figures = await modelled.run(() =>
      measureSweep(keys, {
        reactor: modelled.local,
        log,
        // Unmodelled, the setup's calls are neither delayed nor metered by the model: what the model
        // counts from here is the sweep's.
        setup: async (work) => {
          const done = await modelled.aws.unmodelled(work);
          meter.clear();
          return done;
        },
      }),
    );
    const { throttled } = modelled.aws.stats();
    const run: SweepRun = {
      keys,
      wallMs: figures.wallMs,
      awsCalls: figures.awsCalls,
      dynamodb: meter.snapshot().dynamodb,
      // One invocation, billed for its modelled duration rounded up to the millisecond, as Lambda bills.
      lambda: { sweep: { invocations: 1, ms: Math.ceil(figures.wallMs) } },
    };
    log(`sweep of ${keys} keys: ${figures.wallMs / 1000} s modelled, throttled ${JSON.stringify(throttled)}`);
    return { seconds: Math.round(figures.wallMs) / 1000, figures, run, throttled };
  } catch (error) {
    const message = `${(error as Error).name}: ${(error as Error).message}`;
    log(`sweep of ${keys} keys did not complete: ${message}`);
    return { seconds: null, error: message };
  } finally {
    await modelled.stop();
  }
}

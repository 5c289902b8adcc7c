import type { BundleFigures } from './bundles';
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
  readonly error?: string;
}

export async function measureModelledSweep(
  keys: number,
  bundles: readonly BundleFigures[],
  log: (line: string) => void,
): Promise<SweepResult> {
  const modelled = await ModelledReactor.start({ lambda: { bundles }, graceSeconds: 0 });
  try {
    const figures = await modelled.run(() => measureSweep(keys, { reactor: modelled.local, log }));
    return { seconds: Math.round(figures.wallMs) / 1000, figures };
  } catch (error) {
    const message = `${(error as Error).name}: ${(error as Error).message}`;
    log(`sweep of ${keys} keys did not complete: ${message}`);
    return { seconds: null, error: message };
  } finally {
    await modelled.stop();
  }
}

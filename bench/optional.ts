/**
 * The sweep of 10,000 keys (bench/sweep.ts), loaded by a dynamic import whose path is a value, so this
 * branch compiles and runs while that module is still being written. When it is missing, or exports no
 * such function, the figure is null and its target reads "not measured". (The cold path is imported
 * statically by harness.ts.)
 *
 * TODO(wiring): once bench/sweep.ts lands, replace `load` by a static import and read its result type.
 */

type Measure = (options: { readonly log: (line: string) => void }) => Promise<unknown>;

async function load(modulePath: string, exportName: string): Promise<Measure | undefined> {
  try {
    const module = (await import(modulePath)) as Record<string, unknown>;
    const measure = module[exportName];
    return typeof measure === 'function' ? (measure as Measure) : undefined;
  } catch (error) {
    // Only the module itself missing: a module that fails to load one of its own imports is a real error.
    const code = (error as { code?: string }).code;
    const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
    if (missing && String((error as Error).message).includes(modulePath.slice(2))) return undefined;
    throw error;
  }
}

/** A number read from the first of `names` the result has, in seconds (or milliseconds, converted). */
function seconds(result: unknown, names: readonly string[]): number | null {
  if (typeof result === 'number') return result;
  if (typeof result !== 'object' || result === null) return null;
  const record = result as Record<string, unknown>;
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'number') return name.endsWith('Ms') ? value / 1000 : value;
  }
  return null;
}

async function measureOptional(
  modulePath: string,
  exportName: string,
  log: (line: string) => void,
): Promise<unknown> {
  const measure = await load(modulePath, exportName);
  if (!measure) {
    log(`${modulePath}: no ${exportName} yet; its targets read "not measured"`);
    return undefined;
  }
  return measure({ log });
}

/** bench/sweep.ts's measureSweep: seconds to sweep 10,000 keys. */
export async function sweepSeconds(log: (line: string) => void): Promise<number | null> {
  const result = await measureOptional('./sweep', 'measureSweep', log);
  return result === undefined ? null : seconds(result, ['seconds', 'sweepSeconds', 'wallS', 'wallMs']);
}

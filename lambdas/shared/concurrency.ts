/**
 * Small helpers for calling AWS for many resources without a dependency: p-limit 4 and later ship ES
 * modules only, and the project runs CommonJS.
 */

/**
 * Calls `fn` for every item with at most `limit` calls in flight, and resolves to the results in the
 * order of `items`. After the first failure no further call starts; the calls already in flight are
 * awaited, then that first error is rethrown as it is, so a Step Functions Retry still matches AWS's
 * throttling by name (an AggregateError would hide it).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapWithConcurrency: limit must be a positive integer, got ${limit}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

/** Splits `items` into consecutive batches of at most `size`, for APIs that cap IDs per call. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk: size must be a positive integer, got ${size}`);
  }
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

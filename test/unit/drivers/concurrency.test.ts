import { chunk, mapWithConcurrency } from '../../../lambdas/shared/concurrency';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapWithConcurrency', () => {
  it('returns results in the order of the input, whatever order the calls finish in', async () => {
    // Act
    const results = await mapWithConcurrency([30, 10, 20, 0], 2, async (ms, index) => {
      await tick(ms);
      return `${index}:${ms}`;
    });

    // Assess
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:0']);
  });

  it('never has more than the limit in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;

    // Act
    await mapWithConcurrency(
      Array.from({ length: 17 }, (_, n) => n),
      3,
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick(2);
        inFlight--;
      },
    );

    // Assess
    expect(most).toBe(3);
  });

  it('rethrows the first error as it is and starts nothing after it', async () => {
    // Prepare
    const started: number[] = [];
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    // Act
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick(1);
      if (n === 1) throw throttled;
    });

    // Assess
    await expect(run).rejects.toBe(throttled);
    expect(started).toEqual([0, 1, 2]);
  });

  it('handles no items and rejects a limit that is not a positive integer', async () => {
    // Act and Assess
    await expect(mapWithConcurrency([], 5, async () => 1)).resolves.toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});

describe('chunk', () => {
  it('splits into batches of at most the given size', () => {
    // Act and Assess
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

// First: the handlers' Powertools utilities read their settings when their modules load.
import '../sandbox/environment';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BenchOptions, runBenchmark } from './harness';
import { formatReport } from './report';

/**
 * `npm run bench`: the reactor against the naive per-resource loop, on moto, for one key with 10, 100
 * and 1,000 resources and for 1, 10 and 100 keys at once; then the Lambda bundles' sizes and init
 * times. Prints the tables and writes bench/results.json. BENCHMARKS.md explains the method.
 *
 *   npm run bench -- [--sizes 10,100] [--keys 1,10] [--latency <ms>] [--no-baseline] [--no-bundles] [--out <file>]
 *
 * An empty list skips that family of scenarios (`--keys ''`); --latency adds that many milliseconds to
 * every AWS call of the reactor and the baseline (moto answers in a few).
 */

function numbers(value: string | undefined, flag: string): number[] {
  const list = (value ?? '')
    .split(',')
    .filter((item) => item.length > 0)
    .map(Number);
  if (list.some((item) => !Number.isInteger(item) || item < 0))
    throw new Error(`${flag} takes whole numbers, like 10,100`);
  return list;
}

function parse(argv: readonly string[]): { options: BenchOptions; out: string } {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    options: {
      sizes: value('--sizes') !== undefined ? numbers(value('--sizes'), '--sizes') : undefined,
      keyCounts: value('--keys') !== undefined ? numbers(value('--keys'), '--keys') : undefined,
      baseline: !argv.includes('--no-baseline'),
      latencyMs: value('--latency') !== undefined ? Number(value('--latency')) : undefined,
      bundles: argv.includes('--no-bundles') ? false : undefined,
      log: (line) => process.stderr.write(`${line}\n`),
    },
    out: value('--out') ?? path.join(__dirname, 'results.json'),
  };
}

async function main(): Promise<void> {
  const { options, out } = parse(process.argv.slice(2));
  const report = await runBenchmark(options);
  process.stdout.write(`${formatReport(report)}\n`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), out)}\n`);
  if (
    report.scenarios.some((s) => s.reactor.disable.succeeded < s.keys || s.reactor.enable.succeeded < s.keys)
  ) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

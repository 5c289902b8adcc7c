// First: the handlers' Powertools utilities read their settings when their modules load.
import '../sandbox/environment';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BenchOptions, runBenchmark } from './harness';
import { formatReport } from './report';

/**
 * `npm run bench`: the reactor against the naive per-resource loop, on moto, then the Lambda bundles'
 * sizes and init times (USAGE below). BENCHMARKS.md explains the method.
 */

const USAGE = `Usage: npm run bench -- [--sizes 10,100] [--keys 1,10] [--latency <ms>] [--no-baseline] [--no-bundles] [--out <file>]

Runs the reactor's workflows and the naive per-resource loop on moto, one key with N resources
(--sizes, default 10,100,1000) and K keys at once (--keys, default 1,10,100), then builds each
Lambda bundle and times its module init. Prints the tables and writes bench/results.json.

  --sizes <list>   resources per key, one scenario each; '' for none
  --keys <list>    keys disabled at once, each with a small fleet; '' for none
  --latency <ms>   added to every AWS call of the reactor and the baseline (default 0)
  --no-baseline    run the reactor only
  --no-bundles     skip the bundles
  --out <file>     where to write the results (default bench/results.json)
  --help           this text

A quick run that leaves bench/results.json alone:
  npm run bench -- --sizes 10 --keys '' --out /tmp/bench.json`;

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
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
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

// First: the handlers' Powertools utilities read their settings when their modules load.
import '../sandbox/environment';
import * as path from 'node:path';
import { type BenchOptions, runBenchmark } from './harness';
import { formatReport } from './report';
import { RUNS_DIR, storeRun } from './store';

/**
 * `npm run bench`: the reactor against the batched and the naive baselines on moto, R interleaved
 * rounds per scenario, then the cold path, the sweep of 10,000 keys and the Lambda bundles (USAGE
 * below). BENCHMARKS.md explains the method.
 */

const USAGE = `Usage: npm run bench -- [--quick] [--sizes 10,100] [--keys 1,10] [--repeats 3] [--out <file>] ...

Measures the Lambda bundles, then runs the reactor's workflows and two baselines (a batched script, a
naive per-resource loop) on moto in modelled time (AWS's latencies, rate limits and transitions, and
Lambda's cold starts, modelled; wall times are modelled seconds, real seconds are logged beside them):
one key with N resources (--sizes, default 10,100,1000,10000) and K keys at once (--keys, default
1,10,100,1000), R interleaved rounds each (fewer for large scenarios), then the cold path and the sweep
of 10,000 keys. Prints the tables, writes bench/runs/<timestamp>.json, and bench/results.json for a
full run.

  --quick            a subset meant to take under 2 minutes: --sizes 10 --keys '' --repeats 1, the
                     bundles with 1 init run, the cold path once, no sweep of 10,000 keys. Of the
                     targets it gives the cold path's two and the bundles' two; the others need
                     N = 10,000, K = 100 or the sweep, and read "not measured"
  --real             the old run on moto in real time, Waits shortened (no AWS or Lambda model);
                     by default every scenario runs in modelled time (bench/model/README.md)
  --sizes <list>     resources per key, one scenario each; '' for none
  --keys <list>      keys disabled at once, each with a small fleet; '' for none
  --repeats <n>      rounds per scenario (default 3; at most 2 from 1,000 resources or 100 keys,
                     1 from 5,000 resources or 1,000 keys)
  --naive-up-to <n>  run the naive loop only in scenarios of at most n resources (default 1000)
  --no-batched       skip the batched baseline
  --no-sweep         skip the sweep of 10,000 keys, and the sweeps of the K scenarios
  --no-cold-path     skip the cold path
  --no-bundles       skip the bundles
  --latency <ms>     added to every AWS call of the reactor and the baselines (default 0)
  --out <file>       also write the run there (default: bench/results.json for a full run, none otherwise)
  --runs <dir>       where every run is kept (default bench/runs)
  --help             this text`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function numbers(value: string | undefined, flag: string): number[] {
  const list = (value ?? '')
    .split(',')
    .filter((item) => item.length > 0)
    .map(Number);
  if (list.some((item) => !Number.isInteger(item) || item < 0))
    throw new UsageError(`${flag} takes whole numbers, like 10,100`);
  return list;
}

function parse(argv: readonly string[]): { options: BenchOptions; out?: string; runs: string } {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const list = (flag: string) => (value(flag) !== undefined ? numbers(value(flag), flag) : undefined);
  const number = (flag: string) => (value(flag) !== undefined ? Number(value(flag)) : undefined);
  const quick = argv.includes('--quick');
  const subset = quick || ['--sizes', '--keys', '--repeats', '--latency'].some((flag) => argv.includes(flag));
  const noSweep = argv.includes('--no-sweep');
  const options: BenchOptions = {
    modelled: !argv.includes('--real'),
    sizes: list('--sizes') ?? (quick ? [10] : undefined),
    keyCounts: list('--keys') ?? (quick ? [] : undefined),
    repeats: number('--repeats') ?? (quick ? 1 : undefined),
    naiveUpTo: number('--naive-up-to'),
    batched: !argv.includes('--no-batched'),
    localSweep: !noSweep,
    sweep10k: !(noSweep || quick),
    coldPath: !argv.includes('--no-cold-path'),
    coldPathRepeats: quick ? 1 : undefined,
    latencyMs: number('--latency'),
    bundles: argv.includes('--no-bundles') ? false : quick ? { initRuns: 1 } : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  // A subset never overwrites the official results unless asked to.
  const out = value('--out') ?? (subset ? undefined : path.join(__dirname, 'results.json'));
  return { options, out, runs: value('--runs') ?? RUNS_DIR };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { options, out, runs } = parse(process.argv.slice(2));
  const report = await runBenchmark(options);
  process.stdout.write(`${formatReport(report)}\n`);
  for (const file of storeRun(report, runs, out))
    process.stdout.write(`Wrote ${path.relative(process.cwd(), file)}\n`);
  const failed = report.scenarios.some((s) => !s.reactor.disable.converged || !s.reactor.enable.converged);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

// First: the handlers' Powertools utilities read their settings when their modules load.
import '../sandbox/environment';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startMoto } from '../sandbox/moto';
import { formatTagDiscovery, runTagDiscovery } from './tag-discovery';

/**
 * `npm run bench:tags`: finding 1,000 tagged resources through the tagging API on moto (tag-discovery.ts),
 * printed and written to bench/tag-discovery.json.
 */

const USAGE = `Usage: npm run bench:tags -- [--count 1000] [--others 50] [--other-keys 2] [--runs 3] [--out <file>]

Creates --count resources tagged for one key and --others for each of --other-keys other keys on a moto
server of its own, then times TagDirectory.list(key) and TagDirectory.all() and counts their AWS calls.
Writes bench/tag-discovery.json unless --out says otherwise.`;

function option(argv: readonly string[], flag: string): number | undefined {
  const index = argv.indexOf(flag);
  if (index < 0) return undefined;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} takes a whole number`);
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? (argv[outIndex + 1] ?? '') : path.join(__dirname, 'tag-discovery.json');
  const moto = await startMoto({ progress: (line) => process.stderr.write(`${line}\n`) });
  try {
    const report = await runTagDiscovery(moto, {
      count: option(argv, '--count'),
      othersPerKey: option(argv, '--others'),
      otherKeys: option(argv, '--other-keys'),
      runs: option(argv, '--runs'),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${formatTagDiscovery(report)}\n`);
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`Wrote ${path.relative(process.cwd(), out)}\n`);
    if (report.list.found !== report.resources) process.exitCode = 1;
  } finally {
    await moto.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BenchReport } from './harness';

/**
 * Every run is kept: bench/runs/<timestamp>.json, the timestamp being the run's ISO 8601 time with
 * the colons replaced by hyphens (colons are not portable in file names). A run holds figures only,
 * never a per-call log, so each file stays in the tens of kilobytes.
 */

export const RUNS_DIR = path.join(__dirname, 'runs');

export function runFileName(generatedAt: string): string {
  return `${generatedAt.replace(/:/g, '-')}.json`;
}

/** Writes the run under `runsDir`, and also to `official` when given; returns the paths written. */
export function storeRun(report: BenchReport, runsDir: string, official?: string): string[] {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  mkdirSync(runsDir, { recursive: true });
  const written = [path.join(runsDir, runFileName(report.generatedAt))];
  if (official) written.push(official);
  for (const file of written) writeFileSync(file, text);
  return written;
}

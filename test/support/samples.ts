import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The sample KMS events (../shared/samples/events beside the repository): the docs, the CLI's examples
 * and the tests all read the same files.
 */
export const SAMPLES_DIR = path.resolve(__dirname, '../../../shared/samples/events');

/** The samples' file names, in directory order. */
export function sampleNames(): string[] {
  return readdirSync(SAMPLES_DIR).filter((file) => file.endsWith('.json'));
}

/** A fresh, mutable copy of a sample: tests change their copy, never the file. */
// biome-ignore lint/suspicious/noExplicitAny: samples are free-form JSON that each test bends its own way.
export function sample(name: string): any {
  return JSON.parse(readFileSync(path.join(SAMPLES_DIR, name), 'utf8'));
}

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { CliIo } from '../context';
import type { ExitCode } from '../errors';

export interface SimulateOptions {
  readonly json?: boolean;
  readonly grace?: string;
  readonly verbose?: boolean;
}

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs sandbox/simulate.ts (`npm run simulate`) in its own process, on an event file or a game-day
 * scenario file (docs/sandbox.md, "Game days"): it starts its own moto server and sandbox, and exits
 * when done. Its output is passed through as it comes, and so is its exit code.
 */
export function simulate(io: CliIo, file: string, options: SimulateOptions): Promise<ExitCode> {
  const args = [
    require.resolve('tsx/cli'),
    path.join(ROOT, 'sandbox', 'simulate.ts'),
    path.resolve(file),
    ...(options.json ? ['--json'] : []),
    ...(options.grace !== undefined ? ['--grace', options.grace] : []),
    ...(options.verbose ? ['--verbose'] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve((code ?? 1) as ExitCode));
  });
}

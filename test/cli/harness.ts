import { run } from '../../cli/main';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI in-process, as `npx key-reactor <argv>` would, and captures what it writes. The
 * environment is put back afterwards: the global options (--table, --region, --endpoint-url) are applied
 * to process.env by the CLI, and must not leak from one case into the next.
 */
export async function cli(...argv: string[]): Promise<CliResult> {
  const saved = { ...process.env };
  let stdout = '';
  let stderr = '';
  try {
    const code = await run(argv, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

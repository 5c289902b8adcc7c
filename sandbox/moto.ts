import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { ensureMoto } from './moto-locator';

export { MotoNotInstalledError } from './moto-locator';

/**
 * A moto server of our own on a free loopback port: AWS faked at the protocol level for the workflow
 * tests, the sandbox and the benchmark. Start it, point the SDK at `endpoint`, stop it after.
 */
export interface MotoServer {
  readonly endpoint: string;
  /** Clears every service's state (moto's /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server, if this handle started it. */
  stop(): Promise<void>;
}

async function reset(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/** A handle on a moto server someone else started and will stop (a test worker's). */
export function connectMoto(endpoint: string): MotoServer {
  return { endpoint, reset: () => reset(endpoint), stop: async () => undefined };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

export interface StartMotoOptions {
  /** Extra environment for the server, such as MOTO_ECS_SERVICE_RUNNING or MOTO_ACCOUNT_ID. */
  readonly env?: Readonly<Record<string, string>>;
  /** IDs for the next KMS keys created, in order (moto-server.py); moto makes up the rest. */
  readonly kmsKeyIds?: readonly string[];
  /** @default 30000 */
  readonly startTimeoutMs?: number;
  /** Where the one line goes when moto is first installed into the project's .venv. @default stdout */
  readonly progress?: (line: string) => void;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const moto = ensureMoto(options.progress ?? ((line) => process.stdout.write(`${line}\n`)));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const keyIds = options.kmsKeyIds ?? [];
  // moto-server.py runs moto from the same Python as moto_server, patched: chosen key IDs, and faster
  // algorithms for the few operations whose time grows faster than the fleet (moto_speedups.py).
  const command = moto.python;
  const commandArgs = [path.join(__dirname, 'moto-server.py'), ...args];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...options.env, SANDBOX_KMS_KEY_IDS: keyIds.join(',') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    reset: () => reset(endpoint),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

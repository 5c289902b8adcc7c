import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where `moto_server` comes from: the one on PATH when there is one, else the project's own virtual
 * environment (`.venv`, created from requirements-moto.txt on first use). One locator for the sandbox,
 * the tests' servers and `key-reactor doctor`, so that all three agree on which moto runs.
 */

const ROOT = path.resolve(__dirname, '..');

/** Overrides where the project's virtual environment lives (a test points it at a temporary folder). */
export const VENV_VARIABLE = 'KEY_REACTOR_VENV';

/** The requirements file the virtual environment is created from: moto pinned to the tested version. */
export const MOTO_REQUIREMENTS = path.join(ROOT, 'requirements-moto.txt');

type Environment = Readonly<Record<string, string | undefined>>;

export interface MotoLocation {
  /** The moto_server executable to run. */
  readonly executable: string;
  /** The Python that moto is installed in, for running sandbox/moto-server.py with moto patched. */
  readonly python: string;
  readonly source: 'PATH' | 'venv';
}

/** moto cannot be found or installed here; the message is one line saying what to install. */
export class MotoNotInstalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoNotInstalledError';
  }
}

/** The pinned requirement, such as `moto[server]==5.2.1`, as the README tells people to install it. */
export function motoRequirement(): string {
  const lines = readFileSync(MOTO_REQUIREMENTS, 'utf8').split('\n');
  return lines.map((line) => line.trim()).find((line) => line.startsWith('moto')) ?? 'moto[server]';
}

export function venvDirectory(env: Environment = process.env): string {
  return path.resolve(env[VENV_VARIABLE] ?? path.join(ROOT, '.venv'));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on the PATH of `env`, as a shell would find it. */
function onPath(name: string, env: Environment): string | undefined {
  const folders = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return folders.map((folder) => path.join(folder, name)).find(executable);
}

/** Whether the file runs and answers --help: a pyenv shim exists even when its Python lacks moto. */
function runs(file: string, env: Environment): boolean {
  return spawnSync(file, ['--help'], { stdio: 'ignore', env: { ...env } }).status === 0;
}

/** The Python interpreter a moto_server script runs on (its shebang), or python3 from PATH. */
function interpreterOf(script: string): string {
  try {
    const shebang = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
    const interpreter = shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/)[0] : undefined;
    // `env python3` and shell wrappers (pyenv's shims) do not name the interpreter: PATH decides.
    if (interpreter && !/(\/env|sh)$/.test(interpreter)) return interpreter;
  } catch {
    // not a readable script
  }
  return 'python3';
}

function inVenv(env: Environment): MotoLocation | undefined {
  const bin = path.join(venvDirectory(env), 'bin');
  const server = path.join(bin, 'moto_server');
  return executable(server) && runs(server, env)
    ? { executable: server, python: path.join(bin, 'python'), source: 'venv' }
    : undefined;
}

/** Where moto was found, by PATH and venv: asking a moto_server for --help takes a second. */
const locations = new Map<string, MotoLocation>();

/** moto as it is now, installing nothing: on PATH, else in the project's virtual environment. */
export function findMoto(env: Environment = process.env): MotoLocation | undefined {
  const key = `${env.PATH ?? ''}\n${venvDirectory(env)}`;
  const known = locations.get(key);
  if (known) return known;
  const server = onPath('moto_server', env);
  const location: MotoLocation | undefined =
    server && runs(server, env)
      ? { executable: server, python: interpreterOf(server), source: 'PATH' }
      : inVenv(env);
  if (location) locations.set(key, location);
  return location;
}

function run(command: string, args: readonly string[], env: Environment): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...env } });
  const output = `${result.error?.message ?? ''}\n${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  return { ok: result.status === 0, output };
}

/** Why pip or venv failed: the index out of reach, or the last informative line in its own words. */
function lastError(output: string): string {
  // pip says "from versions: none" when it found no index at all, after its connection warnings.
  if (/from versions: none|NewConnectionError|Connection refused|Name or service not known/.test(output)) {
    return 'the Python package index cannot be reached';
  }
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('[notice]'));
  return (lines.find((line) => line.startsWith('ERROR:')) ?? lines.at(-1) ?? 'no output').slice(0, 160);
}

/**
 * moto, creating the project's virtual environment when it is on neither PATH nor there. `progress`
 * gets one line before the (slow, first-run-only) install. Throws MotoNotInstalledError with one line
 * saying what to install when Python, venv or the package index is missing.
 */
export function ensureMoto(progress: (line: string) => void, env: Environment = process.env): MotoLocation {
  const found = findMoto(env);
  if (found) return found;
  const requirement = motoRequirement();
  const venv = venvDirectory(env);
  const relative = path.relative(process.cwd(), venv);
  const shown = relative && !relative.startsWith('..') ? relative : venv;
  const installYourself = `install it yourself: pip install '${requirement}' (README, "Quick start")`;
  const python = onPath('python3', env);
  if (!python) {
    throw new MotoNotInstalledError(
      `moto_server is not on PATH and there is no python3 to install it with: install Python 3.9 or later, then ${installYourself.replace('install it yourself: ', '')}`,
    );
  }
  progress(`moto_server is not on PATH: installing ${requirement} into ${shown} (first run only)`);
  const created = run(python, ['-m', 'venv', venv], env);
  if (!created.ok) {
    rmSync(venv, { recursive: true, force: true });
    // Debian and Ubuntu ship venv apart, and name the package for this Python (python3.11-venv).
    const venvPackage = /apt install (python3[\d.]*-venv)/.exec(created.output)?.[1];
    const why = venvPackage ? 'this Python has no venv module' : lastError(created.output);
    throw new MotoNotInstalledError(
      `cannot create ${shown} (${why}): apt install ${venvPackage ?? 'python3-venv'}, or ${installYourself}`,
    );
  }
  const pip = path.join(venv, 'bin', 'pip');
  const installed = run(
    pip,
    ['install', '--quiet', '--disable-pip-version-check', '-r', MOTO_REQUIREMENTS],
    env,
  );
  const location = installed.ok ? inVenv(env) : undefined;
  if (!location) {
    // Leave no half-made environment behind: the next run tries again from scratch.
    rmSync(venv, { recursive: true, force: true });
    throw new MotoNotInstalledError(
      `cannot install ${requirement} into ${shown} (${lastError(installed.output)}): ${installYourself}`,
    );
  }
  return location;
}

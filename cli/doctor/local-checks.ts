import { spawnSync } from 'node:child_process';
import { findMoto, motoRequirement } from '../../sandbox/moto-locator';
import { type CheckResult, ok, problem } from './check';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Node 22 is what the dependencies declare (middy 7, aws-local-stepfunctions 3) and what the AWS SDK
 * needs from 2027; Node 20 still runs everything here, through a polyfill, so it only warns.
 */
export function checkNode(version: string = process.versions.node): CheckResult {
  const check = 'Node.js';
  const major = Number(version.split('.', 1)[0]);
  if (major >= 22) return ok(check, `Node ${version}`);
  const fix = 'install Node 22 or later (24, as Lambda runs), for example: nvm install 24';
  return major >= 20
    ? problem(
        check,
        'warn',
        `Node ${version}: runs, but the dependencies and the AWS SDK want 22 or later`,
        fix,
      )
    : problem(check, 'fail', `Node ${version}: too old for the AWS SDK and the CDK`, fix);
}

/** moto's version as its own Python reports it, or undefined when that Python cannot say. */
function motoVersion(python: string, env: Environment): string | undefined {
  const result = spawnSync(python, ['-c', 'import moto; print(moto.__version__)'], {
    encoding: 'utf8',
    env: { ...env },
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The moto npm start and npm test would run: the one on PATH, else the project's .venv. */
export function checkMoto(env: Environment = process.env): CheckResult {
  const check = 'moto';
  const pinned = motoRequirement();
  const location = findMoto(env);
  if (!location) {
    return problem(
      check,
      'fail',
      'moto_server is neither on PATH nor in the project .venv',
      `npm start or npm test installs ${pinned} into .venv on first use (needs python3-venv and the Python package index); or pip install '${pinned}'`,
    );
  }
  const version = motoVersion(location.python, env);
  const where = location.source === 'PATH' ? `on PATH (${location.executable})` : 'in the project .venv';
  const wanted = /==\s*([\d.]+)/.exec(pinned)?.[1];
  const sameMinor = (a: string, b: string) =>
    a.split('.').slice(0, 2).join('.') === b.split('.').slice(0, 2).join('.');
  if (version && wanted && !sameMinor(version, wanted)) {
    return problem(
      check,
      'warn',
      `moto ${version} ${where}; the tests are run with ${wanted}`,
      `pip install '${pinned}'`,
    );
  }
  return ok(check, `moto ${version ?? '(version unknown)'} ${where}`);
}

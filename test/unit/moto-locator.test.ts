import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkMoto, checkNode } from '../../cli/doctor/local-checks';
import { findMoto, motoRequirement, VENV_VARIABLE, venvDirectory } from '../../sandbox/moto-locator';

// Which moto the sandbox, the tests and doctor run: the one on PATH first, else the project's .venv.
// Stand-in moto_server scripts answer --help, as the locator asks them to.

function folderWithMoto(exitCode = 0): string {
  const bin = mkdtempSync(path.join(tmpdir(), 'moto-bin-'));
  const script = path.join(bin, 'moto_server');
  writeFileSync(script, `#!/bin/sh\nexit ${exitCode}\n`);
  chmodSync(script, 0o755);
  return bin;
}

/** A project venv whose moto_server runs (a shell script standing in for moto's Python entry point). */
function venvWithMoto(): string {
  const venv = mkdtempSync(path.join(tmpdir(), 'moto-venv-'));
  mkdirSync(path.join(venv, 'bin'));
  const script = path.join(venv, 'bin', 'moto_server');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o755);
  return venv;
}

describe('the moto locator', () => {
  it('pins the moto version the README and the errors name', () => {
    expect(motoRequirement()).toMatch(/^moto\[server\]==5\.2\.\d+$/);
  });

  it('takes moto_server from PATH first, with the Python its script names (python3 for a shell wrapper)', () => {
    const bin = folderWithMoto();

    expect(findMoto({ PATH: bin, [VENV_VARIABLE]: venvWithMoto() })).toEqual({
      executable: path.join(bin, 'moto_server'),
      python: 'python3',
      source: 'PATH',
    });
  });

  it("passes over a moto_server on PATH that does not run (a pyenv shim whose Python lacks moto), for the venv's", () => {
    const venv = venvWithMoto();

    expect(findMoto({ PATH: folderWithMoto(127), [VENV_VARIABLE]: venv })).toEqual({
      executable: path.join(venv, 'bin', 'moto_server'),
      python: path.join(venv, 'bin', 'python'),
      source: 'venv',
    });
  });

  it('finds nothing, and installs nothing, when moto is in neither place', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'no-moto-'));

    expect(findMoto({ PATH: empty, [VENV_VARIABLE]: path.join(empty, 'venv') })).toBeUndefined();
    expect(checkMoto({ PATH: empty, [VENV_VARIABLE]: path.join(empty, 'venv') })).toEqual({
      check: 'moto',
      status: 'fail',
      detail: 'moto_server is neither on PATH nor in the project .venv',
      fix: expect.stringMatching(/pip install 'moto\[server\]==5\.2\.\d+'$/),
    });
  });

  it('puts the venv in the project unless KEY_REACTOR_VENV says elsewhere', () => {
    expect(venvDirectory({})).toBe(path.resolve(__dirname, '../../.venv'));
    expect(venvDirectory({ [VENV_VARIABLE]: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
  });
});

describe("doctor's Node check", () => {
  it.each<[string, string]>([
    ['24.11.0', 'ok'],
    ['22.0.0', 'ok'],
    ['20.20.2', 'warn'],
    ['18.19.0', 'fail'],
  ])('rates Node %s %s', (version, status) => {
    const result = checkNode(version);

    expect(result.status).toBe(status);
    if (status !== 'ok') expect(result.fix).toMatch(/install Node 22 or later/);
  });
});

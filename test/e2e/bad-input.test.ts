import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sample } from '../support/samples';

// Issue 17, one-line errors: `npm start` and `simulate` (npm run simulate and `key-reactor simulate`)
// answer every bad argument and bad file with one line on stderr and exit code 2, never a stack; and a
// machine with no moto and no Python package index gets one line saying what to install. None of these
// runs gets as far as starting a moto server.

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
jest.setTimeout(120_000);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, timeout: 110_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const sandbox = (script: string, ...args: string[]) =>
  runProcess(TSX, [path.join(ROOT, 'sandbox', script), ...args]);

/** Exit code 2, nothing on stdout, and one line on stderr: `pattern`, with no stack trace. */
function expectOneLine(run: Run, pattern: RegExp): void {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr.trim().split('\n') }).toEqual({
    code: 2,
    stdout: '',
    stderr: [expect.stringMatching(pattern)],
  });
}

const folder = mkdtempSync(path.join(tmpdir(), 'bad-input-'));
function file(name: string, value: unknown): string {
  const where = path.join(folder, name);
  writeFileSync(where, typeof value === 'string' ? value : JSON.stringify(value));
  return where;
}

const NEEDS =
  /an event needs id, detail-type, source, account, time, region, resources \(an array\) and detail/;

describe('npm start with bad arguments', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['--foo'], /^npm start: unknown option --foo: see npm start -- --help$/],
    [
      '`npm start --grace 3` (npm keeps --grace, 3 arrives alone)',
      ['3'],
      /^npm start: unexpected argument "3": options go after --, as in `npm start -- --grace 3`$/,
    ],
    [
      'a grace period out of range',
      ['--grace', '700'],
      /^npm start: --grace takes a number of seconds from 0 to 600/,
    ],
    ['--grace without a value', ['--grace'], /^npm start: --grace needs a value/],
  ])('answers %s with one line and exit code 2', async (_case, args, message) => {
    expectOneLine(await sandbox('start.ts', ...args), message);
  });
});

describe('simulate with a bad file', () => {
  const disable = sample('disable-key-cli.json');
  const { detail: _detail, ...withoutDetail } = disable;
  const keyId = String(disable.detail.requestParameters.keyId);
  const multiRegion = JSON.parse(
    JSON.stringify(disable).split(keyId).join('mrk-1234abcd12ab34cd56ef1234567890ab'),
  ) as unknown;
  const cases: [string, string, RegExp][] = [
    ['{"foo":1}', file('foo.json', { foo: 1 }), NEEDS],
    [
      'a bare CloudTrail record',
      file('bare.json', disable.detail),
      /is a bare CloudTrail record: simulate takes it as EventBridge delivers it, inside an envelope with id, detail-type/,
    ],
    [
      'an event without detail',
      file('no-detail.json', withoutDetail),
      /\(detail missing or wrong\): an event needs/,
    ],
    ['an array', file('array.json', [disable]), /holds neither a scenario .* nor an EventBridge event/],
    [
      'a DisableKey on a multi-Region key',
      file('mrk.json', multiRegion),
      /^simulate: the sandbox cannot recreate multi-Region key mrk-1234abcd12ab34cd56ef1234567890ab: moto's KMS cannot/,
    ],
    ['a file that is not JSON', file('broken.json', '{"id": '), /is not JSON: /],
    ['a missing file', path.join(folder, 'absent.json'), /^simulate: cannot read .*absent\.json: ENOENT$/],
  ];

  it.each(cases)(
    'npm run simulate answers %s with one line and exit code 2',
    async (_case, input, message) => {
      expectOneLine(await sandbox('simulate.ts', input, '--json'), message);
    },
  );

  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['--foo'], /^simulate: unknown option --foo/],
    ['two files', ['a.json', 'b.json'], /^simulate: give exactly one file/],
    [
      'a bad grace period',
      [cases[0]?.[1] ?? '', '--grace', 'x'],
      /^simulate: --grace takes a number of seconds/,
    ],
  ])('npm run simulate answers %s with one line and exit code 2', async (_case, args, message) => {
    expectOneLine(await sandbox('simulate.ts', ...args), message);
  });

  it('key-reactor simulate passes the same one line and exit code on', async () => {
    const run = await runProcess(process.execPath, [
      path.join(ROOT, 'bin/key-reactor.js'),
      'simulate',
      file('foo2.json', { foo: 1 }),
    ]);
    expectOneLine(run, NEEDS);
  });

  it('key-reactor simulate --help lists only what simulate reads', async () => {
    const run = await runProcess(process.execPath, [
      path.join(ROOT, 'bin/key-reactor.js'),
      'simulate',
      '--help',
    ]);
    expect(run.code).toBe(0);
    const options = run.stdout
      .split('\n')
      .flatMap((line) => /^ {2}(--[a-z-]+|-h, --help)/.exec(line)?.[1] ?? []);
    expect(options).toEqual(['--grace', '--verbose', '--json', '-h, --help']);
  });
});

describe('npm start with no moto_server on PATH', () => {
  /** A PATH with node and python3 alone (moto_server out of reach), and a .venv of the test's own. */
  function isolated(withPython: boolean): NodeJS.ProcessEnv {
    const place = mkdtempSync(path.join(tmpdir(), 'no-moto-'));
    const bin = path.join(place, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    if (withPython) {
      // The interpreter itself, not a pyenv shim, which would find moto_server again.
      const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
      symlinkSync(python.stdout.trim(), path.join(bin, 'python3'));
    }
    return {
      HOME: process.env.HOME,
      PATH: bin,
      KEY_REACTOR_VENV: path.join(place, 'venv'),
      // No Python package index: nothing listens on port 9, and pip must not wait or ask.
      PIP_INDEX_URL: 'http://127.0.0.1:9/',
      PIP_NO_INPUT: '1',
      PIP_RETRIES: '0',
    };
  }

  it('says in one line what to install when the package index cannot be reached', async () => {
    // Prepare
    const env = isolated(true);

    // Act
    const run = await runProcess(process.execPath, [TSX, path.join(ROOT, 'sandbox/start.ts')], env);

    // Assess: the progress line on stdout, the one line on stderr, and no half-made environment left.
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^moto_server is not on PATH: installing moto\[server\]==5\.2\.1 into .*venv \(first run only\)$/,
      ),
    ]);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^npm start: cannot install moto\[server\]==5\.2\.1 into .*venv \(the Python package index cannot be reached\): install it yourself: pip install 'moto\[server\]==5\.2\.1'/,
      ),
    ]);
    expect(existsSync(env.KEY_REACTOR_VENV ?? '')).toBe(false);
  });

  it('keeps simulate --json stdout clear of the install: its progress and its failure go to stderr', async () => {
    const event = file('for-json.json', sample('disable-key-cli.json'));

    const run = await runProcess(
      process.execPath,
      [TSX, path.join(ROOT, 'sandbox/simulate.ts'), event, '--json'],
      isolated(true),
    );

    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr.trim().split('\n') }).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        expect.stringMatching(/^moto_server is not on PATH: installing moto\[server\]==5\.2\.1 into /),
        expect.stringMatching(
          /^simulate: cannot install moto\[server\]==5\.2\.1 .*pip install 'moto\[server\]==5\.2\.1'/,
        ),
      ],
    });
  });

  it('says in one line to install Python when there is none', async () => {
    const run = await runProcess(
      process.execPath,
      [TSX, path.join(ROOT, 'sandbox/start.ts')],
      isolated(false),
    );

    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr.trim().split('\n') }).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        expect.stringMatching(
          /^npm start: moto_server is not on PATH and there is no python3 .*install Python 3\.9 or later, then pip install 'moto\[server\]==5\.2\.1'/,
        ),
      ],
    });
  });
});

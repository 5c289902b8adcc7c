import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cliIn } from './harness';

// Every bad argument, bad file and AWS failure ends in one line and its exit code, never a stack trace;
// with --json that line is a JSON document. No world needed: none of these gets as far as a table.

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/customer-data/api';

/** A stack trace would show `    at <function> (<file>:<line>)` lines. */
const NO_STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;

const cli = cliIn({ TABLE_NAME: 'key-reactor', AWS_REGION: 'us-east-1' });

interface JsonError {
  readonly error: { readonly code: string; readonly message: string; readonly exitCode: number };
}

/** The one JSON line of stderr, parsed. */
function jsonError(stderr: string): JsonError {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(stderr) as JsonError;
}

describe('key-reactor --version', () => {
  it('prints the version of package.json', async () => {
    const { version } = require('../../package.json') as { version: string };

    for (const flag of ['--version', '-V']) {
      expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('one-line errors', () => {
  const cases: readonly { readonly argv: string[]; readonly code: string; readonly says: RegExp }[] = [
    {
      argv: ['register', KEY, SERVICE, '--bogus'],
      code: 'unknown-option',
      says: /^unknown option '--bogus'/,
    },
    { argv: ['list', '--kee', KEY], code: 'unknown-option', says: /unknown option '--kee' \(Did you mean/ },
    { argv: ['frobnicate'], code: 'unknown-command', says: /^unknown command 'frobnicate'/ },
    { argv: ['status'], code: 'missing-argument', says: /^missing required argument 'key'/ },
    { argv: ['unregister', KEY], code: 'missing-argument', says: /^missing required argument 'resourceArn'/ },
    {
      argv: ['register', KEY, SERVICE, '--action', 'stop'],
      code: 'invalid-argument',
      says: /'stop' is invalid/,
    },
    {
      argv: ['policy', 'set', KEY, '--language', 'fr'],
      code: 'invalid-argument',
      says: /Allowed choices are en, ja/,
    },
    {
      argv: ['register', KEY, SERVICE, '--grace'],
      code: 'option-missing-argument',
      says: /'--grace <minutes>'/,
    },
    { argv: ['register', KEY, SERVICE, '--grace', 'ten'], code: 'bad-input', says: /^--grace takes minutes/ },
    {
      argv: ['policy', 'set', KEY, '--admin', 'a@x.example,nope'],
      code: 'bad-input',
      says: /"nope" is not an email/,
    },
    { argv: ['runs', KEY, '--limit', '0'], code: 'bad-input', says: /^--limit takes a whole number/ },
    { argv: ['status', 'my-key'], code: 'bad-input', says: /^"my-key" is not a KMS key: give its ARN/ },
    { argv: ['register', KEY, 'i-0123456789abcdef0'], code: 'bad-input', says: /is not an ARN/ },
    { argv: ['register', KEY], code: 'bad-input', says: /^nothing to register: .+ policy set/ },
    {
      argv: ['register', KEY, SERVICE, '--strict', '--no-check'],
      code: 'bad-input',
      says: /^--strict needs/,
    },
    { argv: ['policy', 'set', KEY], code: 'bad-input', says: /^policy set changes nothing/ },
    { argv: ['redrive', 'disable-1234abcd'], code: 'bad-input', says: /is not an execution ARN/ },
    { argv: ['init'], code: 'bad-input', says: /^init creates the table for local use only/ },
    { argv: ['--region', 'mars', 'list'], code: 'bad-input', says: /^--region "mars" is not a Region/ },
    {
      argv: ['register', KEY, '--from', '/no/such/file'],
      code: 'bad-file',
      says: /^cannot read \/no\/such\/file: no such file\n?$/,
    },
  ];

  it.each(cases)('$argv: one line, exit code 2, no stack', async ({ argv, says }) => {
    // Act
    const result = await cli(...argv);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .+\n$/);
    expect(result.stderr.slice('error: '.length)).toMatch(says);
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it.each(cases)(
    '$argv --json: the same as one JSON document on stderr, with its code',
    async ({ argv, code, says }) => {
      // Act
      const result = await cli('--json', ...argv);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const { error } = jsonError(result.stderr);
      expect(error).toEqual({ code, message: expect.stringMatching(says), exitCode: 2 });
    },
  );

  it('reads --json after the command and its arguments too', async () => {
    const result = await cli('status', KEY, '--bogus', '--json');

    expect(jsonError(result.stderr).error.code).toBe('unknown-option');
  });

  it('names every bad line of a --from file, in one line, and in the JSON error one by one', async () => {
    // Prepare
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'key-reactor-')), 'fleet.txt');
    writeFileSync(
      file,
      ['# the customer-data fleet', SERVICE, '', 'arn:aws:s3:::bucket', `${SERVICE} server`, 'i-123 db'].join(
        '\n',
      ),
    );

    // Act
    const text = await cli('register', KEY, '--from', file);
    const json = await cli('--json', 'register', KEY, '--from', file);

    // Assess
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      `error: ${file}: 3 bad lines, nothing registered: line 4: unsupported resource type "s3:bucket" in ` +
        `arn:aws:s3:::bucket: expected ${text.stderr.split('expected ')[1]?.split(';')[0]}; line 5: ${SERVICE} is already on line 2; ` +
        'line 6: the layer "db" is neither service nor server\n',
    );
    expect(jsonError(json.stderr).error).toMatchObject({
      code: 'bad-file',
      exitCode: 2,
      lines: [
        { line: 4, message: expect.stringContaining('unsupported resource type') },
        { line: 5, message: `${SERVICE} is already on line 2` },
        { line: 6, message: 'the layer "db" is neither service nor server' },
      ],
    });
  });

  it('says in one line, exit code 1, that AWS cannot be reached, as JSON with --json', async () => {
    // Prepare: nothing listens on the discard port.
    const offline = cliIn({
      TABLE_NAME: 'key-reactor',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });

    // Act
    const text = await offline('list');
    const json = await offline('list', '--json');

    // Assess
    expect(text).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: cannot reach AWS at http://127.0.0.1:9: ECONNREFUSED\n',
    });
    expect(jsonError(json.stderr)).toEqual({
      error: {
        code: 'unreachable',
        message: 'cannot reach AWS at http://127.0.0.1:9: ECONNREFUSED',
        exitCode: 1,
      },
    });
  });
});

describe('the help of the commands for a bad day', () => {
  it.each([['policy', 'set'], ['runs'], ['redrive'], ['init']])('documents %s', async (...command) => {
    const result = await cli(...command, '--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: key-reactor ${command.join(' ')} `));
    expect(result.stdout).toContain('Global Options:');
  });

  it('lists them, and --version, in the main help', async () => {
    const result = await cli('--help');

    for (const command of ['policy', 'runs', 'redrive', 'init']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
    expect(result.stdout).toMatch(/^ {2}-V, --version +print the version/m);
  });
});

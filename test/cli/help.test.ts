import { cliIn } from './harness';

// Every command documents itself: usage, options and the global options, with no AWS call.

describe('key-reactor --help', () => {
  // No AWS call: no world, no environment.
  const cli = cliIn({});

  it.each(['register', 'unregister', 'list', 'status', 'plan', 'doctor'])('documents %s', async (command) => {
    const result = await cli(command, '--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: key-reactor ${command} `));
    expect(result.stdout).toContain('Global Options:');
  });

  it('documents simulate with only what it reads: it runs its own sandbox, with no table or Region', async () => {
    const result = await cli('simulate', '--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: key-reactor simulate /);
    expect(result.stdout).toMatch(/^ {2}--json /m);
    expect(result.stdout).not.toMatch(/Global Options:|--table|--region|--endpoint-url/);
  });

  it('documents --skip-key-checks in register --help', async () => {
    const result = await cli('register', '--help');

    expect(result.stdout).toMatch(/--skip-key-checks +register without checking the key/);
  });

  it('lists every command', async () => {
    const result = await cli('--help');

    expect(result.code).toBe(0);
    for (const command of ['register', 'unregister', 'list', 'status', 'plan', 'simulate', 'doctor']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { run } from '../../cli/main';
import { Guard } from '../../lambdas/shared/guard';
import { createStore, type Store } from '../../lambdas/shared/store';
import { createReactorTable, DEMO, SANDBOX_CREDENTIALS, worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// `key-reactor pause` and `key-reactor resume` in-process against moto: what they record in the table,
// what they print, and their exit codes.

const REGION = 'us-east-1';

describe('key-reactor pause and resume', () => {
  let endpoint: string;
  let store: Store;
  let guard: Guard;

  /** Runs the CLI with its environment given, as a shell would: the table, moto, and the user. */
  async function cli(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await run(
      argv,
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
      { TABLE_NAME: DEMO.tableName, AWS_ENDPOINT_URL: endpoint, AWS_REGION: REGION, USER: 'alice', ...env },
    );
    return { code, stdout, stderr };
  }

  beforeEach(async () => {
    const moto = await workerMoto();
    endpoint = moto.endpoint;
    await createReactorTable(worldClients(endpoint, REGION));
    const dynamodb = new DynamoDBClient({ endpoint, region: REGION, credentials: SANDBOX_CREDENTIALS });
    store = createStore(dynamodb, { tableName: DEMO.tableName, leaseSeconds: 900, clock: () => new Date() });
    guard = new Guard(store, { clock: () => new Date() });
  });

  it('pauses the reactor, recording who, when and why, and says what that means', async () => {
    // Act
    const result = await cli(['pause', '--reason', 'bad deploy of the key policies']);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^Paused the reactor at \S+ \(by alice\): bad deploy of the key policies$/m,
    );
    expect(result.stdout).toContain('key-reactor resume');
    expect(await guard.status()).toMatchObject({
      paused: true,
      reason: 'operator',
      by: 'alice',
      why: 'bad deploy of the key policies',
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('prints the recorded pause as JSON, with --by over the user name', async () => {
    // Act
    const result = await cli(['pause', '--by', 'oncall-bob', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      paused: true,
      reason: 'operator',
      by: 'oncall-bob',
      why: 'no reason given',
      since: expect.any(String),
    });
  });

  it('resumes, saying what was lifted, and records who resumed', async () => {
    // Prepare
    await cli(['pause', '--reason', 'maintenance']);

    // Act
    const result = await cli(['resume', '--json'], { USER: 'carol' });

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      paused: false,
      resumedAt: expect.any(String),
      resumedBy: 'carol',
      lifted: { reason: 'operator', since: expect.any(String), by: 'alice', why: 'maintenance' },
    });
    expect(await guard.status()).toMatchObject({ paused: false, resumedBy: 'carol' });
  });

  it("lifts the circuit breaker's pause, and says so", async () => {
    // Prepare: a breaker that allows no key trips on the first.
    await new Guard(store, { breakerLimit: 0, clock: () => new Date() }).admitShutdown(
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(await guard.status()).toMatchObject({ paused: true, reason: 'breaker' });

    // Act
    const result = await cli(['resume']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Resumed the reactor \(by alice\); it was paused by the circuit breaker since /,
    );
    expect(await guard.status()).toMatchObject({ paused: false });
  });

  it('says when there was nothing to resume', async () => {
    // Act
    const result = await cli(['resume']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The reactor was not paused');
  });

  it('refuses an empty reason, and runs nowhere without a table (exit 2)', async () => {
    // Act
    const empty = await cli(['pause', '--reason', '  ']);
    const noTable = await cli(['pause'], { TABLE_NAME: '' });

    // Assess
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expect(empty.stderr).toMatch(/^error: --reason is empty/);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toMatch(/no table given/);
    expect(await guard.status()).toEqual({ paused: false });
  });
});

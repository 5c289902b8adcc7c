import { CliSession } from '../../cli/context';
import { run } from '../../cli/main';
import { ENV } from '../../lambdas/shared/contract';
import type { AwsCallLog } from '../../sandbox/aws-calls';
import type { LocalReactor } from '../../sandbox/reactor';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Runs the CLI in-process, as `npx key-reactor <argv>` would, and says what it wrote. */
export type Cli = (...argv: string[]) => Promise<CliResult>;

/**
 * The CLI as an operator's shell points it at the local reactor: its table, Region and moto endpoint in
 * the environment, `env` over them (a variable set to undefined is unset). Every AWS call the CLI's own
 * clients make is recorded in `calls`, when given.
 */
export function localCli(reactor: LocalReactor, calls?: AwsCallLog, env: Environment = {}): Cli {
  const environment: Environment = {
    [ENV.tableName]: reactor.reactor.settings.tableName,
    AWS_REGION: reactor.place.region,
    AWS_ENDPOINT_URL: reactor.moto.endpoint,
    ...env,
  };
  return cliIn(environment, calls);
}

/** The CLI in `env` alone, its AWS calls recorded in `calls` when given. */
export function cliIn(env: Environment, calls?: AwsCallLog): Cli {
  return (...argv) => cli(argv, env, calls);
}

async function cli(argv: readonly string[], env: Environment, calls?: AwsCallLog): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const recording = calls ? recordSessionCalls(calls) : undefined;
  try {
    const code = await run(
      argv,
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
      env,
    );
    return { code, stdout, stderr };
  } finally {
    recording?.mockRestore();
  }
}

/**
 * The CLI builds every client from its session's AWS options and takes no instrument from outside, so
 * the log is added to those options for the one run (the test's own clients are left out).
 */
function recordSessionCalls(calls: AwsCallLog): jest.SpyInstance {
  const aws = Object.getOwnPropertyDescriptor(CliSession.prototype, 'aws')?.get;
  if (!aws) throw new Error('CliSession has no aws getter to add the call log to');
  return jest.spyOn(CliSession.prototype, 'aws', 'get').mockImplementation(function (this: CliSession) {
    const options = aws.call(this) as CliSession['aws'];
    return { ...options, instrument: [...(options.instrument ?? []), calls.instrument] };
  });
}

/** One resource of a key as `list --json` gives it. */
export interface Listed {
  readonly resourceArn: string;
  readonly layer: string;
  readonly registeredBy: 'tag' | 'row' | 'both';
  readonly legacy: boolean;
}

/**
 * The key's resources as `key-reactor list` shows them, tags merged with rows (what the workflows will
 * drive), read by a CLI of its own that records no call.
 */
export async function listed(reactor: LocalReactor, keyArn: string): Promise<Listed[]> {
  const result = await localCli(reactor)('--json', 'list', '--key', keyArn);
  const { keys } = JSON.parse(result.stdout) as { keys: { resources: Listed[] }[] };
  return (keys[0]?.resources ?? []).map(({ resourceArn, layer, registeredBy, legacy }) => ({
    resourceArn,
    layer,
    registeredBy,
    legacy,
  }));
}

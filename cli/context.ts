import { ENV, PATTERNS } from '../lambdas/shared/contract';
import { UsageError } from './errors';

/** Where the CLI writes: the process's streams, or a test's capture. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** The options every command takes (commander's `optsWithGlobals()`). */
export interface GlobalOptions {
  readonly table?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

/**
 * Puts the global options where the reactor's own modules read them: the table name in TABLE_NAME (read
 * by lambdas/shared/config on every call), the Region and the endpoint in AWS_REGION and
 * AWS_ENDPOINT_URL, which the SDK clients read when they are created. That is why the modules that
 * create clients are loaded only after this (see `reactor()`).
 */
export function applyGlobalOptions(options: GlobalOptions): void {
  if (options.region !== undefined) {
    if (!PATTERNS.region.test(options.region))
      throw new UsageError(`--region "${options.region}" is not a Region name (for example us-east-1)`);
    process.env.AWS_REGION = options.region;
    process.env.AWS_DEFAULT_REGION = options.region;
  }
  if (options.endpointUrl !== undefined) {
    if (!/^https?:\/\/\S+$/.test(options.endpointUrl)) {
      throw new UsageError(`--endpoint-url "${options.endpointUrl}" is not an http(s) URL`);
    }
    process.env.AWS_ENDPOINT_URL = options.endpointUrl;
  }
  if (options.table !== undefined) process.env[ENV.tableName] = options.table;
}

const APPLIED = [ENV.tableName, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL'] as const;

/** The variables applyGlobalOptions sets, to be put back after an in-process run. */
export function savedEnvironment(): { restore(): void } {
  const saved = APPLIED.map((name) => [name, process.env[name]] as const);
  return {
    restore: () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** Where the CLI is pointed, for error messages. */
export function target(): { table?: string; region?: string; endpoint?: string } {
  return {
    table: process.env[ENV.tableName],
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
  };
}

/** The table is needed by every command but simulate: say how to give it before any call is made. */
export function requireTable(): string {
  const table = process.env[ENV.tableName]?.trim();
  if (!table) {
    throw new UsageError(
      "no table given: pass --table <name> or set TABLE_NAME to the reactor's table (the stack output TableName)",
    );
  }
  return table;
}

/**
 * The reactor's own modules, loaded on first use so that the global options are in the environment
 * before the SDK clients are created. The CLI uses the same store and drivers as the workflow steps.
 */
export function reactor() {
  // `require`, not `import()`: tsx's CommonJS hook, which bin/key-reactor.js uses, does not handle `import()`.
  const registry =
    require('../lambdas/shared/store/registry') as typeof import('../lambdas/shared/store/registry');
  const ledger = require('../lambdas/shared/store/ledger') as typeof import('../lambdas/shared/store/ledger');
  const keyState =
    require('../lambdas/shared/store/key-state') as typeof import('../lambdas/shared/store/key-state');
  const drivers = require('../lambdas/shared/drivers') as typeof import('../lambdas/shared/drivers');
  const { documents } =
    require('../lambdas/shared/clients/dynamodb') as typeof import('../lambdas/shared/clients/dynamodb');
  const { kms } = require('../lambdas/shared/clients/kms') as typeof import('../lambdas/shared/clients/kms');
  const { sfn } = require('../lambdas/shared/clients/sfn') as typeof import('../lambdas/shared/clients/sfn');
  const onboarding = require('../lambdas/shared/onboarding') as typeof import('../lambdas/shared/onboarding');
  return { registry, ledger, keyState, drivers, documents, kms, sfn, onboarding };
}
export type Reactor = ReturnType<typeof reactor>;

/** Writes lines, JSON and warnings. */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  lines(texts: readonly string[]): void {
    for (const text of texts) this.line(text);
  }

  data(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }
}

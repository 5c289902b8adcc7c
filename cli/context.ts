import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type AwsOptions, awsClient } from '../lambdas/shared/aws';
import { ENV, PATTERNS } from '../lambdas/shared/contract';
import { Reactor } from '../lambdas/shared/reactor';
import { defaultSettings } from '../lambdas/shared/settings';
import { UsageError } from './errors';
import { resolveKeyArn } from './keys';

/** Where the CLI writes: the process's streams, or a test's capture. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Where a confirmation is read from (`adopt`); a command asks only when it is a terminal. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/** The options every command takes (commander's `optsWithGlobals()`). */
export interface GlobalOptions {
  readonly table?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Where the CLI is pointed, for its calls and its error messages. */
export interface Target {
  readonly table?: string;
  readonly region?: string;
  readonly endpoint?: string;
}

/** The global options over the environment (TABLE_NAME, AWS_REGION, AWS_ENDPOINT_URL), checked. */
export function targetOf(options: GlobalOptions, env: Environment): Target {
  if (options.region !== undefined && !PATTERNS.region.test(options.region)) {
    throw new UsageError(`--region "${options.region}" is not a Region name (for example us-east-1)`);
  }
  if (options.endpointUrl !== undefined && !/^https?:\/\/\S+$/.test(options.endpointUrl)) {
    throw new UsageError(`--endpoint-url "${options.endpointUrl}" is not an http(s) URL`);
  }
  const pick = (...values: (string | undefined)[]) => values.find((value) => value?.trim())?.trim();
  return {
    table: pick(options.table, env[ENV.tableName]),
    region: pick(options.region, env.AWS_REGION, env.AWS_DEFAULT_REGION),
    endpoint: pick(options.endpointUrl, env.AWS_ENDPOINT_URL),
  };
}

/**
 * One command's view of the reactor: the same parts the workflow steps use (store, drivers, key reader),
 * built from the command's own options, and its output.
 */
export class CliSession {
  private built?: Reactor;
  private kmsClient?: KMSClient;
  private sfnClient?: SFNClient;
  private readonly keys = new Map<string, Promise<string>>();

  constructor(
    readonly out: Output,
    readonly target: Target,
    readonly env: Environment,
  ) {}

  /** The AWS options every client of this command is built with. */
  get aws(): AwsOptions {
    return {
      ...(this.target.region ? { region: this.target.region } : {}),
      ...(this.target.endpoint ? { endpoint: this.target.endpoint } : {}),
    };
  }

  /** The reactor's parts; the table is needed by every command but simulate: said before any call. */
  reactor(): Reactor {
    if (!this.target.table) {
      throw new UsageError(
        "no table given: pass --table <name> or set TABLE_NAME to the reactor's table (the stack output TableName)",
      );
    }
    this.built ??= new Reactor(defaultSettings({ tableName: this.target.table }), this.aws);
    return this.built;
  }

  /**
   * The ARN of the key a command names, by its ARN, key ID, alias or alias ARN (resolveKeyArn), resolved
   * once per command however often it is asked.
   */
  keyArn(value: string): Promise<string> {
    let resolved = this.keys.get(value);
    if (!resolved) {
      resolved = resolveKeyArn(value, this.kms());
      this.keys.set(value, resolved);
    }
    return resolved;
  }

  /** The key a command is about (its ARN, resolved) and the reactor's parts, for the commands about one key. */
  async forKey(
    keyValue: string,
  ): Promise<{ readonly keyArn: string; readonly r: Reactor; readonly out: Output }> {
    const r = this.reactor();
    return { keyArn: await this.keyArn(keyValue), r, out: this.out };
  }

  /** A KMS client of the operator's own, for resolving keys and the onboarding checks. */
  kms(): KMSClient {
    this.kmsClient ??= awsClient(KMSClient, this.aws);
    return this.kmsClient;
  }

  /** A Step Functions client of the operator's own, for the commands that need no table (runs, redrive). */
  stepFunctions(): SFNClient {
    this.sfnClient ??= awsClient(SFNClient, this.aws);
    return this.sfnClient;
  }
}

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

  /** Whether a person can answer a question: the input is a terminal. */
  get interactive(): boolean {
    return this.io.stdin?.isTTY === true;
  }

  /** Asks a yes/no question on the terminal; anything but y or yes is no. */
  async confirm(question: string): Promise<boolean> {
    const { stdin } = this.io;
    if (!stdin) return false;
    const { createInterface } = await import('node:readline/promises');
    // The question goes to stderr, so that stdout stays the command's output alone.
    this.io.stderr.write(`${question} [y/N] `);
    const prompt = createInterface({ input: stdin, terminal: false });
    try {
      return /^y(es)?$/i.test((await prompt.question('')).trim());
    } finally {
      prompt.close();
    }
  }
}

/**
 * Exit codes and one-line error messages. An operator sees one sentence saying what is wrong and what
 * to do, never a stack trace; scripts can tell bad input from a missing table from anything else.
 */
export const EXIT = {
  ok: 0,
  /** Anything else: AWS refused, could not be reached, or failed. */
  failure: 1,
  /** The command line itself: a bad ARN, an unknown resource type, a bad option value, an unfit key. */
  usage: 2,
  /** Something named does not exist: the table, or every resource given to unregister. */
  notFound: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * What went wrong, in a word a script can match on (`error.code` in the JSON error): stable, documented
 * in docs/operating.md. Commander's own parse errors keep their name (`unknown-option`, ...).
 */
export type ErrorCode =
  | 'bad-input'
  | 'bad-file'
  | 'unfit-key'
  | 'not-found'
  | 'table-not-found'
  | 'not-redrivable'
  | 'refused'
  | 'tagged-for-another-key'
  | 'no-credentials'
  | 'access-denied'
  | 'unreachable'
  | 'aws-error'
  | (string & {});

/** An error the CLI explains itself, with the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly code: ErrorCode = exitCode === EXIT.usage ? 'bad-input' : 'aws-error',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, code: ErrorCode = 'bad-input') {
    super(message, EXIT.usage, code);
    this.name = 'UsageError';
  }
}

/** A file given to the CLI that cannot be read, or has bad lines: each with its line number. */
export class BadFileError extends UsageError {
  constructor(
    message: string,
    readonly lines: readonly { readonly line: number; readonly message: string }[] = [],
  ) {
    super(message, 'bad-file');
    this.name = 'BadFileError';
  }
}

/**
 * A resource whose key tag names another key: a tag has one value, so a resource belongs to at most one
 * key, and stays that key's until its tag is removed (`unregister` from that key). Nothing is written.
 */
export class ResourceTaggedForAnotherKeyError extends UsageError {
  constructor(readonly resources: readonly { readonly resourceArn: string; readonly taggedFor: string }[]) {
    super(
      `${resources.map((resource) => `${resource.resourceArn} is tagged for ${resource.taggedFor}`).join('; ')}: ` +
        'a resource belongs to one key; unregister it from that key first. Nothing written',
      'tagged-for-another-key',
    );
    this.name = 'ResourceTaggedForAnotherKeyError';
  }
}

interface AwsLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
]);
const DENIED =
  /AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|InvalidSignature|SignatureDoesNotMatch/;

/** The first line of a message, without trailing punctuation noise. */
function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

/** An error as the CLI reports it: one line, a code for scripts, the exit code. */
export interface Explained {
  readonly message: string;
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  /** A bad file's bad lines, each with its number (JSON errors only: the message names them too). */
  readonly lines?: readonly { readonly line: number; readonly message: string }[];
}

/** What the CLI prints for an error, and its exit code. */
export function explain(
  error: unknown,
  where: { table?: string; region?: string; endpoint?: string },
): Explained {
  if (error instanceof CliError) {
    const lines = error instanceof BadFileError && error.lines.length > 0 ? { lines: error.lines } : {};
    return { message: oneLine(error.message), code: error.code, exitCode: error.exitCode, ...lines };
  }
  return explainAws(error, where);
}

function explainAws(
  error: unknown,
  where: { table?: string; region?: string; endpoint?: string },
): Explained {
  const aws = (error ?? {}) as AwsLikeError;
  const name = aws.name ?? '';
  const message = firstLine(aws.message ?? String(error));
  const region = where.region ?? 'the default Region';

  // A key that fails onboarding is bad input too: its message says what to change in the key.
  if (name === 'UnsupportedResourceError' || name === 'InvalidInputError' || name === 'KeyOnboardingError') {
    return { message, code: name === 'KeyOnboardingError' ? 'unfit-key' : 'bad-input', exitCode: EXIT.usage };
  }
  if (name === 'ConfigurationError') {
    return { message: `${message} (see key-reactor --help)`, code: 'bad-input', exitCode: EXIT.usage };
  }
  if (name === 'ResourceNotFoundException') {
    return {
      message:
        `the table "${where.table ?? '?'}" does not exist in ${region}: pass the reactor's table with --table ` +
        '(or TABLE_NAME; the stack output TableName) and its Region with --region',
      code: 'table-not-found',
      exitCode: EXIT.notFound,
    };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return {
      message: `no AWS credentials found (${message}): set AWS_PROFILE, or configure the default credential chain`,
      code: 'no-credentials',
      exitCode: EXIT.failure,
    };
  }
  if (DENIED.test(name)) {
    return {
      message: `AWS refused the call: ${name}: ${message}`,
      code: 'access-denied',
      exitCode: EXIT.failure,
    };
  }
  // The SDK could not parse the answer: an endpoint that is not AWS, such as moto for a call it lacks.
  if (name === 'SyntaxError' && where.endpoint) {
    return {
      message: `${where.endpoint} did not answer as AWS would (${message}): it may not implement this call`,
      code: 'aws-error',
      exitCode: EXIT.failure,
    };
  }
  const cause = (aws.cause ?? {}) as AwsLikeError;
  // The SDK keeps only the text of an error it cannot recognise as one ("AWS SDK error wrapper for
  // Error: connect ECONNREFUSED ..."), so the code is looked for in the message too.
  const inMessage = [...NETWORK].find((code) => new RegExp(`\\b${code}\\b`).test(message));
  if (
    NETWORK.has(name) ||
    NETWORK.has(aws.code ?? '') ||
    NETWORK.has(cause.code ?? '') ||
    inMessage !== undefined ||
    message === 'fetch failed'
  ) {
    const code = cause.code ?? aws.code ?? inMessage ?? message;
    return {
      message: `cannot reach AWS${where.endpoint ? ` at ${where.endpoint}` : ` in ${region}`}: ${code}`,
      code: 'unreachable',
      exitCode: EXIT.failure,
    };
  }
  return {
    message: name && name !== 'Error' ? `${name}: ${message}` : message,
    code: 'aws-error',
    exitCode: EXIT.failure,
  };
}

/** Several lines as one: a message of ours may join details that came on lines of their own. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Commander's parse errors (unknown option, missing argument, invalid value, ...) as the CLI reports
 * them: commander's sentence on one line (its "Did you mean" hint comes on a second), and its code
 * without the `commander.` prefix, in kebab case: `commander.unknownOption` is `unknown-option`.
 */
export function explainParseError(error: { readonly code: string; readonly message: string }): Explained {
  const code = error.code
    .replace(/^commander\./, '')
    .replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  const message = oneLine(error.message.replace(/^error: /, ''));
  return { message: `${message} (add --help for usage)`, code, exitCode: EXIT.usage };
}

/**
 * The one line an error is reported with, on stderr: `error: <message>`, or with --json
 * `{"error":{"code":...,"message":...,"exitCode":...}}`, so a script reads it with the same parser.
 */
export function errorLine(explained: Explained, json: boolean): string {
  if (!json) return `error: ${explained.message}\n`;
  const { code, message, exitCode, lines } = explained;
  return `${JSON.stringify({ error: { code, message, exitCode, ...(lines ? { lines } : {}) } })}\n`;
}

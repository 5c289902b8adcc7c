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

/** An error the CLI explains itself, with the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
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

/** What the CLI prints for an error, and its exit code. */
export function explain(
  error: unknown,
  where: { table?: string; region?: string; endpoint?: string },
): {
  message: string;
  exitCode: ExitCode;
} {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const aws = (error ?? {}) as AwsLikeError;
  const name = aws.name ?? '';
  const message = firstLine(aws.message ?? String(error));
  const region = where.region ?? 'the default Region';

  // A key that fails onboarding is bad input too: its message says what to change in the key.
  if (name === 'UnsupportedResourceError' || name === 'InvalidInputError' || name === 'KeyOnboardingError') {
    return { message, exitCode: EXIT.usage };
  }
  if (name === 'ConfigurationError') {
    return { message: `${message} (see key-reactor --help)`, exitCode: EXIT.usage };
  }
  if (name === 'ResourceNotFoundException') {
    return {
      message:
        `the table "${where.table ?? '?'}" does not exist in ${region}: pass the reactor's table with --table ` +
        '(or TABLE_NAME; the stack output TableName) and its Region with --region',
      exitCode: EXIT.notFound,
    };
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return {
      message: `no AWS credentials found (${message}): set AWS_PROFILE, or configure the default credential chain`,
      exitCode: EXIT.failure,
    };
  }
  if (DENIED.test(name))
    return { message: `AWS refused the call: ${name}: ${message}`, exitCode: EXIT.failure };
  const cause = (aws.cause ?? {}) as AwsLikeError;
  if (
    NETWORK.has(name) ||
    NETWORK.has(aws.code ?? '') ||
    NETWORK.has(cause.code ?? '') ||
    message === 'fetch failed'
  ) {
    return {
      message: `cannot reach AWS${where.endpoint ? ` at ${where.endpoint}` : ` in ${region}`}: ${cause.code ?? aws.code ?? message}`,
      exitCode: EXIT.failure,
    };
  }
  return { message: name && name !== 'Error' ? `${name}: ${message}` : message, exitCode: EXIT.failure };
}

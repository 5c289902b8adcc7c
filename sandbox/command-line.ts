import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The sandbox commands' argument parsing: node's parseArgs, with its errors (a TypeError with a stack
 * and an ERR_PARSE_ARGS_* code) turned into one line that says what to type instead.
 */

/** A bad argument or option: the command prints the message alone and exits with code 2. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** npm keeps the options before `--` for itself: `npm start --grace 3` hands us a bare `3`. */
const NPM_HINT = 'options go after --, as in `npm start -- --grace 3`';

function explainParseError(error: Error & { code?: string }, command: string): ArgumentError {
  const option = /'(-{1,2}[^'\s,]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new ArgumentError(`unknown option ${option ?? ''}: see ${command} --help`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new ArgumentError(
        `${option ?? 'an option'} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}: see ${command} --help`,
      );
    default:
      return new ArgumentError(`${(error.message.split('\n', 1)[0] ?? '').trim()}: see ${command} --help`);
  }
}

/** parseArgs, strict, throwing ArgumentError; positionals only when `positionals` is true. */
export function parseCommandLine<T extends Options>(
  args: readonly string[],
  options: T,
  command: string,
  positionals = false,
) {
  let parsed: ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw explainParseError(error as Error & { code?: string }, command);
  }
  if (!positionals && parsed.positionals.length > 0) {
    throw new ArgumentError(`unexpected argument "${parsed.positionals[0]}": ${NPM_HINT}`);
  }
  return parsed;
}

/** A number of seconds from 0 to 600, as --grace takes it. */
export function graceSeconds(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new ArgumentError(`--grace takes a number of seconds from 0 to 600, not "${text}"`);
  }
  return seconds;
}

/**
 * One line on Node older than 22, instead of the AWS SDK's nine: environment.ts turns the SDK's own
 * warning off (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, the SDK's documented switch).
 */
export function nodeVersionNotice(version = process.versions.node): string | undefined {
  const major = Number(version.split('.', 1)[0]);
  return major < 22
    ? `Node ${version}: this project and the AWS SDK want Node 22 or later (Lambda runs Node 24); it still runs here`
    : undefined;
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { RESOURCE_KINDS } from '../lambdas/shared/model';
import {
  addBadDayCommands,
  addPolicyOptions,
  KEY_ARGUMENT_HELP,
  STATE_MACHINE_HELP,
} from './bad-day-commands';
import { adopt } from './commands/adopt';
import { doctor } from './commands/doctor';
import { leaseRelease } from './commands/lease';
import { list } from './commands/list';
import { migrate } from './commands/migrate';
import { pause, resume } from './commands/pause';
import { plan } from './commands/plan';
import { register, unregister } from './commands/register';
import { simulate } from './commands/simulate';
import { status } from './commands/status';
import { type CliIo, CliSession, type GlobalOptions, Output, type Target, targetOf } from './context';
import { EXIT, type ExitCode, errorLine, explain, explainParseError } from './errors';

type Environment = Readonly<Record<string, string | undefined>>;

const DESCRIPTION = [
  'Registers the resources that depend on a customer KMS key with the key-lifecycle reactor, and shows what the ' +
    'reactor sees and would do. Works against the deployed reactor (default AWS credential chain) and against ' +
    'the local sandbox (--endpoint-url http://127.0.0.1:<moto port>).',
  'Exit codes: 0 done, 1 AWS failed or refused, 2 bad input (an argument, an option, a file), 3 not found ' +
    '(the table, an execution, or nothing to unregister). Errors are one line on stderr; with --json, ' +
    '{"error":{"code","message","exitCode"}}.',
].join('\n\n');

/** The package's version, for --version: read when the program is built, not at import. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

function program(
  io: CliIo,
  env: Environment,
  exitCode: { value: ExitCode },
  pointed: { target: Target },
): Command {
  const root = new Command('key-reactor')
    .description(DESCRIPTION)
    .option(
      '--table <name>',
      "the reactor's DynamoDB table (default: env TABLE_NAME; stack output TableName)",
    )
    .option('--region <region>', 'the AWS Region (default: env AWS_REGION, then your AWS config)')
    .option(
      '--endpoint-url <url>',
      'send every AWS call to this endpoint, such as moto (default: env AWS_ENDPOINT_URL)',
    )
    .option('--json', 'print one JSON document instead of text, and errors as JSON')
    .version(packageVersion(), '-V, --version', 'print the version')
    .configureHelp({ showGlobalOptions: true, helpWidth: 100 })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // run() reports parse errors itself, in one line or as JSON.
      outputError: () => {},
    })
    .exitOverride()
    .hook('preAction', (_root, action) => {
      pointed.target = targetOf(action.optsWithGlobals<GlobalOptions>(), env);
    });

  const session = (command: Command) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    return new CliSession(new Output(io, options.json === true), pointed.target, env);
  };
  const finish = (code: ExitCode) => {
    exitCode.value = code;
  };

  addPolicyOptions(
    root
      .command('register')
      .summary('register resources to a key, and set its policy')
      .description(
        'Registers resources to a key by tagging them (key-reactor:key-arn = the key, and the managed tag), ' +
          'checking first that the key is fit (in this Region, a symmetric single-Region encryption key, enabled, ' +
          'usable by the reactor: refused with exit code 2 otherwise) and that each resource exists; a resource ' +
          'tagged for another key is refused (exit code 2, tagged-for-another-key). A table row is written only ' +
          "for a layer other than the kind's default, or a resource that does not exist yet. Sets the key's " +
          'policy when asked. A bad argument or a bad line in --from registers nothing.',
      )
      .argument('<key>', KEY_ARGUMENT_HELP)
      .argument('[resourceArn...]', `the ARNs of the resources (${RESOURCE_KINDS.join(', ')})`)
      .option(
        '--from <file>',
        'more resources, one ARN a line, optionally followed by its layer (service or server); # starts a comment',
      )
      .addOption(
        new Option(
          '--layer <layer>',
          'the layer of every resource given without one (default: ecs-service → service, others → server)',
        ).choices(['service', 'server']),
      ),
  )
    .option('--strict', 'refuse, registering nothing, if a resource does not exist')
    .option(
      '--no-check',
      "do not look at the resources' state before registering them (their key tag is still read)",
    )
    .option(
      '--skip-key-checks',
      'register without checking the key, with a warning: for a key that is disabled or pending deletion, ' +
        'such as when restoring a registry',
    )
    .action(async (key: string, resourceArns: string[], options, command: Command) => {
      finish(await register(session(command), key, resourceArns, options));
    });

  root
    .command('unregister')
    .summary('remove resources from a key')
    .description(
      "Removes resources from a key: the key tag and the managed tag of each tagged for it (another key's tag is " +
        'left alone), and its table row. What the reactor stopped is still started again when the key is usable.',
    )
    .argument('<key>', KEY_ARGUMENT_HELP)
    .argument('<resourceArn...>', 'the resources to remove')
    .action(async (keyArn: string, resourceArns: string[], _options, command: Command) => {
      finish(await unregister(session(command), keyArn, resourceArns));
    });

  root
    .command('list')
    .summary('list the registered resources and policies')
    .description(
      'Lists the resources and the policy of one key, or of every key: the resources tagged for the key ' +
        '(the tagging API) and the table rows (a scan for every key), each with how it is registered: tag, ' +
        'row, or both; a legacy row is one key-reactor migrate would move onto the tags.',
    )
    .option('--key <key>', 'only this key (its ARN, key ID, alias or alias ARN)')
    .action(async (options: { key?: string }, command: Command) => {
      finish(await list(session(command), options));
    });

  root
    .command('status')
    .summary("show a key's state, resources, ledger, lease and executions")
    .description(
      "Shows a key's real state, its policy, each resource's state, the ledger, the last outcome, the lease and the latest executions.",
    )
    .argument('<key>', KEY_ARGUMENT_HELP)
    .option('--disable-state-machine <arn>', STATE_MACHINE_HELP.disable)
    .option('--enable-state-machine <arn>', STATE_MACHINE_HELP.enable)
    .action(async (keyArn: string, options, command: Command) => {
      finish(await status(session(command), keyArn, options));
    });

  root
    .command('plan')
    .summary('show what would stop, in which order (changes nothing)')
    .description(
      'Shows what would stop, in which order, if the key became unusable now, with the grace period. Changes nothing.',
    )
    .argument('<key>', KEY_ARGUMENT_HELP)
    .option(
      '--disable-state-machine <arn>',
      `${STATE_MACHINE_HELP.disable}; read for the deployed grace period`,
    )
    .action(async (keyArn: string, options, command: Command) => {
      finish(await plan(session(command), keyArn, options));
    });

  root
    .command('adopt')
    .summary('tag the resources encrypted with a key that are not tagged for it')
    .description(
      'Lists the resources encrypted with the key that carry no key tag (the RDS instances and clusters, EC2 ' +
        'instances and Auto Scaling groups the reactor can stop), and, once confirmed, tags them with ' +
        'key-reactor:key-arn and the managed tag. Asks y/N on a terminal; elsewhere needs --yes.',
    )
    .argument('<key>', KEY_ARGUMENT_HELP)
    .option('--yes', 'tag without asking')
    .action(async (keyArn: string, options: { yes?: boolean }, command: Command) => {
      finish(await adopt(session(command), keyArn, options));
    });

  root
    .command('migrate')
    .summary("move the table registrations onto the resources' tags")
    .description(
      "Tags every resource a table row registers for the row's key (key-reactor:key-arn and the managed tag), " +
        "then deletes the rows whose layer is the kind's default; a row that sets another layer stays. A " +
        'resource tagged for another key is refused and reported (exit code 2), one that does not exist keeps ' +
        'its row. Prints the plan and changes nothing unless --yes.',
    )
    .option('--yes', 'tag and delete the rows; without it, a dry run')
    .action(async (options: { yes?: boolean }, command: Command) => {
      finish(await migrate(session(command), options));
    });

  root
    .command('lease')
    .summary("free a key's lease")
    .description(
      "Frees a key's lease when the workflow holding it has ended (aborted, failed, timed out) and left it behind. " +
        'A lease whose workflow still runs is refused (exit code 2) unless --force: that run may be stopping or ' +
        "starting the key's resources now.",
    )
    .command('release')
    .summary('free the lease of a key whose workflow has ended')
    .argument('<key>', KEY_ARGUMENT_HELP)
    .option('--force', 'release it even if its workflow still runs')
    .action(async (keyArn: string, options: { force?: boolean }, command: Command) => {
      finish(await leaseRelease(session(command), keyArn, options));
    });

  root
    .command('pause')
    .summary('pause the reactor: every workflow acts as alert-only until resume')
    .description(
      'Pauses the whole reactor: until `key-reactor resume`, every workflow acts as alert-only (nothing is ' +
        'stopped or started; the emails say the reactor is paused). The sweep keeps reporting drift, and acts on ' +
        'it once resumed. Records who paused it, when and why.',
    )
    .option('--reason <text>', 'why, for the record and for whoever resumes it')
    .option('--by <name>', 'who pauses it (default: your user name)')
    .action(async (options: { reason?: string; by?: string }, command: Command) => {
      finish(await pause(session(command), options));
    });

  root
    .command('resume')
    .summary("lift a pause, an operator's or the circuit breaker's")
    .description(
      'Lifts a pause, whether an operator or the circuit breaker set it. Keys that turned unusable before it ' +
        'no longer count towards the breaker, so the shutdowns it held back go ahead at the next sweep.',
    )
    .option('--by <name>', 'who resumes it (default: your user name)')
    .action(async (options: { by?: string }, command: Command) => {
      finish(await resume(session(command), options));
    });

  addBadDayCommands(root, { session, finish });

  root
    .command('simulate')
    .summary('replay an EventBridge event in the local sandbox')
    .description(
      'Replays a recorded EventBridge event through the rules, the dispatcher and the workflows on a fresh local sandbox, ' +
        'or runs a game-day scenario (npm run simulate). Exit code 2 for an unusable file, with one line saying why.',
    )
    .argument(
      '<file.json>',
      'an EventBridge event as EventBridge delivers it (id, detail-type, source, account, time, region, resources, ' +
        'detail), for example ../shared/samples/events/disable-key-cli.json; or a scenario (docs/sandbox.md)',
    )
    .option('--grace <seconds>', 'the grace period in the sandbox, 0 to 600 seconds (default: 2)')
    .option('--verbose', "add the handlers' own log lines")
    // It reads no table, Region or endpoint (it runs its own sandbox): its help lists what it reads.
    .option('--json', 'print one JSON object with the outcome on stdout (the timeline goes to stderr)')
    .configureHelp({ showGlobalOptions: false, helpWidth: 100 })
    .action(async (eventFile: string, options: { grace?: string; verbose?: boolean }, command: Command) => {
      finish(
        await simulate(io, eventFile, { ...options, json: command.optsWithGlobals<GlobalOptions>().json }),
      );
    });

  root
    .command('doctor')
    .summary('check what running and deploying the reactor need, with the fix for each problem')
    .description(
      'Checks Node, moto, AWS credentials, the CDK bootstrap, SES (the sender verified, production access) and a ' +
        'CloudTrail trail logging management events in the Region, and prints the fix for each problem. Exit code 1 ' +
        'when a check fails.',
    )
    .option(
      '--sender <address>',
      'the sender address to find verified in SES (the -c senderAddress you deploy with)',
    )
    .action(async (options: { sender?: string }, command: Command) => {
      finish(await doctor(session(command), options));
    });

  return root;
}

/** Whether --json was given, read from the raw arguments: a parse error comes before commander's options. */
const wantsJson = (argv: readonly string[]) => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
};

/**
 * Runs the CLI on `argv` (the arguments after the command name) and returns the exit code. Errors are
 * one line on stderr, never a stack trace: `error: <message>`, or with --json one JSON document
 * (errors.ts, errorLine). Tests call this in-process.
 */
export async function run(
  argv: readonly string[],
  io: CliIo = process,
  env: Environment = process.env,
): Promise<ExitCode> {
  const exitCode: { value: ExitCode } = { value: EXIT.ok };
  const pointed: { target: Target } = { target: {} };
  try {
    await program(io, env, exitCode, pointed).parseAsync([...argv], { from: 'user' });
    return exitCode.value;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end in a CommanderError too, with exit code 0; so does help shown for a bare
      // `key-reactor` (commander.help, exit code 1): commander printed it.
      if (error.exitCode === 0) return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.usage;
      const explained = explainParseError(error);
      io.stderr.write(errorLine(explained, wantsJson(argv)));
      return explained.exitCode;
    }
    const explained = explain(error, pointed.target);
    io.stderr.write(errorLine(explained, wantsJson(argv)));
    return explained.exitCode;
  }
}

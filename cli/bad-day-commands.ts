import { type Command, Option } from 'commander';
import { ACCESS_DENIED_ACTIONS, POLICY_ACTIONS, POLICY_LANGUAGES } from '../lambdas/shared/store/policy';
import { init } from './commands/init';
import { type PolicySetOptions, policySet } from './commands/policy';
import { redrive } from './commands/redrive';
import { limitOption, type RunsOptions, runs } from './commands/runs';
import type { CliSession } from './context';
import type { ExitCode } from './errors';
import { collectAdmins, graceSecondsOption } from './inputs';

/** How main.ts hands a command its session and takes its exit code. */
export interface Wiring {
  readonly session: (command: Command) => CliSession;
  readonly finish: (code: ExitCode) => void;
}

export const KEY_ARGUMENT_HELP =
  'the customer key: its ARN, its key ID, an alias (alias/<name>) or an alias ARN';

export const STATE_MACHINE_HELP = {
  disable:
    'the key-disabled workflow (default: env DISABLE_STATE_MACHINE_ARN; stack output DisableStateMachineArn)',
  enable:
    'the key-enabled workflow (default: env ENABLE_STATE_MACHINE_ARN; stack output EnableStateMachineArn)',
};

/** The options that set a key's policy, shared by register and policy set. */
export function addPolicyOptions(command: Command): Command {
  return command
    .option(
      '--grace <minutes>',
      "the key's own grace period, 0 to 1440 minutes (default: the deployed one)",
      graceSecondsOption,
    )
    .addOption(
      new Option(
        '--action <action>',
        'after the grace period: stop the resources, or only email (default: shutdown)',
      ).choices(POLICY_ACTIONS),
    )
    .addOption(
      new Option(
        '--on-access-denied <action>',
        "once the platform's access to the key is confirmed revoked: stop the resources, or only email (default: shutdown)",
      ).choices(ACCESS_DENIED_ACTIONS),
    )
    .option(
      '--admin <email>',
      "an administrator of the key, who gets its emails (repeat, or separate with commas; replaces the key's list)",
      collectAdmins,
    )
    .addOption(
      new Option('--language <language>', "the language of the key's emails (default: en)").choices(
        POLICY_LANGUAGES,
      ),
    );
}

/**
 * The commands for a bad day: change a key's policy without naming a resource, see the key's runs and
 * redrive one that failed, and create the table for local use.
 */
export function addBadDayCommands(root: Command, { session, finish }: Wiring): void {
  const policy = root
    .command('policy')
    .summary("change a key's policy")
    .description(
      "Changes a key's policy: its grace period, its action, what revoked access does, its administrators, " +
        "its emails' language.",
    );
  addPolicyOptions(
    policy
      .command('set')
      .summary(
        "set a key's grace period, action, on-access-denied, administrators or language, without naming a resource",
      )
      .description(
        "Sets the given fields of a key's policy and keeps the others. The key is not checked as register " +
          'checks it, so that the policy of a disabled key can be changed.',
      )
      .argument('<key>', KEY_ARGUMENT_HELP),
  ).action(async (key: string, options: PolicySetOptions, command: Command) => {
    finish(await policySet(session(command), key, options));
  });

  root
    .command('runs')
    .summary("list a key's recent executions of both workflows, with their outcome and console link")
    .description(
      "Lists the key's recent executions of the key-disabled and key-enabled workflows, newest first: their " +
        'status, error, start and stop times, and Step Functions console link. Needs no table.',
    )
    .argument('<key>', KEY_ARGUMENT_HELP)
    .option('--disable-state-machine <arn>', STATE_MACHINE_HELP.disable)
    .option('--enable-state-machine <arn>', STATE_MACHINE_HELP.enable)
    .option('--limit <n>', 'how many executions, 1 to 100', limitOption, 10)
    .action(async (key: string, options: RunsOptions, command: Command) => {
      finish(await runs(session(command), key, options));
    });

  root
    .command('redrive')
    .summary('restart a failed execution from the step that stopped it')
    .description(
      'Redrives a FAILED, ABORTED or TIMED_OUT execution (Step Functions RedriveExecution): it resumes at the ' +
        'step that stopped it, keeping what it had done. One that cannot be redriven is refused with exit code 2.',
    )
    .argument('<executionArn>', 'the execution (key-reactor runs <key> lists them)')
    .action(async (executionArn: string, _options, command: Command) => {
      finish(await redrive(session(command), executionArn));
    });

  root
    .command('init')
    .summary('create the table for local use (needs --endpoint-url)')
    .description(
      "Creates the reactor's table, with the schema the stack deploys, at a local endpoint (moto, DynamoDB " +
        'Local): --endpoint-url or AWS_ENDPOINT_URL is required. Says so and changes nothing when the table exists.',
    )
    .action(async (_options, command: Command) => {
      finish(await init(session(command)));
    });
}

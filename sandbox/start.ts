import './environment';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import { sentEmails } from './aws-calls';
import { cloudTrailEvent } from './cloudtrail';
import { ArgumentError, graceSeconds, nodeVersionNotice, parseCommandLine } from './command-line';
import { MotoNotInstalledError } from './moto';
import { type DispatchOutcome, LocalReactor } from './reactor';
import { Timeline } from './timeline';
import { createCustomerKey, createFleet, DEMO, type FleetMember, observeFleet, registerFleet } from './world';

const USAGE = `Usage: npm start -- [--grace <seconds>] [--keep]

Runs the key-lifecycle reactor end to end on this machine, with AWS faked by a moto server:
builds a BYOK world (a customer key; an ECS service, two EC2 instances and an RDS database
registered to it), disables the key as a console user would, lets the reactor shut the fleet
down after the grace period, then enables the key and lets it bring the fleet back. Then does
both again with the KMS events lost on the way, and lets the periodic sweep find the changes.

  --grace <seconds>  the grace period, scaled down from the deployed 10 minutes (default 10)
  --keep             leave moto running at the end, to look around with the AWS CLI
  --verbose          also print the handlers' own JSON log lines
  --help             this text`;

function parseOptions() {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    {
      grace: { type: 'string' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
    'npm start --',
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { grace: graceSeconds(values.grace, 10), keep: values.keep ?? false };
}

async function printFleet(
  reactor: LocalReactor,
  timeline: Timeline,
  fleet: readonly FleetMember[],
): Promise<void> {
  const states = await observeFleet(reactor.reactor, fleet);
  for (const member of fleet)
    timeline.say(`  ${member.layer.padEnd(7)} ${member.label.padEnd(28)} ${states.get(member.resourceArn)}`);
}

/** What the dispatcher made of each delivery a rule made. */
function sayDispatched(timeline: Timeline, rule: string, outcomes: readonly DispatchOutcome[]): void {
  for (const outcome of outcomes) {
    timeline.say(
      outcome.accepted
        ? `${rule} matched; dispatcher started ${outcome.executionName}`
        : `${rule} matched; dispatcher rejected the event: ${outcome.reason}`,
    );
  }
}

/**
 * No event reaches the reactor (a forwarder deleted, a rule disabled): the next sweep finds the key and
 * its fleet out of line and puts a drift event, which takes the normal path.
 */
async function sweepFor(reactor: LocalReactor, timeline: Timeline): Promise<void> {
  timeline.say('No event reaches the reactor. The sweep runs (every 5 minutes when deployed)');
  const summary = await reactor.runSweep();
  for (const drift of summary.drifts)
    timeline.say(`Sweep: drift on ${keyIdOf(drift.keyArn)}: ${drift.reason}`);
  sayDispatched(timeline, 'Drift rule', await reactor.deliver());
  await reactor.settle();
}

async function main(): Promise<number> {
  const { grace, keep } = parseOptions();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const reactor = await LocalReactor.start({
    graceMs: grace * 1000,
    graceSeconds: grace,
    pollMs: 200,
    retryMs: 500,
  });
  // Said once the sandbox is up, so that a run that cannot start says only why.
  const notice = nodeVersionNotice();
  if (notice) process.stderr.write(`${notice}\n`);
  const timeline = new Timeline(out);
  try {
    out(`moto_server on ${reactor.moto.endpoint}; grace period ${grace}s (10 minutes when deployed)\n`);
    const keyArn = await createCustomerKey(reactor.clients, 'Customer BYOK key (sandbox)');
    const fleet = await createFleet(reactor.clients);
    await registerFleet(reactor, keyArn, fleet);
    out(`Customer key ${keyArn}`);
    out('Registered to it:');
    await printFleet(reactor, timeline, fleet);
    timeline.attach(reactor);

    for (const [eventName, command, eventLost] of [
      ['DisableKey', DisableKeyCommand, false],
      ['EnableKey', EnableKeyCommand, false],
      ['DisableKey', DisableKeyCommand, true],
      ['EnableKey', EnableKeyCommand, true],
    ] as const) {
      out(`\n== ${eventName}${eventLost ? ', its event lost on the way' : ''}`);
      timeline.restart();
      await reactor.clients.kms.send(new command({ KeyId: keyIdOf(keyArn) }));
      timeline.say(
        `KMS ${eventName} on ${keyIdOf(keyArn)} by arn:aws:iam::${reactor.place.account}:user/customer-admin`,
      );
      if (eventLost) {
        await sweepFor(reactor, timeline);
        timeline.say('Fleet now:');
        await printFleet(reactor, timeline, fleet);
        continue;
      }
      const event = cloudTrailEvent({
        eventName,
        keyId: keyIdOf(keyArn),
        keyArn,
        account: reactor.place.account,
        region: reactor.place.region,
        userName: 'customer-admin',
      });
      const outcomes = await reactor.publish(event);
      if (outcomes.length === 0) timeline.say('EventBridge: no rule matched the event');
      sayDispatched(timeline, 'EventBridge rule', outcomes);
      await reactor.settle();
      timeline.say('Fleet now:');
      await printFleet(reactor, timeline, fleet);
    }
    timeline.close();

    const failed = reactor.executions.filter((execution) => execution.status !== 'SUCCEEDED');
    const emails = sentEmails(reactor.calls);
    out('\n== Summary');
    for (const execution of reactor.executions)
      out(`  ${execution.status.padEnd(9)} ${execution.workflow.padEnd(7)} ${execution.name}`);
    // One line per message: the administrators and the operators each get their own.
    out(`  ${emails.length} emails sent:`);
    for (const email of emails) out(`    to ${email.to.join(', ')}: ${email.subject}`);
    const pages = reactor.calls.of('Publish');
    if (pages.length > 0) {
      out(`  ${pages.length} pages to the operators' SNS topic:`);
      for (const page of pages) out(`    ${String(page.input.Subject)}`);
    }
    if (keep) {
      out(
        `\nThe sandbox is still up. Try:\n  export AWS_ENDPOINT_URL=${reactor.moto.endpoint} AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS=1`,
      );
      out(
        '  aws ecs list-services --cluster customer-data\n  aws ec2 describe-instances --query "Reservations[].Instances[].[InstanceId,State.Name]"',
      );
      out(`  aws dynamodb scan --table-name ${DEMO.tableName}\nPress Ctrl-C to stop it.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return failed.length === 0 ? 0 : 1;
  } finally {
    timeline.close();
    await reactor.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // One line, never a stack: bad arguments exit 2, a missing moto or a failed run 1.
    if (error instanceof ArgumentError || error instanceof MotoNotInstalledError) {
      process.stderr.write(`npm start: ${error.message}\n`);
      process.exit(error instanceof ArgumentError ? 2 : 1);
    }
    const first =
      error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : String(error);
    process.stderr.write(`npm start: ${first} (add --verbose for the stack)\n`);
    if (process.argv.includes('--verbose') && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);

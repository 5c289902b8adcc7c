import type { Seen } from '../../lambdas/shared/decision';
import { readKeyAdvisories } from '../../lambdas/shared/key-advisories';
import type { CliSession } from '../context';
import { dependentsData, printDependents, readDependents } from '../dependents';
import { EXIT, type ExitCode } from '../errors';
import {
  byStopOrder,
  consoleLink,
  nameOf,
  policyLines,
  resourceTable,
  table,
  utcTime as time,
} from '../format';
import { keyMembers } from '../key-members';
import { errorOf, observationOf, observe, stateText } from '../observe';
import {
  deployedGraceSeconds,
  latestExecutions,
  readKeyState,
  type StateMachineOptions,
  stateMachineArns,
} from '../workflows';

/**
 * Everything an operator asks first about one key: its real state, its policy, each registered
 * resource's state as the drivers see it, what the reactor stopped (the ledger), the key's last outcome
 * and failure, who holds its lease, and its latest executions with console links. Reads only.
 */
export async function status(
  session: CliSession,
  keyArnValue: string,
  options: StateMachineOptions,
): Promise<ExitCode> {
  const { keyArn, r, out } = await session.forKey(keyArnValue);
  const arns = stateMachineArns(session, options);

  const [key, policy, resources, ledger, outcome, lease, deployedGrace, runs] = await Promise.all([
    readKeyState(r, keyArn),
    r.store.registry.policy(keyArn),
    keyMembers(r, keyArn)
      .then(({ members }) => members)
      .then(byStopOrder),
    r.store.ledger.list(keyArn).then(byStopOrder),
    r.store.outcomes.read(keyArn),
    r.store.leases.read(keyArn),
    deployedGraceSeconds(r, arns.disable),
    latestExecutions(r, keyArn, arns),
  ]);
  const [observed, dependents] = await Promise.all([
    observe(r, resources),
    readDependents(
      r,
      keyArn,
      resources.map((resource) => resource.resourceArn),
    ),
  ]);
  // Printed, never acted on: the exit code stays as it is.
  const advisories = await readKeyAdvisories(
    session.kms(),
    keyArn,
    resources.map((resource) => resource.resourceArn),
    observed,
  );
  const now = Math.floor(r.clock().getTime() / 1000);
  const held = lease !== undefined && lease.expires >= now ? lease : undefined;

  if (out.json) {
    out.data({
      keyArn,
      key,
      policy: { ...policy, deployedGraceSeconds: deployedGrace ?? null },
      resources: resources.map((resource) => ({
        ...resource,
        state: observationOf(observed.get(resource.resourceArn)) ?? null,
        error: errorOf(observed.get(resource.resourceArn)) ?? null,
        taggedForKey: taggedForKey(observed.get(resource.resourceArn), keyArn) ?? null,
      })),
      ledger,
      outcome,
      lease: held ? { owner: held.owner, expiresAt: new Date(held.expires * 1000).toISOString() } : null,
      executions: runs.executions.map((execution) => ({
        ...execution,
        console: consoleLink(execution.executionArn),
      })),
      problems: runs.problems,
      warnings: advisories,
      ...dependentsData(dependents),
    });
    return EXIT.ok;
  }

  const lines = policyLines(policy, deployedGrace);
  out.line(`Key ${keyArn}`);
  out.line(
    `  state:          ${key.keyState}${key.usable === null ? '' : key.usable ? ' (usable)' : ' (not usable)'}${key.note ? `: ${key.note}` : ''}`,
  );
  out.line(`  action:         ${lines.action}`);
  out.line(`  access denied:  ${lines.accessDenied}`);
  out.line(`  grace period:   ${lines.grace}`);
  out.line(`  administrators: ${lines.administrators}`);
  out.line(`  language:       ${lines.language}`);
  out.line(
    `  last outcome:   ${outcome.status ? `${outcome.status} at ${time(outcome.updatedAt)} by ${outcome.executionName}` : 'none yet'}`,
  );
  if (outcome.lastFailure) {
    const failure = outcome.lastFailure;
    out.line(`  last failure:   ${failure.error} at ${time(failure.at)} in ${failure.executionName}`);
  }
  out.line(
    `  lease:          ${held ? `held by ${held.owner} until ${time(new Date(held.expires * 1000))}` : 'free'}`,
  );

  if (advisories.length > 0) {
    out.line();
    out.line(`Warnings (${advisories.length}):`);
    for (const advisory of advisories) out.line(`  ${advisory.message}`);
  }

  out.line();
  out.line(`Registered resources (${resources.length}):`);
  if (resources.length === 0) out.line('  none');
  else {
    out.lines(
      resourceTable(
        resources,
        (resourceArn) =>
          `${stateText(observed.get(resourceArn))}${keyTagNote(observed.get(resourceArn), keyArn)}`,
      ),
    );
  }
  printDependents(out, dependents);

  out.line();
  out.line(`Stopped by the reactor, to be started when the key is usable (${ledger.length}):`);
  if (ledger.length === 0) out.line('  none');
  else {
    out.lines(
      table(
        ['LAYER', 'KIND', 'NAME', 'STOPPED AT', 'BY', 'RESTORES'],
        ledger.map((entry) => [
          entry.layer,
          entry.kind,
          nameOf(entry.resourceArn),
          time(entry.stoppedAt),
          entry.stoppedBy,
          Object.entries(entry.restore)
            .map(([name, value]) => `${name}=${String(value)}`)
            .join(', ') || '-',
        ]),
      ),
    );
  }

  out.line();
  if (Object.keys(arns).length === 0) {
    out.line(
      'Executions: not shown. Pass --disable-state-machine and --enable-state-machine, or set DISABLE_STATE_MACHINE_ARN ' +
        'and ENABLE_STATE_MACHINE_ARN (stack outputs DisableStateMachineArn and EnableStateMachineArn).',
    );
  } else {
    out.line(`Latest executions (${runs.executions.length}):`);
    if (runs.executions.length === 0) out.line('  none');
    for (const execution of runs.executions) {
      out.line(`  ${execution.status.padEnd(9)}  ${execution.name}  started ${time(execution.startDate)}`);
      out.line(`             ${consoleLink(execution.executionArn)}`);
    }
    for (const problem of runs.problems) out.warn(problem);
  }
  return EXIT.ok;
}

/** Whether the resource carries this key's tag; undefined when it could not be looked at, or is gone. */
function taggedForKey(seen: Seen | undefined, keyArn: string): boolean | undefined {
  const observation = observationOf(seen);
  return observation === undefined || observation.state === 'not-found'
    ? undefined
    : observation.keyTag === keyArn;
}

/** The workflows skip a resource without the key's tag (its key role may not touch it): status says so. */
function keyTagNote(seen: Seen | undefined, keyArn: string): string {
  return taggedForKey(seen, keyArn) === false
    ? ' - not tagged for this key, so the reactor skips it: key-reactor migrate tags it'
    : '';
}

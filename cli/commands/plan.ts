import { type Decision, decide } from '../../lambdas/shared/decision';
import { type Layer, RESOURCE_KINDS, type RegisteredResource } from '../../lambdas/shared/model';
import type { CliSession } from '../context';
import { dependentsData, printDependents, readDependents } from '../dependents';
import { EXIT, type ExitCode } from '../errors';
import { duration, nameOf, policyLines, table } from '../format';
import { keyMembers } from '../key-members';
import { observe, stateText } from '../observe';
import { deployedGraceSeconds, readKeyState, type StateMachineOptions, stateMachineArns } from '../workflows';

/** What the key-disabled workflow would do with one resource: decision.ts's verdict, in the CLI's words. */
function wouldDo(decision: Decision): { verdict: 'stop' | 'wait' | 'skip' | 'already stopped'; why: string } {
  switch (decision.verdict) {
    case 'stop':
      return { verdict: 'stop', why: decision.why };
    case 'wait':
      return { verdict: 'wait', why: decision.why };
    case 'settled':
      return { verdict: 'already stopped', why: 'nothing to do' };
    default:
      return { verdict: 'skip', why: decision.why };
  }
}

/**
 * What the key-disabled workflow would do if the key became unusable now: in which order it would stop
 * what, with each resource's current state and the grace period first. Touches nothing: the drivers'
 * `status` only, and reads of the table, the key and the state machine.
 */
export async function plan(
  session: CliSession,
  keyArnValue: string,
  options: StateMachineOptions,
): Promise<ExitCode> {
  const { keyArn, r, out } = await session.forKey(keyArnValue);
  const [key, policy, resources, deployedGrace] = await Promise.all([
    readKeyState(r, keyArn),
    r.store.registry.policy(keyArn),
    keyMembers(r, keyArn).then(({ members }) => members),
    deployedGraceSeconds(r, stateMachineArns(session, options).disable),
  ]);
  const [observed, dependents] = await Promise.all([
    observe(r, resources),
    readDependents(
      r,
      keyArn,
      resources.map((resource) => resource.resourceArn),
    ),
  ]);
  const decisions = new Map(
    decide({
      target: 'stopped',
      members: resources,
      seen: observed,
      managedTag: r.settings.managedTag,
      keyArn,
    }).map((decision) => [decision.member.resourceArn, decision]),
  );
  const graceSeconds = policy.graceSeconds ?? deployedGrace;
  const kindOrder = (resource: RegisteredResource) => RESOURCE_KINDS.indexOf(resource.kind);
  const layer = (which: Layer) =>
    resources
      .filter((resource) => resource.layer === which)
      .sort((a, b) => kindOrder(a) - kindOrder(b) || a.resourceArn.localeCompare(b.resourceArn))
      .map((resource) => {
        const decision = decisions.get(resource.resourceArn);
        return {
          ...resource,
          state: stateText(observed.get(resource.resourceArn)),
          ...(decision ? wouldDo(decision) : { verdict: 'skip' as const, why: 'not observed' }),
        };
      });
  const steps = { services: layer('service'), servers: layer('server') };
  const alertOnly = policy.action === 'alert-only';

  if (out.json) {
    out.data({
      keyArn,
      key,
      action: policy.action,
      graceSeconds: graceSeconds ?? null,
      graceFrom: policy.graceSeconds === undefined ? 'deployment' : 'key',
      wouldStop: alertOnly
        ? []
        : [...steps.services, ...steps.servers].filter((r) => r.verdict === 'stop').map((r) => r.resourceArn),
      services: steps.services,
      servers: steps.servers,
      ...dependentsData(dependents),
    });
    return EXIT.ok;
  }

  const lines = policyLines(policy, deployedGrace);
  const grace = graceSeconds === undefined ? 'the deployed grace period' : duration(graceSeconds);
  out.line(`Plan for ${keyArn} if it became unusable now (nothing is changed by this command)`);
  out.line(`  key now:      ${key.keyState}${key.note ? ` (${key.note})` : ''}`);
  out.line(`  action:       ${lines.action}`);
  out.line(`  on denial:    ${lines.accessDenied}`);
  out.line(`  grace period: ${lines.grace}`);
  out.line();
  if (resources.length === 0) {
    out.line('Nothing is registered to the key: the workflow would release its lease and stop nothing.');
    printDependents(out, dependents);
    return EXIT.ok;
  }
  out.line(`1. Email the administrators and the operators that the grace period started.`);
  out.line(`2. Wait ${grace}, then read the key's state again: if it is usable, stop nothing and say so.`);
  const byKind = (members: typeof steps.services) =>
    table(
      ['KIND', 'NAME', 'NOW', 'WOULD'],
      members.map((member) => [
        member.kind,
        nameOf(member.resourceArn),
        member.state,
        member.verdict === 'stop' ? 'stop' : `${member.verdict}: ${member.why}`,
      ]),
      '     ',
    );
  if (alertOnly) {
    out.line('3. Stop nothing (the policy is alert-only) and email that these resources were left running:');
    out.lines(byKind([...steps.services, ...steps.servers]));
    printDependents(out, dependents);
    return EXIT.ok;
  }
  out.line(`3. Stop the services (${steps.services.length}), and wait until they are stopped:`);
  out.lines(steps.services.length > 0 ? byKind(steps.services) : ['     none']);
  out.line(`4. Stop the servers (${steps.servers.length}), and wait until they are stopped:`);
  out.lines(steps.servers.length > 0 ? byKind(steps.servers) : ['     none']);
  out.line(
    '5. Record the shutdown, email the administrators and the operators what was stopped, release the lease.',
  );
  out.line('A deleted key (KMS CMK Deletion) skips steps 1 and 2.');
  printDependents(out, dependents);
  return EXIT.ok;
}

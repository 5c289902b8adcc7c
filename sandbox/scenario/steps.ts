import { randomUUID } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { run } from '../../cli/main';
import { resourceIdOf } from '../../lambdas/shared/arn';
import { ENV } from '../../lambdas/shared/contract';
import { cloudTrailEvent, type EventBridgeEvent } from '../cloudtrail';
import type { LocalReactor } from '../reactor';
import { DEMO } from '../world';
import type { Member, ScenarioFleet } from './fleet';
import {
  type AccessStep,
  durationMs,
  type KmsStep,
  type RdsStep,
  ScenarioError,
  type ScenarioStep,
} from './format';

/** The reactor's clock in a scenario: the system's, moved forward by `advance` steps. */
export class ScenarioClock {
  private offsetMs = 0;

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** What a step needs of the scenario it runs in. */
export interface StepContext {
  readonly reactor: LocalReactor;
  readonly fleet: ScenarioFleet;
  readonly members: readonly Member[];
  readonly keyArn: string;
  readonly clock: ScenarioClock;
  readonly say: (text: string) => void;
}

const PENDING_WINDOW_DAYS = 7;

/** The CloudTrail record's requestParameters for a call on the key, as KMS writes them. */
function requestParameters(call: KmsStep['kms'], keyId: string): Record<string, unknown> {
  return call === 'ScheduleKeyDeletion' ? { keyId, pendingWindowInDays: PENDING_WINDOW_DAYS } : { keyId };
}

async function kmsStep(context: StepContext, step: KmsStep): Promise<void> {
  const { reactor, keyArn, clock, say } = context;
  const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
  const kms = reactor.clients.kms;
  let errorCode: string | undefined;
  try {
    if (step.kms === 'DisableKey') await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    else if (step.kms === 'EnableKey') await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    else if (step.kms === 'CancelKeyDeletion') await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    else {
      await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: PENDING_WINDOW_DAYS }),
      );
    }
  } catch (error) {
    // CloudTrail records a refused call too, with its error code: the rules must not act on it.
    errorCode = (error as Error).name;
    say(`KMS refused ${step.kms}: ${errorCode}`);
  }
  const recorded = cloudTrailEvent({
    eventName: step.kms,
    keyId,
    keyArn,
    account: reactor.place.account,
    region: reactor.place.region,
    userName: 'customer-admin',
    requestParameters: requestParameters(step.kms, keyId),
    at: clock.now(),
  });
  const event: EventBridgeEvent = errorCode
    ? { ...recorded, detail: { ...recorded.detail, errorCode, errorMessage: `${step.kms} was refused` } }
    : recorded;
  const delivery = step.delivery ?? 'once';
  if (delivery === 'lost') {
    say(`its CloudTrail event is lost: nothing reaches the rules`);
    return;
  }
  await reactor.bus.put(event);
  if (delivery === 'twice') await reactor.bus.put(event);
  await dispatch(context);
}

/**
 * The customer changes the key policy so that the platform may no longer use the key (or allows it
 * again): the key stays Enabled, the reactor's probe is refused through the key seam, and CloudTrail
 * records a PutKeyPolicy, which the rules deliver as `delivery` says.
 */
async function accessStep(context: StepContext, step: AccessStep): Promise<void> {
  const { reactor, keyArn, clock, say } = context;
  const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
  const revoke = 'revokeAccess' in step;
  if (revoke) reactor.keySeam.revokeAccess(keyId);
  else reactor.keySeam.restoreAccess(keyId);
  say(
    revoke
      ? "the key policy no longer lets the platform use the key (the key stays Enabled): the reactor's probe is refused"
      : 'the key policy lets the platform use the key again',
  );
  const event = cloudTrailEvent({
    eventName: 'PutKeyPolicy',
    keyId,
    keyArn,
    account: reactor.place.account,
    region: reactor.place.region,
    userName: 'customer-admin',
    requestParameters: { keyId, policyName: 'default', bypassPolicyLockoutSafetyCheck: false },
    at: clock.now(),
  });
  const delivery = step.delivery ?? 'once';
  if (delivery === 'lost') {
    say('its CloudTrail event is lost: nothing reaches the rules');
    return;
  }
  await reactor.bus.put(event);
  if (delivery === 'twice') await reactor.bus.put(event);
  await dispatch(context);
}

/** Hands what the rules delivered to the dispatcher, and says what became of each delivery. */
async function dispatch(context: StepContext): Promise<void> {
  const outcomes = await context.reactor.deliver();
  if (outcomes.length === 0) context.say('EventBridge: no rule matched');
  for (const outcome of outcomes) {
    context.say(
      outcome.accepted
        ? `dispatcher started ${outcome.executionName}${outcome.duplicate ? ' (duplicate)' : ''}`
        : `dispatcher rejected the event: ${outcome.reason}`,
    );
  }
}

/** `$KEY_ARN`, `$KEY_ID`, `$ACCOUNT` and `$REGION` replaced in every string of `value`. */
export function substitute(value: unknown, context: Pick<StepContext, 'keyArn' | 'reactor'>): unknown {
  const { keyArn, reactor } = context;
  const values: Record<string, string> = {
    $KEY_ARN: keyArn,
    $KEY_ID: keyArn.slice(keyArn.lastIndexOf('/') + 1),
    $ACCOUNT: reactor.place.account,
    $REGION: reactor.place.region,
  };
  if (typeof value === 'string')
    return value.replace(/\$(KEY_ARN|KEY_ID|ACCOUNT|REGION)/g, (name) => values[name] ?? name);
  if (Array.isArray(value)) return value.map((item) => substitute(item, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, context)]));
  }
  return value;
}

async function eventStep(context: StepContext, given: Record<string, unknown>): Promise<void> {
  const event = substitute(given, context) as Partial<EventBridgeEvent>;
  // What EventBridge fills in when the putter does not: an ID, and the time of the put (the reactor's now).
  await context.reactor.bus.put({
    ...event,
    id: event.id ?? randomUUID(),
    time:
      event.time ??
      context.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    resources: event.resources ?? [],
  } as EventBridgeEvent);
  await dispatch(context);
}

async function cliStep(context: StepContext, argv: readonly string[]): Promise<void> {
  const { reactor, say } = context;
  const args = argv.map((arg) => substitute(arg, context) as string);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const settings = reactor.reactor.settings;
  const code = await run(args, io, {
    [ENV.tableName]: DEMO.tableName,
    [ENV.disableStateMachineArn]: settings.stateMachineArns.disable,
    [ENV.enableStateMachineArn]: settings.stateMachineArns.enable,
    AWS_ENDPOINT_URL: reactor.moto.endpoint,
    AWS_REGION: reactor.place.region,
    AWS_MAX_ATTEMPTS: '1',
  });
  say(`key-reactor ${args.join(' ')}: exit ${code}`);
  for (const line of `${stdout}${stderr}`.split('\n').filter((text) => text.trim())) say(`  | ${line}`);
}

/** The seam's status for an RDS member (sandbox/rds-seam.ts), or moto's own answer again. */
function rdsStep(context: StepContext, step: RdsStep): void {
  const member = context.members.find((candidate) => candidate.name === step.resource) as Member;
  if (member.kind !== 'rds-instance' && member.kind !== 'rds-cluster') {
    throw new ScenarioError(`rds step: "${member.name}" is an ${member.kind}, not an RDS database`);
  }
  const identifier = resourceIdOf(member.arn);
  if (step.rds === 'clear') {
    context.reactor.rdsSeam.clear(identifier);
    context.say(`seam: RDS reports ${member.name} as moto does again`);
    return;
  }
  context.reactor.rdsSeam.set(identifier, step.rds);
  context.say(`seam: RDS reports ${member.name} ${step.rds} (moto cannot enter this status)`);
}

/** Runs one step; the caller waits for the reactor to be idle afterwards, unless the step says not to. */
export async function runStep(context: StepContext, step: ScenarioStep): Promise<void> {
  const { reactor, say } = context;
  if ('kms' in step) return kmsStep(context, step);
  if ('revokeAccess' in step || 'restoreAccess' in step) return accessStep(context, step);
  if ('event' in step) return eventStep(context, step.event as Record<string, unknown>);
  if ('fault' in step) {
    reactor.faults.script(step.fault);
    return;
  }
  if ('clearFaults' in step) {
    reactor.faults.clearScripted();
    return;
  }
  if ('operator' in step) {
    const member = context.members.find((candidate) => candidate.name === step.resource) as Member;
    // AWS may refuse an operator (starting a database that runs): that is part of the rehearsal.
    await context.fleet.operate(member, step.operator).catch((error: Error) => {
      say(`AWS refused the operator's ${step.operator} of ${member.name}: ${error.name}: ${error.message}`);
    });
    return;
  }
  if ('cli' in step) return cliStep(context, step.cli);
  if ('rds' in step) return rdsStep(context, step);
  if ('abort' in step) {
    const running = reactor.executions.filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) reactor.stepFunctions.stop(execution.executionArn);
    say(
      running.length > 0
        ? `stopped ${running.map((execution) => execution.name).join(', ')}`
        : 'nothing was running',
    );
    return;
  }
  if ('sweep' in step) {
    const summary = await reactor.runSweep().catch((error: Error) => {
      // As deployed: the invocation fails, the SweepErrors alarm fires, the drift it found is still put.
      if (error.name !== 'SweepIncompleteError') throw error;
      say(`sweep failed: ${error.message}`);
      return undefined;
    });
    if (!summary) return dispatch(context);
    say(
      `sweep: ${summary.keys} key(s), ${summary.inSync} in sync, ${summary.busy} busy, ${summary.drift} drift, ${summary.failed} failed, ${summary.warningsSent} warning(s) sent`,
    );
    for (const drift of summary.drifts) say(`  drift (${drift.workflow}): ${drift.reason}`);
    return dispatch(context);
  }
  context.clock.advance(durationMs(step.advance) ?? 0);
  say(`the reactor's clock now reads ${context.clock.now().toISOString()}`);
}

/** One line saying what a step does, for the timeline. */
export function describeStep(step: ScenarioStep): string {
  const waits = step.wait === false ? ' (not waiting)' : '';
  if ('kms' in step) return `kms ${step.kms}, delivered ${step.delivery ?? 'once'}${waits}`;
  if ('revokeAccess' in step || 'restoreAccess' in step) {
    const what = 'revokeAccess' in step ? 'revokes' : 'restores';
    return `the key policy ${what} the platform's access (PutKeyPolicy, delivered ${step.delivery ?? 'once'})${waits}`;
  }
  if ('event' in step)
    return `event ${String((step.event as Record<string, unknown>)['detail-type'])}${waits}`;
  if ('fault' in step) {
    const { service, operation, error, count } = step.fault;
    return `fault: ${service} ${operation} fails with ${error}${count ? ` (next ${count})` : ' (until cleared)'}`;
  }
  if ('clearFaults' in step) return 'faults cleared';
  if ('operator' in step) return `operator: ${step.operator} ${step.resource}${waits}`;
  if ('cli' in step) return `cli: key-reactor ${step.cli.join(' ')}${waits}`;
  if ('abort' in step) return `abort every running execution${waits}`;
  if ('sweep' in step) return `sweep${waits}`;
  if ('rds' in step)
    return `rds: ${step.resource} ${step.rds === 'clear' ? 'as moto says' : step.rds}${waits}`;
  return `advance the reactor's clock by ${step.advance}`;
}

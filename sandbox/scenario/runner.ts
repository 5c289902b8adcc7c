import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { Guard } from '../../lambdas/shared/guard';
import type { ReactorEvent } from '../../lambdas/shared/reactor-events';
import { createStore, type Store } from '../../lambdas/shared/store';
import { type PublishedNotification, publishedNotifications, type SentEmail, sentEmails } from '../aws-calls';
import type { ExecutionStatus } from '../local-workflows';
import type { MotoServer } from '../moto';
import { LocalReactor } from '../reactor';
import { Timeline } from '../timeline';
import { createCustomerKey, DEMO } from '../world';
import { type Member, type MemberState, needsOtherKey, ScenarioFleet } from './fleet';
import type { Scenario } from './format';
import { describeStep, runStep, ScenarioClock, type StepContext } from './steps';

/**
 * Runs a game-day scenario (format.ts) on a fresh sandbox: a customer key with the scenario's fleet
 * registered to it, then each step, waiting after each until the reactor is idle unless the step says
 * `"wait": false`. Returns the report `simulate --json` prints (docs/sandbox.md, "Game days").
 */

export interface StepReport {
  /** The step's number, from 1, as the timeline and error messages count. */
  readonly index: number;
  readonly fleet: Record<string, MemberState>;
  readonly ledger: LedgerLine[];
  /** The executions this step started, by name. */
  readonly executions: string[];
}

export interface LedgerLine {
  /** The fleet member's name, or the resource's ARN when no member has it. */
  readonly name: string;
  readonly arn: string;
}

export interface ScenarioReport {
  readonly name: string;
  readonly steps: StepReport[];
  readonly executions: { name: string; workflow: string; status: ExecutionStatus }[];
  readonly emails: SentEmail[];
  readonly notifications: PublishedNotification[];
  /** The reactor's own events on the bus, in order, as a subscriber got them (docs/events.md). */
  readonly published: ReactorEvent[];
  readonly fleet: Record<string, MemberState>;
  readonly ledger: LedgerLine[];
  readonly lease: { holder: string } | null;
  readonly paused: boolean;
}

export interface RunScenarioOptions {
  /** A moto server to use (a test worker's), reset first; it must run with MOTO_ECS_SERVICE_RUNNING. @default a new one */
  readonly moto?: MotoServer;
  /** Where the timeline goes, line by line. @default nowhere */
  readonly log?: (line: string) => void;
  /** How long each poll Wait of the workflows really waits. @default 20 */
  readonly pollMs?: number;
  /** How long each Retry really waits. @default 50 */
  readonly retryMs?: number;
}

/** Whether the reactor is paused, as the guard (pause switch and circuit breaker) records it. */
async function readPaused(store: Store, clock: ScenarioClock): Promise<boolean> {
  return (await new Guard(store, { clock: clock.now }).status()).paused;
}

class Report {
  constructor(
    private readonly reactor: LocalReactor,
    private readonly store: Store,
    private readonly fleet: ScenarioFleet,
    private readonly members: readonly Member[],
    private readonly keyArn: string,
    private readonly clock: ScenarioClock,
  ) {}

  observe(): Promise<Record<string, MemberState>> {
    return this.fleet.observe(this.members);
  }

  async ledger(): Promise<LedgerLine[]> {
    const entries = await this.store.ledger.list(this.keyArn);
    // In the fleet's order, resources of no member (registered by a `cli` step) last.
    const position = (arn: string) => {
      const index = this.members.findIndex((member) => member.arn === arn);
      return index < 0 ? this.members.length : index;
    };
    return entries
      .map(({ resourceArn }) => ({
        name: this.members.find((member) => member.arn === resourceArn)?.name ?? resourceArn,
        arn: resourceArn,
      }))
      .sort((a, b) => position(a.arn) - position(b.arn));
  }

  async lease(): Promise<{ holder: string } | null> {
    const lease = await this.store.leases.read(this.keyArn);
    return lease && lease.expires * 1000 > this.clock.now().getTime() ? { holder: lease.owner } : null;
  }

  async final(name: string, steps: StepReport[]): Promise<ScenarioReport> {
    const { reactor } = this;
    return {
      name,
      steps,
      executions: reactor.executions.map(({ name: execution, workflow, status }) => ({
        name: execution,
        workflow,
        status,
      })),
      emails: sentEmails(reactor.calls),
      notifications: publishedNotifications(reactor.calls),
      published: [...(await reactor.bus.published())],
      fleet: await this.observe(),
      ledger: await this.ledger(),
      lease: await this.lease(),
      paused: await readPaused(this.store, this.clock),
    };
  }
}

export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<ScenarioReport> {
  const clock = new ScenarioClock();
  const reactor = await LocalReactor.start({
    graceMs: scenario.graceSeconds * 1000,
    graceSeconds: scenario.graceSeconds,
    pollMs: options.pollMs ?? 20,
    retryMs: options.retryMs ?? 50,
    clock: clock.now,
    ...(options.moto ? { moto: options.moto } : {}),
  });
  const timeline = new Timeline(options.log ?? (() => undefined));
  try {
    // The world's own view of the table: its reads and writes are not the reactor's, so no fault hits them.
    const store = createStore(reactor.clients.dynamodb, {
      tableName: DEMO.tableName,
      leaseSeconds: reactor.reactor.settings.leaseSeconds,
      clock: clock.now,
    });
    const keyArn = await createCustomerKey(reactor.clients, `Customer BYOK key (${scenario.name})`);
    const fleet = new ScenarioFleet(reactor.clients, reactor.moto.endpoint, reactor.place);
    // A member tagged for another key names a second key of the account, which must exist to be swept.
    const otherKeyArn = needsOtherKey(scenario.fleet)
      ? await createCustomerKey(reactor.clients, `Another customer's key (${scenario.name})`)
      : undefined;
    const members = await fleet.create(scenario.fleet, { keyArn, ...(otherKeyArn ? { otherKeyArn } : {}) });
    for (const member of members.filter((candidate) => candidate.registered)) {
      await store.registry.register({ keyArn, resourceArn: member.arn, layer: member.layer });
    }
    await store.registry.setPolicy(keyArn, {
      administrators: scenario.administrators,
      action: scenario.action,
      language: scenario.language,
    });
    if (members.some((member) => member.autoScaling)) reactor.scalingSeam.enable();
    reactor.scalingSeam.onFight((message) => timeline.say(message));
    timeline.say(`Scenario "${scenario.name}": key ${keyArn}, moto on ${reactor.moto.endpoint}`);
    for (const member of members) {
      const keyTag = member.tags[KEY_ARN_TAG];
      const notes = [
        member.registered ? 'registered' : 'NOT registered',
        ...(keyTag === undefined ? [] : [keyTag === keyArn ? 'tagged for the key' : `tagged for ${keyTag}`]),
        member.managedTag ? 'tagged managed' : 'NOT tagged managed',
        ...(member.autoScaling ? [`auto scaling ${member.autoScaling.min}..${member.autoScaling.max}`] : []),
      ];
      timeline.say(`  ${member.name}: ${member.kind}, ${notes.join(', ')}`);
    }
    timeline.attach(reactor);

    const report = new Report(reactor, store, fleet, members, keyArn, clock);
    const context: StepContext = {
      reactor,
      fleet,
      members,
      keyArn,
      clock,
      say: (text) => timeline.say(`  ${text}`),
    };
    const steps: StepReport[] = [];
    for (const [offset, step] of scenario.steps.entries()) {
      const index = offset + 1;
      const before = reactor.executions.length;
      timeline.say(`step ${index}: ${describeStep(step)}`);
      await runStep(context, step);
      if (step.wait !== false) await reactor.idle();
      steps.push({
        index,
        fleet: await report.observe(),
        ledger: await report.ledger(),
        executions: reactor.executions.slice(before).map((execution) => execution.name),
      });
    }
    // A scenario ends with the reactor idle, so its outcome is final.
    await reactor.idle();
    timeline.close();
    return await report.final(scenario.name, steps);
  } finally {
    timeline.close();
    await reactor.idle().catch(() => undefined);
    await reactor.stop();
  }
}

/** The short summary text mode ends with. */
export function summarize(report: ScenarioReport): string[] {
  const lines = [`\nScenario "${report.name}": ${report.steps.length} steps`];
  for (const execution of report.executions) lines.push(`${execution.status.padEnd(9)} ${execution.name}`);
  for (const [name, member] of Object.entries(report.fleet)) {
    const extra = [
      member.desiredCount !== undefined ? `desired ${member.desiredCount}` : '',
      member.scalingSuspended !== undefined
        ? `scaling ${member.scalingSuspended ? 'suspended' : 'active'}`
        : '',
    ].filter(Boolean);
    lines.push(`${name.padEnd(12)} ${member.state}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  }
  lines.push(`ledger: ${report.ledger.map((entry) => entry.name).join(', ') || 'empty'}`);
  lines.push(`lease: ${report.lease ? `held by ${report.lease.holder}` : 'free'}; paused: ${report.paused}`);
  for (const email of report.emails) lines.push(`email to ${email.to.join(', ')}: ${email.subject}`);
  for (const note of report.notifications)
    lines.push(`SNS to ${note.topic}: ${note.subject ?? note.message.slice(0, 80)}`);
  for (const event of report.published) lines.push(`event: ${event['detail-type']}`);
  return lines;
}

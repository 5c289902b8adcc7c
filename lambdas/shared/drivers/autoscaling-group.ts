import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { autoScalingGroupNameOf } from '../arn';
import { chunk, mapWithConcurrency } from '../concurrency';
import type { ManagedTag } from '../contract';
import { InvalidInputError, UnsupportedResourceError } from '../errors';
import type { Observation, RestoreState } from '../model';
import {
  type Driver,
  factsOf,
  hasManagedTag,
  keyTagOf,
  type Observed,
  type RestoreTarget,
  withFacts,
} from './driver';
import { describeInstances, startInstances, stopInstances } from './ec2-calls';

/**
 * Every scaling process AWS lets a caller suspend (SuspendProcesses, API reference 2011-01-01). All of
 * them, because each one can replace, add or move an instance while the group's instances are stopped:
 * HealthCheck and ReplaceUnhealthy see a stopped instance as unhealthy and terminate it, Launch and
 * Terminate are how every other process acts, AZRebalance and InstanceRefresh replace instances,
 * AlarmNotification and ScheduledActions scale, AddToLoadBalancer registers new instances.
 */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;

/** Names per DescribeAutoScalingGroups call: the API's largest page. */
const DESCRIBE_BATCH = 50;
/** SuspendProcesses and ResumeProcesses take one group per call. */
const CONCURRENCY = 5;

/** The restore state of a group: the processes suspended before the reactor came, and the instances it stops. */
const RESTORE_SUSPENDED = 'suspendedProcesses';
const RESTORE_INSTANCES = 'instanceIds';

interface Member {
  readonly id: string;
  readonly lifecycle: string;
  readonly instance: Instance | undefined;
}

/**
 * A group as the driver sees it: AWS's description and its instances' EC2 state. Carried on the
 * group's observation, so that stop and start act on what converge just observed without describing
 * the group and its instances again.
 */
interface GroupView {
  readonly group: AutoScalingGroup;
  readonly managed: boolean;
  /** InService instances: the ones that serve, and that the reactor stops and starts. */
  readonly inService: readonly Member[];
  /** Instances the group is launching or terminating right now. */
  readonly settling: readonly Member[];
  readonly suspended: ReadonlySet<string>;
}

/** The facts on a group's observation: its view, or null when there is no such group (or it is being deleted). */
type GroupFacts = GroupView | null;

function nameOf(resourceArn: string): string {
  const name = autoScalingGroupNameOf(resourceArn);
  if (name === null) throw new UnsupportedResourceError(`${resourceArn} is not an Auto Scaling group ARN`);
  return name;
}

const stateOf = (member: Member): string => member.instance?.State?.Name ?? 'not found';
const allRunning = (view: GroupView): boolean =>
  view.settling.length === 0 && view.inService.every((member) => stateOf(member) === 'running');
const list = (values: Iterable<string>): string => [...values].sort().join(',');
const split = (value: string): string[] => (value === '' ? [] : value.split(','));

/** The list a restore state keeps under `field`, or an InvalidInputError: a guess could resume the wrong processes. */
function restoredList(target: RestoreTarget<GroupFacts>, field: string): string[] {
  const value = target.restore[field];
  if (typeof value !== 'string') {
    throw new InvalidInputError(
      `Cannot start ${target.observation.resourceArn}: its restore state needs ${field} as a comma-separated string, got ${JSON.stringify(value)}`,
    );
  }
  return split(value);
}

/**
 * EC2 Auto Scaling groups (layer `server`). A stopped instance fails the group's EC2 health check, so
 * the group would terminate it and launch a replacement; stopping a group therefore suspends its scaling
 * processes first, then stops its InService instances, in one StopInstances call for every group of the
 * batch. It never changes the group's minimum, maximum or desired capacity (scaling to zero terminates
 * instances) and never terminates anything. The ledger remembers which processes were suspended before
 * (an operator's, or AWS's administrative suspension), so the way up resumes only the reactor's own.
 *
 * The instances must carry the managed tag too (tag the group with PropagateAtLaunch): the IAM policy
 * allows StopInstances and StartInstances on tagged instances only, so a group whose running instances
 * lack it is reported as one the reactor cannot stop rather than half-stopped.
 */
export class AutoScalingGroupDriver implements Driver<GroupFacts> {
  readonly kind = 'autoscaling-group' as const;

  /** `acting` makes the suspend, resume, stop and start calls (a key role session); the others read. */
  constructor(
    private readonly tag: ManagedTag,
    private readonly client: AutoScalingClient,
    private readonly ec2: EC2Client,
    private readonly acting: { readonly autoscaling: AutoScalingClient; readonly ec2: EC2Client } = {
      autoscaling: client,
      ec2,
    },
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observed<GroupFacts>[]> {
    const views = await this.describe(resourceArns);
    return resourceArns.map((resourceArn) => {
      const view = views.get(resourceArn);
      return withFacts({ ...this.observe(resourceArn, view), ...keyTagOf(view?.group.Tags) }, view ?? null);
    });
  }

  /** Suspends every group's processes, then stops all their running InService instances at once. */
  async stop(observations: readonly Observed<GroupFacts>[]): Promise<void> {
    const byArn = new Map(observations.map((observation) => [observation.resourceArn, factsOf(observation)]));
    const views = [...byArn.values()].filter((view): view is GroupView => view?.managed === true);
    await mapWithConcurrency(views, CONCURRENCY, async ({ group, suspended }) => {
      const toSuspend = SCALING_PROCESSES.filter((process) => !suspended.has(process));
      if (toSuspend.length === 0) return;
      await this.acting.autoscaling.send(
        new SuspendProcessesCommand({
          AutoScalingGroupName: group.AutoScalingGroupName,
          ScalingProcesses: toSuspend,
        }),
      );
    });
    // After every suspension has succeeded: an instance stopped before its group's HealthCheck is
    // suspended could be replaced. Never Force, never Hibernate, never terminate.
    const running = views.flatMap((view) =>
      view.inService.filter((member) => stateOf(member) === 'running').map((member) => member.id),
    );
    await stopInstances(this.acting.ec2, running);
  }

  /**
   * Starts the instances the ledger remembers that are stopped and still in their group. The processes
   * are not resumed here but only once every InService instance runs again (here, when nothing is left
   * to start, or in afterStarted on a later check): resumed any earlier, HealthCheck would find an
   * instance still `pending`, call it unhealthy and have ReplaceUnhealthy terminate it.
   */
  async start(targets: readonly RestoreTarget<GroupFacts>[]): Promise<void> {
    const toStart: string[] = [];
    const readyToResume: RestoreTarget<GroupFacts>[] = [];
    for (const target of targets) {
      const remembered = new Set(restoredList(target, RESTORE_INSTANCES));
      restoredList(target, RESTORE_SUSPENDED);
      const view = factsOf(target.observation);
      if (!view?.managed) continue;
      const stopped = view.inService.filter(
        (member) => remembered.has(member.id) && stateOf(member) === 'stopped',
      );
      toStart.push(...stopped.map((member) => member.id));
      if (stopped.length === 0 && allRunning(view)) readyToResume.push(target);
    }
    await startInstances(this.acting.ec2, toStart);
    await this.resume(readyToResume);
  }

  /** Resumes the processes the reactor suspended, for the groups whose InService instances all run. */
  async afterStarted(targets: readonly RestoreTarget<GroupFacts>[]): Promise<void> {
    for (const target of targets) {
      restoredList(target, RESTORE_SUSPENDED);
    }
    await this.resume(
      targets.filter((target) => {
        const view = factsOf(target.observation);
        return view?.managed === true && allRunning(view);
      }),
    );
  }

  private async resume(targets: readonly RestoreTarget<GroupFacts>[]) {
    await mapWithConcurrency(targets, CONCURRENCY, async (target) => {
      const view = factsOf(target.observation);
      if (!view) return;
      const before = new Set(restoredList(target, RESTORE_SUSPENDED));
      const ours = SCALING_PROCESSES.filter((process) => !before.has(process) && view.suspended.has(process));
      if (ours.length === 0) return;
      await this.acting.autoscaling.send(
        new ResumeProcessesCommand({
          AutoScalingGroupName: view.group.AutoScalingGroupName,
          ScalingProcesses: ours,
        }),
      );
    });
  }

  /** The groups named by the ARNs, by ARN, each with its instances' EC2 state; missing ones are left out. */
  private async describe(resourceArns: readonly string[]): Promise<Map<string, GroupView>> {
    const names = [...new Set(resourceArns.map(nameOf))];
    const groups = new Map<string, AutoScalingGroup>();
    for (const batch of chunk(names, DESCRIBE_BATCH)) {
      // Names that no group has are simply left out of the answer.
      const pages = paginateDescribeAutoScalingGroups(
        { client: this.client },
        { AutoScalingGroupNames: batch, MaxRecords: DESCRIBE_BATCH },
      );
      for await (const page of pages) {
        for (const group of page.AutoScalingGroups ?? []) {
          if (group.AutoScalingGroupARN) groups.set(group.AutoScalingGroupARN, group);
        }
      }
    }

    const ids = [...groups.values()].flatMap((group) =>
      (group.Instances ?? []).flatMap((instance) => (instance.InstanceId ? [instance.InstanceId] : [])),
    );
    const instances = await describeInstances(this.ec2, ids);

    const views = new Map<string, GroupView>();
    for (const resourceArn of resourceArns) {
      // Matched on the whole ARN, whose UUID changes when a group is deleted and created again under the
      // same name: the new group is not the one that was registered.
      const group = groups.get(resourceArn);
      if (!group || group.Status === 'Delete in progress') continue;
      const members = (group.Instances ?? []).map(
        (instance): Member => ({
          id: instance.InstanceId ?? '',
          lifecycle: String(instance.LifecycleState ?? ''),
          instance: instances.get(instance.InstanceId ?? ''),
        }),
      );
      views.set(resourceArn, {
        group,
        managed: hasManagedTag(group.Tags, this.tag),
        inService: members.filter(
          (member) =>
            member.lifecycle === 'InService' && !['terminated', 'not found'].includes(stateOf(member)),
        ),
        settling: members.filter((member) => /^(Pending|Terminating)/.test(member.lifecycle)),
        suspended: new Set(
          (group.SuspendedProcesses ?? []).flatMap((p) => (p.ProcessName ? [p.ProcessName] : [])),
        ),
      });
    }
    return views;
  }

  private observe(resourceArn: string, view: GroupView | undefined): Observation {
    if (!view) return { resourceArn, state: 'not-found', detail: 'not found' };
    const { inService, settling, suspended } = view;
    const count = (state: string) => inService.filter((member) => stateOf(member) === state).length;
    const running = count('running');
    const stopped = count('stopped');
    const moving = inService.length - running - stopped;
    const toSuspend = SCALING_PROCESSES.filter((process) => !suspended.has(process));
    const detail =
      `${running} running, ${stopped} stopped, ${moving + settling.length} changing of ${inService.length} instances; ` +
      `${toSuspend.length === 0 ? 'all' : SCALING_PROCESSES.length - toSuspend.length} scaling processes suspended`;
    if (!view.managed) return { resourceArn, state: 'not-managed', detail };

    const up = inService.filter((member) => ['running', 'pending'].includes(stateOf(member)));
    // Up, or able to launch: the reactor has something to take down, and remembers how to bring it back.
    const needsStop = up.length > 0 || settling.length > 0 || toSuspend.length > 0;
    const untagged = up.filter((member) => !hasManagedTag(member.instance?.Tags, this.tag));
    if (needsStop && untagged.length > 0) {
      return {
        resourceArn,
        state: 'running',
        detail:
          `instances ${untagged.map((member) => member.id).join(', ')} lack the tag ${this.tag.key}=${this.tag.value} ` +
          '(tag the group with PropagateAtLaunch), so the reactor may not stop them',
      };
    }
    const restore: RestoreState | undefined = needsStop
      ? {
          [RESTORE_SUSPENDED]: list(
            [...suspended].filter((p) => (SCALING_PROCESSES as readonly string[]).includes(p)),
          ),
          [RESTORE_INSTANCES]: list(up.map((member) => member.id)),
        }
      : undefined;
    const withRestore = restore ? { restore } : {};

    if (moving > 0 || settling.length > 0)
      return { resourceArn, state: 'transitioning', detail, ...withRestore };
    if (stopped === inService.length && toSuspend.length === 0)
      return { resourceArn, state: 'stopped', detail };
    if (running === inService.length) return { resourceArn, state: 'running', detail, ...withRestore };
    // Some instances running and some stopped, or all stopped while the group can still replace them.
    return { resourceArn, state: 'transitioning', detail, ...withRestore };
  }
}

import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { autoScalingGroupNameOf } from '../arn';

import { chunk, mapWithConcurrency } from '../concurrency';
import { InvalidInputError, UnsupportedResourceError } from '../errors';
import type { Observation, RestoreState } from '../model';
import type { Driver, ManagedTag, RestoreTarget } from './driver';

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
/** IDs per DescribeInstances filter, as the EC2 driver. */
const DESCRIBE_INSTANCES_BATCH = 200;
/** IDs per StopInstances/StartInstances call, as the EC2 driver. */
const CHANGE_BATCH = 100;
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

/** A group as the driver sees it: AWS's description and its instances' EC2 state. */
interface GroupView {
  readonly group: AutoScalingGroup;
  readonly managed: boolean;
  /** InService instances: the ones that serve, and that the reactor stops and starts. */
  readonly inService: readonly Member[];
  /** Instances the group is launching or terminating right now. */
  readonly settling: readonly Member[];
  readonly suspended: ReadonlySet<string>;
}

function nameOf(resourceArn: string): string {
  const name = autoScalingGroupNameOf(resourceArn);
  if (name === null) throw new UnsupportedResourceError(`${resourceArn} is not an Auto Scaling group ARN`);
  return name;
}

const stateOf = (member: Member): string => member.instance?.State?.Name ?? 'not found';
const list = (values: Iterable<string>): string => [...values].sort().join(',');
const split = (value: string): string[] => (value === '' ? [] : value.split(','));

/** The list a restore state keeps under `field`, or an InvalidInputError: a guess could resume the wrong processes. */
function restoredList(target: RestoreTarget, field: string): string[] {
  const value = target.restore[field];
  if (typeof value !== 'string') {
    throw new InvalidInputError(
      `Cannot start ${target.resourceArn}: its restore state needs ${field} as a comma-separated string, got ${JSON.stringify(value)}`,
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
export class AutoScalingGroupDriver implements Driver {
  readonly kind = 'autoscaling-group' as const;

  constructor(
    private readonly tag: ManagedTag,
    private readonly client: AutoScalingClient,
    private readonly ec2: EC2Client,
  ) {}

  async status(resourceArns: readonly string[]): Promise<Observation[]> {
    const views = await this.describe(resourceArns);
    return resourceArns.map((resourceArn) => this.observe(resourceArn, views.get(resourceArn)));
  }

  /** Suspends every group's processes, then stops all their running InService instances at once. */
  async stop(resourceArns: readonly string[]): Promise<void> {
    const views = [...(await this.describe(resourceArns)).values()].filter((view) => view.managed);
    await mapWithConcurrency(views, CONCURRENCY, async ({ group, suspended }) => {
      const toSuspend = SCALING_PROCESSES.filter((process) => !suspended.has(process));
      if (toSuspend.length === 0) return;
      await this.client.send(
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
    for (const batch of chunk([...new Set(running)], CHANGE_BATCH)) {
      await this.ec2.send(new StopInstancesCommand({ InstanceIds: batch }));
    }
  }

  /**
   * Starts the instances the ledger remembers that are stopped and still in their group. The processes
   * are not resumed here but only once every InService instance runs again (here, when nothing is left
   * to start, or in afterStarted on a later check): resumed any earlier, HealthCheck would find an
   * instance still `pending`, call it unhealthy and have ReplaceUnhealthy terminate it.
   */
  async start(targets: readonly RestoreTarget[]): Promise<void> {
    const views = await this.describe(targets.map((target) => target.resourceArn));
    const toStart: string[] = [];
    const readyToResume: RestoreTarget[] = [];
    for (const target of targets) {
      const remembered = new Set(restoredList(target, RESTORE_INSTANCES));
      restoredList(target, RESTORE_SUSPENDED);
      const view = views.get(target.resourceArn);
      if (!view?.managed) continue;
      const stopped = view.inService.filter(
        (member) => remembered.has(member.id) && stateOf(member) === 'stopped',
      );
      toStart.push(...stopped.map((member) => member.id));
      if (stopped.length === 0 && this.allRunning(view)) readyToResume.push(target);
    }
    for (const batch of chunk([...new Set(toStart)], CHANGE_BATCH)) {
      await this.ec2.send(new StartInstancesCommand({ InstanceIds: batch }));
    }
    await this.resume(readyToResume, views);
  }

  /** Resumes the processes the reactor suspended, for the groups whose InService instances all run. */
  async afterStarted(targets: readonly RestoreTarget[]): Promise<void> {
    for (const target of targets) {
      restoredList(target, RESTORE_SUSPENDED);
    }
    const views = await this.describe(targets.map((target) => target.resourceArn));
    await this.resume(
      targets.filter((target) => {
        const view = views.get(target.resourceArn);
        return view?.managed === true && this.allRunning(view);
      }),
      views,
    );
  }

  private allRunning(view: GroupView): boolean {
    return view.settling.length === 0 && view.inService.every((member) => stateOf(member) === 'running');
  }

  private async resume(targets: readonly RestoreTarget[], views: ReadonlyMap<string, GroupView>) {
    await mapWithConcurrency(targets, CONCURRENCY, async (target) => {
      const view = views.get(target.resourceArn);
      if (!view) return;
      const before = new Set(restoredList(target, RESTORE_SUSPENDED));
      const ours = SCALING_PROCESSES.filter((process) => !before.has(process) && view.suspended.has(process));
      if (ours.length === 0) return;
      await this.client.send(
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
    const instances = new Map<string, Instance>();
    for (const batch of chunk([...new Set(ids)], DESCRIBE_INSTANCES_BATCH)) {
      const pages = paginateDescribeInstances(
        { client: this.ec2 },
        { Filters: [{ Name: 'instance-id', Values: batch }] },
      );
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (instance.InstanceId) instances.set(instance.InstanceId, instance);
          }
        }
      }
    }

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
        managed: (group.Tags ?? []).some((t) => t.Key === this.tag.key && t.Value === this.tag.value),
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
    const untagged = up.filter(
      (member) =>
        !(member.instance?.Tags ?? []).some((t) => t.Key === this.tag.key && t.Value === this.tag.value),
    );
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

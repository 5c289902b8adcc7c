import { CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { Layer } from '../../lambdas/shared/model';
import { reactorTags, tagResource, untagResource } from '../fleet-tags';
import type { LocalPlace } from '../local-workflows';
import { describeScalableTarget, ecsResourceId, registerScalableTarget } from '../raw-aws';
import { type AwsClients, createAutoScalingGroup, createCluster, DEMO, stockImageId } from '../world';
import type { MemberSpec } from './format';

/**
 * The scenario's fleet in the world: each member created as its spec says (tagged or not, with its
 * extra tags, an ECS service's scalable target), changed behind the reactor's back by the operator
 * steps, and observed as AWS reports it. Every call here is the world's own: never recorded, never faulted.
 */

export interface Member extends MemberSpec {
  readonly arn: string;
  readonly layer: Layer;
  /** The key the `tag` step tags it for: the one its `tags` name, else the scenario's. */
  readonly keyArn: string;
}

/** What the names in a member's tag values stand for (`$KEY_ARN`, `$OTHER_KEY_ARN`). */
export interface FleetKeys {
  /** The scenario's key. */
  readonly keyArn: string;
  /** A second key of the same account, created when a member's tags name it. */
  readonly otherKeyArn?: string;
}

/** The names a member's tag values may use, and what each stands for. */
export const TAG_VALUE_NAMES = {
  $KEY_ARN: (keys: FleetKeys) => keys.keyArn,
  $OTHER_KEY_ARN: (keys: FleetKeys) => keys.otherKeyArn,
} as const;

/** Whether any member's tags name the second key, which the runner then creates. */
export function needsOtherKey(specs: readonly MemberSpec[]): boolean {
  return specs.some((spec) => Object.values(spec.tags).some((value) => value.includes('$OTHER_KEY_ARN')));
}

/**
 * A registered member with the managed tag carries every tag that makes it the reactor's, as
 * `register` would leave it: the key tag too (its row is written as well, as before the tag was the
 * registration). A member with its own key tag, unregistered or untagged, is left as its spec says.
 */
function withReactorTags(spec: MemberSpec): MemberSpec {
  if (!spec.registered || !spec.managedTag || KEY_ARN_TAG in spec.tags) return spec;
  return { ...spec, tags: { [KEY_ARN_TAG]: '$KEY_ARN', ...spec.tags } };
}

/** The member's spec with the names in its tag values replaced. */
function withKeys(spec: MemberSpec, keys: FleetKeys): MemberSpec {
  const replace = (value: string) =>
    value.replace(/\$OTHER_KEY_ARN|\$KEY_ARN/g, (name) => {
      const arn = TAG_VALUE_NAMES[name as keyof typeof TAG_VALUE_NAMES](keys);
      if (arn === undefined) throw new Error(`${spec.name}: ${name} is not known in this scenario`);
      return arn;
    });
  return {
    ...spec,
    tags: Object.fromEntries(Object.entries(spec.tags).map(([key, value]) => [key, replace(value)])),
  };
}

/** A member as the output reports it. */
export interface MemberState {
  readonly arn: string;
  readonly state: 'running' | 'stopped' | 'pending' | 'stopping' | 'missing';
  readonly desiredCount?: number;
  readonly scalingSuspended?: boolean;
}

export type OperatorAction = 'stop' | 'start' | 'tag' | 'untag';

const MANAGED = DEFAULT_MANAGED_TAG;

function tagList(member: MemberSpec): { Key: string; Value: string }[] {
  const tags = { ...member.tags, ...(member.managedTag ? { [MANAGED.key]: MANAGED.value } : {}) };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
const idOf = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);

export class ScenarioFleet {
  private taskDefinitionArn: string | undefined;
  private image: Promise<string> | undefined;

  constructor(
    private readonly clients: AwsClients,
    private readonly endpoint: string,
    private readonly place: LocalPlace,
  ) {}

  /** Creates each member, its tag values' `$KEY_ARN` and `$OTHER_KEY_ARN` replaced with `keys`. */
  async create(specs: readonly MemberSpec[], keys: FleetKeys): Promise<Member[]> {
    const members: Member[] = [];
    for (const spec of specs) {
      const resolved = withKeys(withReactorTags(spec), keys);
      const created = await this.createMember(resolved);
      members.push({ ...created, keyArn: resolved.tags[KEY_ARN_TAG] ?? keys.keyArn });
    }
    return members;
  }

  private async createMember(spec: MemberSpec): Promise<Omit<Member, 'keyArn'>> {
    const { clients } = this;
    const tags = tagList(spec);
    switch (spec.kind) {
      case 'ecs-service': {
        this.taskDefinitionArn ??= await createCluster(clients, DEMO.cluster, 'api');
        const { service } = await clients.ecs.send(
          new CreateServiceCommand({
            cluster: DEMO.cluster,
            serviceName: spec.name,
            taskDefinition: this.taskDefinitionArn,
            desiredCount: spec.desiredCount,
            tags: tags.map(({ Key, Value }) => ({ key: Key, value: Value })),
          }),
        );
        if (!service?.serviceArn) throw new Error('moto returned no service ARN');
        // moto starts a service with MOTO_ECS_SERVICE_RUNNING tasks; an update makes them follow the count.
        await clients.ecs.send(
          new UpdateServiceCommand({
            cluster: DEMO.cluster,
            service: spec.name,
            desiredCount: spec.desiredCount,
          }),
        );
        if (spec.autoScaling) {
          await registerScalableTarget(this.endpoint, clients.region, {
            resourceId: ecsResourceId(service.serviceArn),
            ...spec.autoScaling,
          });
        }
        return { ...spec, arn: service.serviceArn, layer: 'service' };
      }
      case 'ec2-instance': {
        const { Instances } = await clients.ec2.send(
          new RunInstancesCommand({
            ImageId: await this.imageId(),
            InstanceType: 't3.micro',
            MinCount: 1,
            MaxCount: 1,
            TagSpecifications: [
              { ResourceType: 'instance', Tags: [...tags, { Key: 'Name', Value: spec.name }] },
            ],
          }),
        );
        const id = Instances?.[0]?.InstanceId;
        if (!id) throw new Error('moto returned no instance');
        return {
          ...spec,
          arn: `arn:aws:ec2:${clients.region}:${this.place.account}:instance/${id}`,
          layer: 'server',
        };
      }
      case 'rds-instance': {
        const { DBInstance } = await clients.rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: spec.name,
            Engine: 'postgres',
            DBInstanceClass: 'db.t3.micro',
            AllocatedStorage: 20,
            MasterUsername: 'platform',
            MasterUserPassword: 'not-a-secret-1',
            Tags: tags,
          }),
        );
        if (!DBInstance?.DBInstanceArn) throw new Error('moto returned no DB instance ARN');
        return { ...spec, arn: DBInstance.DBInstanceArn, layer: 'server' };
      }
      case 'rds-cluster': {
        const { DBCluster } = await clients.rds.send(
          new CreateDBClusterCommand({
            DBClusterIdentifier: spec.name,
            Engine: 'aurora-postgresql',
            MasterUsername: 'platform',
            MasterUserPassword: 'not-a-secret-1',
            Tags: tags,
          }),
        );
        if (!DBCluster?.DBClusterArn) throw new Error('moto returned no DB cluster ARN');
        return { ...spec, arn: DBCluster.DBClusterArn, layer: 'server' };
      }
      case 'autoscaling-group': {
        const group = await createAutoScalingGroup(clients, {
          name: spec.name,
          imageId: await this.imageId(),
          instances: 2,
          tagged: spec.managedTag,
        });
        const extra = Object.entries(spec.tags);
        if (extra.length > 0) await this.tagGroup(spec.name, extra);
        return { ...spec, arn: group.arn, layer: 'server' };
      }
    }
  }

  private imageId(): Promise<string> {
    this.image ??= stockImageId(this.clients.ec2);
    return this.image;
  }

  private tagGroup(name: string, tags: readonly [string, string][]): Promise<unknown> {
    return this.clients.autoscaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: tags.map(([Key, Value]) => ({
          ResourceId: name,
          ResourceType: 'auto-scaling-group',
          Key,
          Value,
          PropagateAtLaunch: true,
        })),
      }),
    );
  }

  private async groupInstances(name: string): Promise<string[]> {
    const { AutoScalingGroups } = await this.clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    );
    return (AutoScalingGroups?.[0]?.Instances ?? []).flatMap((instance) =>
      instance.InstanceId ? [instance.InstanceId] : [],
    );
  }

  /**
   * A change an operator makes through the AWS API, behind the reactor's back. `tag` and `untag` add and
   * remove every tag that makes a resource the reactor's: the key tag (for the member's key) and the
   * managed tag.
   */
  async operate(member: Member, action: OperatorAction): Promise<void> {
    if (action === 'tag') return tagResource(this.clients, member.arn, reactorTags(member.keyArn, MANAGED));
    if (action === 'untag') return untagResource(this.clients, member.arn, [KEY_ARN_TAG, MANAGED.key]);
    const { clients } = this;
    switch (member.kind) {
      case 'ecs-service': {
        const desiredCount = action === 'stop' ? 0 : member.desiredCount;
        await clients.ecs.send(
          new UpdateServiceCommand({ cluster: DEMO.cluster, service: member.name, desiredCount }),
        );
        return;
      }
      case 'ec2-instance':
      case 'autoscaling-group': {
        const ids =
          member.kind === 'ec2-instance' ? [nameOf(member.arn)] : await this.groupInstances(member.name);
        if (action === 'stop') await clients.ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
        else await clients.ec2.send(new StartInstancesCommand({ InstanceIds: ids }));
        return;
      }
      case 'rds-instance':
      case 'rds-cluster': {
        const id = idOf(member.arn);
        const instance = member.kind === 'rds-instance';
        if (action === 'stop' && instance) {
          await clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
        } else if (action === 'stop') {
          await clients.rds.send(new StopDBClusterCommand({ DBClusterIdentifier: id }));
        } else if (action === 'start' && instance) {
          await clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id }));
        } else {
          await clients.rds.send(new StartDBClusterCommand({ DBClusterIdentifier: id }));
        }
        return;
      }
    }
  }

  /** Each member as AWS reports it now. */
  async observe(members: readonly Member[]): Promise<Record<string, MemberState>> {
    const states: Record<string, MemberState> = {};
    for (const member of members) states[member.name] = await this.observeMember(member);
    return states;
  }

  private async observeMember(member: Member): Promise<MemberState> {
    const { clients } = this;
    const arn = member.arn;
    switch (member.kind) {
      case 'ecs-service': {
        const { services } = await clients.ecs.send(
          new DescribeServicesCommand({ cluster: DEMO.cluster, services: [member.name] }),
        );
        const service = services?.[0];
        if (service?.status !== 'ACTIVE') return { arn, state: 'missing' };
        const desired = service.desiredCount ?? 0;
        const running = service.runningCount ?? 0;
        const busy = running + (service.pendingCount ?? 0);
        const state =
          desired > 0 ? (running >= desired ? 'running' : 'pending') : busy === 0 ? 'stopped' : 'stopping';
        if (!member.autoScaling) return { arn, state, desiredCount: desired };
        const target = await describeScalableTarget(this.endpoint, clients.region, ecsResourceId(arn));
        const { dynamicIn, dynamicOut, scheduled } = target?.suspended ?? {};
        return {
          arn,
          state,
          desiredCount: desired,
          scalingSuspended: Boolean(dynamicIn && dynamicOut && scheduled),
        };
      }
      case 'ec2-instance':
        return { arn, state: await this.instancesState([nameOf(arn)]) };
      case 'autoscaling-group': {
        const ids = await this.groupInstances(member.name);
        return { arn, state: ids.length === 0 ? 'stopped' : await this.instancesState(ids) };
      }
      case 'rds-instance':
      case 'rds-cluster': {
        const status = await this.databaseStatus(member);
        return { arn, state: databaseState(status) };
      }
    }
  }

  private async instancesState(ids: readonly string[]): Promise<MemberState['state']> {
    const { Reservations } = await this.clients.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [...ids] }),
    );
    const names = (Reservations ?? []).flatMap((reservation) =>
      (reservation.Instances ?? []).map((instance) => instance.State?.Name ?? 'missing'),
    );
    const states = names.map((name) =>
      name === 'terminated' || name === 'shutting-down' ? 'missing' : (name as MemberState['state']),
    );
    for (const state of ['missing', 'stopping', 'pending', 'running'] as const) {
      if (states.includes(state)) return state;
    }
    return states.length === 0 ? 'missing' : 'stopped';
  }

  private async databaseStatus(member: Member): Promise<string> {
    const id = idOf(member.arn);
    try {
      if (member.kind === 'rds-instance') {
        const { DBInstances } = await this.clients.rds.send(
          new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }),
        );
        return DBInstances?.[0]?.DBInstanceStatus ?? 'missing';
      }
      const { DBClusters } = await this.clients.rds.send(
        new DescribeDBClustersCommand({ DBClusterIdentifier: id }),
      );
      return DBClusters?.[0]?.Status ?? 'missing';
    } catch (error) {
      if (/NotFound/.test((error as Error).name)) return 'missing';
      throw error;
    }
  }
}

/** An RDS status in the output's words: up and serving is running, whatever maintenance it does. */
function databaseState(status: string): MemberState['state'] {
  if (status === 'stopped') return 'stopped';
  if (status === 'stopping') return 'stopping';
  if (status === 'starting') return 'pending';
  if (status === 'missing' || status === 'deleting' || status === 'deleted') return 'missing';
  return 'running';
}

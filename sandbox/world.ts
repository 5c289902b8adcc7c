import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateKeyCommand, EnableKeyRotationCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { kindOf } from '../lambdas/shared/arn';
import { DEFAULT_MANAGED_TAG, TABLE_SCHEMA } from '../lambdas/shared/contract';
import { defaultLayer } from '../lambdas/shared/key-resources';
import type { Layer } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';
import { defaultSettings, type ReactorSettings } from '../lambdas/shared/settings';
import { reactorTags, tagResource } from './fleet-tags';
import { type LocalPlace, stateMachineArn } from './local-workflows';

/**
 * A small BYOK world on a moto server: the reactor's table, a verified sender, the operators' SNS topic,
 * a customer key, and a fleet registered to it by its tags. Shared by the workflow tests, `npm start`, `simulate` and the benchmark.
 */

export const DEMO = {
  tableName: 'key-reactor-local',
  sender: 'reactor@platform.example',
  operators: ['ops@platform.example'],
  administrators: ['admin@customer.example'],
  cluster: 'customer-data',
  desiredCount: 2,
  /** The operators' SNS topic: the construct's alarm topic, paged when email cannot reach someone. */
  operatorTopic: 'key-reactor-operators',
} as const;

/** The operators' topic's ARN on moto, which names topics by account, Region and name. */
export function operatorTopicArn(place: LocalPlace): string {
  return `arn:aws:sns:${place.region}:${place.account}:${DEMO.operatorTopic}`;
}

/** The settings the local reactor runs with: the demo's table and addresses, the local workflows. */
export function localSettings(place: LocalPlace, overrides: Partial<ReactorSettings> = {}): ReactorSettings {
  return defaultSettings({
    tableName: DEMO.tableName,
    senderAddress: DEMO.sender,
    operatorAddresses: DEMO.operators,
    stateMachineArns: {
      disable: stateMachineArn(place, 'disable'),
      enable: stateMachineArn(place, 'enable'),
    },
    // One bus locally: moto's default bus holds the KMS rules and the drift rule alike.
    eventBusName: 'default',
    notificationTopicArn: operatorTopicArn(place),
    ...overrides,
  });
}

/** Never real credentials: everything goes to moto. */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'sandbox',
  secretAccessKey: 'sandbox',
  sessionToken: 'sandbox',
} as const;

export interface AwsClients {
  readonly region: string;
  readonly autoscaling: AutoScalingClient;
  readonly applicationAutoScaling: ApplicationAutoScalingClient;
  readonly dynamodb: DynamoDBClient;
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly kms: KMSClient;
  readonly rds: RDSClient;
  readonly ses: SESClient;
  readonly sns: SNSClient;
}

/** Clients of the world's own, separate from the handlers' (whose calls are what gets recorded). */
export function worldClients(endpoint: string, region: string): AwsClients {
  const config = { endpoint, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
  return {
    region,
    autoscaling: new AutoScalingClient(config),
    applicationAutoScaling: new ApplicationAutoScalingClient(config),
    dynamodb: new DynamoDBClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    kms: new KMSClient(config),
    rds: new RDSClient(config),
    ses: new SESClient(config),
    sns: new SNSClient(config),
  };
}

/** The reactor's table, its verified sender and the operators' topic: what the construct deploys beside the functions. */
export async function createReactorTable(clients: AwsClients): Promise<void> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: DEMO.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE_SCHEMA.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_SCHEMA.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
  await clients.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: DEMO.sender }));
  await clients.sns.send(new CreateTopicCommand({ Name: DEMO.operatorTopic }));
}

export async function createCustomerKey(
  clients: AwsClients,
  description = 'Customer BYOK key',
): Promise<string> {
  const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: description }));
  if (!KeyMetadata?.Arn) throw new Error('moto returned no key ARN');
  // As a well-kept customer key would: register and status then warn only about what a scenario sets up.
  await clients.kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata.KeyId }));
  return KeyMetadata.Arn;
}

/**
 * An AMI of moto's stock catalogue, found by name: asked without a filter, moto lists its whole catalogue
 * (over a thousand images, a second or two a call).
 */
export async function stockImageId(ec2: EC2Client): Promise<string> {
  const { Images } = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] }),
  );
  const imageId = Images?.[0]?.ImageId;
  if (!imageId) throw new Error('moto offers no Amazon Linux 2 AMI');
  return imageId;
}

export interface FleetMember {
  readonly resourceArn: string;
  readonly layer: Layer;
  readonly label: string;
}

const managedTags = [{ Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value }];

export interface FleetOptions {
  /** A suffix that keeps several fleets apart on one server. @default '' */
  readonly suffix?: string;
  /** @default 2 */
  readonly instances?: number;
  /** @default true */
  readonly database?: boolean;
  /** Instances of an Auto Scaling group in the server layer (tagged with PropagateAtLaunch); 0 for none. @default 0 */
  readonly autoScalingInstances?: number;
}

/**
 * An ECS service (the service layer) on two EC2 instances and an RDS database (the server layer), all
 * tagged as managed by the reactor.
 */
export async function createFleet(clients: AwsClients, options: FleetOptions = {}): Promise<FleetMember[]> {
  const suffix = options.suffix ?? '';
  const cluster = `${DEMO.cluster}${suffix}`;
  const taskDefinitionArn = await createCluster(clients, cluster, `api${suffix}`);
  const service = await createManagedService(clients, cluster, `api${suffix}`, taskDefinitionArn);
  const members: FleetMember[] = [service];

  const imageId = await stockImageId(clients.ec2);
  const count = options.instances ?? 2;
  if (count > 0) {
    members.push(
      ...(await runManagedInstances(clients, {
        imageId,
        count,
        account: instanceAccount(service.resourceArn),
      })),
    );
  }

  if ((options.autoScalingInstances ?? 0) > 0) {
    const group = await createAutoScalingGroup(clients, {
      name: `web${suffix}`,
      imageId: imageId ?? '',
      instances: options.autoScalingInstances ?? 0,
    });
    members.push({ resourceArn: group.arn, layer: 'server', label: `Auto Scaling group web${suffix}` });
  }

  if (options.database ?? true) members.push(await createManagedDatabase(clients, `customer-db${suffix}`));
  return members;
}

/** An ECS cluster and a task definition of `family` for its services; returns the task definition's ARN. */
export async function createCluster(clients: AwsClients, cluster: string, family: string): Promise<string> {
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }],
    }),
  );
  if (!taskDefinition?.taskDefinitionArn) throw new Error('moto returned no task definition ARN');
  return taskDefinition.taskDefinitionArn;
}

/** A service of the demo's desired count in `cluster`, tagged as managed. */
export async function createManagedService(
  clients: AwsClients,
  cluster: string,
  serviceName: string,
  taskDefinitionArn: string,
): Promise<FleetMember> {
  const { service } = await clients.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName,
      taskDefinition: taskDefinitionArn,
      desiredCount: DEMO.desiredCount,
      tags: managedTags.map(({ Key, Value }) => ({ key: Key, value: Value })),
    }),
  );
  if (!service?.serviceArn) throw new Error('moto returned no service ARN');
  return { resourceArn: service.serviceArn, layer: 'service', label: `ECS service ${serviceName}` };
}

/** `count` EC2 instances from one RunInstances call, tagged as managed; `account` goes into their ARNs. */
export async function runManagedInstances(
  clients: AwsClients,
  options: { readonly imageId: string | undefined; readonly count: number; readonly account: string },
): Promise<FleetMember[]> {
  const { Instances } = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: options.imageId,
      InstanceType: 't3.micro',
      MinCount: options.count,
      MaxCount: options.count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: managedTags }],
    }),
  );
  return (Instances ?? []).map((instance) => ({
    resourceArn: `arn:aws:ec2:${clients.region}:${options.account}:instance/${instance.InstanceId}`,
    layer: 'server',
    label: `EC2 instance ${instance.InstanceId}`,
  }));
}

/** A small RDS instance, tagged as managed. */
export async function createManagedDatabase(clients: AwsClients, identifier: string): Promise<FleetMember> {
  const { DBInstance } = await clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'platform',
      MasterUserPassword: 'not-a-secret-1',
      Tags: managedTags,
    }),
  );
  if (!DBInstance?.DBInstanceArn) throw new Error('moto returned no DB instance ARN');
  return { resourceArn: DBInstance.DBInstanceArn, layer: 'server', label: `RDS instance ${identifier}` };
}

/**
 * An Auto Scaling group of `instances` instances from a launch template, its managed tag propagated to
 * the instances it launches (PropagateAtLaunch), as the reactor's IAM policy needs.
 */
export async function createAutoScalingGroup(
  clients: AwsClients,
  options: {
    readonly name: string;
    readonly imageId: string;
    readonly instances: number;
    readonly tagged?: boolean;
  },
): Promise<{ readonly arn: string; readonly instanceIds: string[] }> {
  await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: options.name,
      LaunchTemplateData: { ImageId: options.imageId, InstanceType: 't3.micro' },
    }),
  );
  await clients.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: options.name,
      LaunchTemplate: { LaunchTemplateName: options.name, Version: '$Latest' },
      MinSize: options.instances,
      MaxSize: options.instances + 2,
      DesiredCapacity: options.instances,
      AvailabilityZones: [`${clients.region}a`],
      Tags:
        options.tagged === false
          ? []
          : managedTags.map((tag) => ({
              ...tag,
              PropagateAtLaunch: true,
              ResourceId: options.name,
              ResourceType: 'auto-scaling-group',
            })),
    }),
  );
  const { AutoScalingGroups } = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [options.name] }),
  );
  const group = AutoScalingGroups?.[0];
  if (!group?.AutoScalingGroupARN) throw new Error('moto returned no Auto Scaling group ARN');
  return {
    arn: group.AutoScalingGroupARN,
    instanceIds: (group.Instances ?? []).flatMap((instance) =>
      instance.InstanceId ? [instance.InstanceId] : [],
    ),
  };
}

function instanceAccount(arn: string): string {
  return arn.split(':')[4] ?? '123456789012';
}

/** Each resource's state as the reactor's own drivers see it. */
export async function observeFleet(
  reactor: Reactor,
  members: readonly FleetMember[],
): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const member of members) {
    const [observation] = await reactor.drivers[kindOf(member.resourceArn)].status([member.resourceArn]);
    states.set(member.resourceArn, observation ? `${observation.state} (${observation.detail})` : 'unknown');
  }
  return states;
}

/**
 * Registers the fleet to the key the way the platform's provisioning would: each member tagged with
 * KEY_ARN_TAG = the key's ARN and the managed tag (the tag is the registration), and a table row only for
 * a member whose layer is not its kind's default. Then the key's administrators, through the reactor's store.
 */
export async function registerFleet(
  world: { readonly reactor: Reactor; readonly clients: AwsClients },
  keyArn: string,
  members: readonly FleetMember[],
): Promise<void> {
  const { registry } = world.reactor.store;
  const tags = reactorTags(keyArn, world.reactor.settings.managedTag);
  for (const member of members) {
    await tagResource(world.clients, member.resourceArn, tags);
    if (member.layer !== defaultLayer(kindOf(member.resourceArn)))
      await registry.register({ keyArn, resourceArn: member.resourceArn, layer: member.layer });
  }
  await registry.setAdministrators(keyArn, DEMO.administrators);
}

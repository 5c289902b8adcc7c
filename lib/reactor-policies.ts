import { Stack } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { KEY_ARN_TAG } from '../lambdas/shared/contract';
import { ANY_RESOURCE, type Permission, type WildcardResource, wildcardArn } from './acknowledged-policy';
import type { ReactorSettings } from './reactor-settings';

/** A key role session's own key tag, as IAM substitutes it: equal to a resource's only for that key's resources. */
export const SESSION_KEY_ARN = `\${aws:PrincipalTag/${KEY_ARN_TAG}}`;

/**
 * The reactor's named policies: each statement with the reason for each of its wildcards, which
 * attachPolicy turns into one cdk-nag acknowledgment per finding. Who holds which policy is decided in
 * reactor-permissions.ts: StopTaggedResources and StartTaggedResources belong to the key roles
 * (key-scoped-action-role.ts), never to a function's own role.
 */
export type PolicyName =
  | 'DescribeCustomerKeys'
  | 'ListKeyAliases'
  | 'DescribeExecutions'
  | 'ListKeyMaterials'
  | 'DescribeResources'
  | 'FindEncryptedDependents'
  | 'FindTaggedResources'
  | 'StopTaggedResources'
  | 'StartTaggedResources'
  | 'SuspendServiceScaling'
  | 'SendEmailAsSender'
  | 'PageOperators';

/**
 * The resources the reactor stops and starts, as AWS names them, all in the stack's account and Region,
 * and the action that moves each down and up. An ECS service goes down by setting its desired count to
 * 0; an Auto Scaling group by suspending its processes, so it cannot replace the instances stopped with
 * ec2:StopInstances (they carry the managed tag too: the group's PropagateAtLaunch gives it to them).
 */
const resourcesIn = (scope: Construct) =>
  ({
    instances: {
      arn: wildcardArn(scope, 'ec2', 'instance/*'),
      noun: 'EC2 instances',
      stop: 'ec2:StopInstances',
      start: 'ec2:StartInstances',
    },
    services: {
      arn: wildcardArn(scope, 'ecs', 'service/*'),
      noun: 'ECS services',
      stop: 'ecs:UpdateService',
      start: 'ecs:UpdateService',
    },
    dbInstances: {
      arn: wildcardArn(scope, 'rds', 'db:*'),
      noun: 'RDS DB instances',
      stop: 'rds:StopDBInstance',
      start: 'rds:StartDBInstance',
    },
    dbClusters: {
      arn: wildcardArn(scope, 'rds', 'cluster:*'),
      noun: 'RDS DB clusters',
      stop: 'rds:StopDBCluster',
      start: 'rds:StartDBCluster',
    },
    // arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>
    groups: {
      arn: wildcardArn(scope, 'autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*'),
      noun: 'Auto Scaling groups',
      stop: 'autoscaling:SuspendProcesses',
      start: 'autoscaling:ResumeProcesses',
    },
  }) as const;
type Kind = keyof ReturnType<typeof resourcesIn>;

/**
 * What ecs:UpdateService could change besides the desired count, by the condition keys that are in the
 * request context only when the request changes it (Service Authorization Reference, "Actions, resources,
 * and condition keys for Amazon Elastic Container Service", UpdateService). The reactor only ever sends a
 * desired count, so a request carrying any of these is not one of its own: denied outright.
 */
const SERVICE_CHANGES_DENIED: readonly (readonly [conditionKey: string, what: string])[] = [
  ['ecs:task-definition', 'the task definition'],
  ['ecs:enable-execute-command', 'ECS Exec'],
  ['ecs:capacity-provider', 'the capacity provider strategy'],
  // A network configuration (awsvpcConfiguration) always names its subnets; security groups and the
  // public IP come only with it.
  ['ecs:subnet', 'the network configuration'],
  ['ecs:enable-service-connect', 'Service Connect'],
  ['ecs:enable-vpc-lattice', 'VPC Lattice'],
];

export function reactorPolicies(
  scope: Construct,
  settings: ReactorSettings,
  operatorTopic: sns.ITopic,
): Record<PolicyName, Permission[]> {
  const { managedTag, organizationId } = settings;
  const resources = resourcesIn(scope);
  // The managed tag, and the key tag equal to the session's own (key-scoped-action-role.ts): a key role
  // session moves only the resources of the key it was assumed for.
  const tagged = {
    StringEquals: {
      [`aws:ResourceTag/${managedTag.key}`]: managedTag.value,
      [`aws:ResourceTag/${KEY_ARN_TAG}`]: SESSION_KEY_ARN,
    },
  };
  const tagWording = `${managedTag.key}=${managedTag.value} and ${KEY_ARN_TAG} equal to the session's key`;

  /** One statement moving the given kinds one way, on resources with both tags of the session's key. */
  const onTagged = (direction: 'stop' | 'start', kinds: Kind[]): Permission => ({
    actions: [...new Set(kinds.map((kind) => resources[kind][direction]))],
    conditions: tagged,
    resources: kinds.map((kind) => {
      const { arn, noun, [direction]: action } = resources[kind];
      return {
        resource: arn,
        reason:
          `The ${noun} registered to a key are known only at run time. ${action} acts only on ${noun} of this ` +
          `account and Region tagged ${tagWording} (aws:ResourceTag against aws:PrincipalTag), so a key role ` +
          'session touches no other tenant; nothing is terminated or deleted.',
      };
    }),
  });

  /**
   * Customer keys are named by the event or the registry at run time, so the key ID is `*`; the
   * account is one of the allowed ones, or any account of the allowed organization (aws:ResourceOrgID).
   */
  const onCustomerKeys = (
    actions: string[],
    why: string,
    conditions?: Readonly<Record<string, unknown>>,
  ): Permission[] => [
    {
      actions,
      conditions,
      resources: [
        {
          resource: wildcardArn(scope, 'kms', 'key/*'),
          reason: `${why} Keys of this account and Region, named only at run time.`,
        },
        ...[...new Set(settings.customerAccounts)].map((account) => ({
          resource: wildcardArn(scope, 'kms', 'key/*', account),
          reason: `${why} Keys of the allowed account ${account} in this Region, named only at run time.`,
        })),
      ],
    },
    ...(organizationId
      ? [
          {
            actions,
            conditions: {
              ...conditions,
              StringEquals: {
                ...(conditions?.StringEquals as Record<string, unknown> | undefined),
                'aws:ResourceOrgID': organizationId,
              },
            },
            resources: [
              {
                resource: wildcardArn(scope, 'kms', 'key/*', '*'),
                reason:
                  `${why} Keys of any account of the allowed organization ${organizationId}, whose account ` +
                  'is known only from the event: aws:ResourceOrgID limits them to keys that organization owns.',
              },
            ],
          },
        ]
      : []),
  ];

  return {
    // The probe (lambdas/shared/key-reader.ts): usable means the platform can use the key. Neither action
    // returns plaintext: a data key encrypted under the key only, or a few fixed bytes encrypted.
    DescribeCustomerKeys: onCustomerKeys(
      ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Encrypt'],
      "Reads a customer key's real state and probes that the platform may use it.",
    ),
    ListKeyMaterials: onCustomerKeys(
      ['kms:ListKeyRotations'],
      "Lists an imported key's key materials, each with its own expiry, to warn before any of them expires.",
    ),
    ListKeyAliases: [
      {
        actions: ['kms:ListAliases'],
        resources: [
          {
            resource: ANY_RESOURCE,
            reason:
              'kms:ListAliases supports no resource-level permission (only "*"), and only reads alias names: ' +
              "the emails show a key's alias beside its ID. It lists this account's aliases only.",
          },
        ],
      },
    ],
    DescribeExecutions: [
      {
        actions: ['states:DescribeExecution'],
        resources: [
          {
            resource: wildcardArn(scope, 'states', 'execution:*'),
            reason:
              "Read-only: whether the execution that holds a key's lease still runs, so a lease left by an " +
              'aborted or failed run is taken over at once. Its ARN is known only from the lease; the ' +
              "workflows' names are not fixed, so executions of this account and Region.",
          },
        ],
      },
    ],
    DescribeResources: [
      {
        actions: [
          'ec2:DescribeInstances',
          'autoscaling:DescribeAutoScalingGroups',
          'application-autoscaling:DescribeScalableTargets',
        ],
        resources: [
          {
            resource: ANY_RESOURCE,
            reason:
              'ec2:DescribeInstances, autoscaling:DescribeAutoScalingGroups and ' +
              'application-autoscaling:DescribeScalableTargets support no resource-level permission (only ' +
              '"*"); all three only read.',
          },
        ],
      },
      describe(['ecs:DescribeServices'], resources.services),
      // DescribeDBInstances and DescribeDBClusters return the tags themselves (TagList).
      describe(['rds:DescribeDBInstances'], resources.dbInstances),
      describe(['rds:DescribeDBClusters'], resources.dbClusters),
    ],
    // The safety net by encryption (lambdas/shared/encrypted-dependents.ts): what each service says is
    // encrypted with a key. Read only; RDS, EC2 instances and Auto Scaling groups come with DescribeResources.
    FindEncryptedDependents: [
      {
        actions: ['ec2:DescribeVolumes', 's3:ListAllMyBuckets'],
        resources: [
          {
            resource: ANY_RESOURCE,
            reason:
              'ec2:DescribeVolumes and s3:ListAllMyBuckets support no resource-level permission (only "*"); ' +
              'both only read, to find the volumes and buckets a customer key encrypts.',
          },
        ],
      },
      findEncrypted(
        ['elasticache:DescribeReplicationGroups'],
        wildcardArn(scope, 'elasticache', 'replicationgroup:*'),
        'ElastiCache replication groups',
      ),
      findEncrypted(
        ['elasticache:DescribeServerlessCaches'],
        wildcardArn(scope, 'elasticache', 'serverlesscache:*'),
        'ElastiCache serverless caches',
      ),
      findEncrypted(
        ['elasticfilesystem:DescribeFileSystems'],
        wildcardArn(scope, 'elasticfilesystem', 'file-system/*'),
        'EFS file systems',
      ),
      findEncrypted(
        ['s3:GetEncryptionConfiguration'],
        anyBucket(scope),
        'S3 buckets (their default encryption)',
      ),
    ],
    // The tag is the registration (lambdas/shared/tag-directory.ts): which resources carry the key tag.
    FindTaggedResources: [
      {
        actions: ['tag:GetResources', 'autoscaling:DescribeAutoScalingGroups'],
        resources: [
          {
            resource: ANY_RESOURCE,
            reason:
              'tag:GetResources and autoscaling:DescribeAutoScalingGroups support no resource-level permission ' +
              `(only "*"); both only read, to find the resources whose ${KEY_ARN_TAG} tag names a key (the ` +
              'tagging API lists no Auto Scaling groups, so those are read with a tag filter).',
          },
        ],
      },
    ],
    StopTaggedResources: [
      onTagged('stop', ['instances', 'services', 'dbInstances', 'dbClusters']),
      onTagged('stop', ['groups']),
      ...serviceChangesDenied(resources.services.arn),
    ],
    StartTaggedResources: [
      onTagged('start', ['instances', 'services', 'dbInstances', 'dbClusters']),
      onTagged('start', ['groups']),
      ...serviceChangesDenied(resources.services.arn),
      // Starting an instance whose EBS volumes the customer key encrypts makes EC2 create a grant on the key
      // with the identity of whoever called StartInstances: the start key role, so the grant sits here.
      ...onCustomerKeys(
        ['kms:CreateGrant'],
        'EC2 creates a grant on the customer key, as the caller of StartInstances, to start an instance whose ' +
          'volumes it encrypts; kms:GrantIsForAWSResource and kms:ViaService limit this to grants EC2 asks for.',
        {
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: { 'kms:ViaService': `ec2.${Stack.of(scope).region}.amazonaws.com` },
        },
      ),
    ],
    SuspendServiceScaling: [
      {
        actions: ['application-autoscaling:RegisterScalableTarget'],
        // Only ECS services' desired counts: the keys the Service Authorization Reference gives this action.
        conditions: {
          StringEquals: {
            'application-autoscaling:service-namespace': 'ecs',
            'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount',
          },
        },
        resources: [
          {
            resource: wildcardArn(scope, 'application-autoscaling', 'scalable-target/*'),
            reason:
              "Suspends an ECS service's scalable target before the service is stopped, and gives its suspension " +
              'back after the start. A scalable target is named by an ID AWS generates and carries its own tags, ' +
              "not the service's, so the managed-tag condition cannot apply: the namespace and dimension " +
              "conditions limit it to ECS services' desired counts of this account and Region.",
          },
        ],
      },
    ],
    SendEmailAsSender: [
      {
        actions: ['ses:SendEmail'],
        conditions: { StringEquals: { 'ses:FromAddress': settings.senderAddress } },
        resources: [
          {
            resource: wildcardArn(scope, 'ses', 'identity/*'),
            reason:
              'SES authorises the sender identity, which may be the address or its domain, and in the SES ' +
              "sandbox the recipients' identities too, so the identity is not one fixed ARN; the " +
              'ses:FromAddress condition pins the sender to the configured address, the ARN to this account and Region.',
          },
        ],
      },
    ],
    PageOperators: [
      {
        actions: ['sns:Publish'],
        resources: [
          {
            resource: { arn: operatorTopic.topicArn },
            reason: "The operators' alarm topic only: how they hear what email could not tell anyone.",
          },
        ],
      },
    ],
  };
}

/** A read-only describe of one kind of resource, in this account and Region. */
/** A read of every resource of a kind, to find those a customer key encrypts: none is known beforehand. */
function findEncrypted(actions: string[], resource: WildcardResource, noun: string): Permission {
  return {
    actions,
    resources: [
      {
        resource,
        reason: `Read-only: which ${noun} a customer key encrypts is what the safety net looks for, so it reads them all.`,
      },
    ],
  };
}

/** Every bucket: S3 bucket ARNs name no Region and no account (arn:<partition>:s3:::<bucket>). */
function anyBucket(scope: Construct): WildcardResource {
  return {
    arn: `arn:${Stack.of(scope).partition}:s3:::*`,
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
  };
}

function describe(
  actions: string[],
  { arn, noun }: { readonly arn: WildcardResource; readonly noun: string },
): Permission {
  return {
    actions,
    resources: [
      {
        resource: arn,
        reason: `Read-only: the ${noun} registered to a key are known only at run time; only those of this account and Region.`,
      },
    ],
  };
}

/** One Deny per key of SERVICE_CHANGES_DENIED: statements' conditions are and-ed, the denials must be or-ed. */
function serviceChangesDenied(services: WildcardResource): Permission[] {
  return SERVICE_CHANGES_DENIED.map(([conditionKey, what]) => ({
    effect: 'Deny' as const,
    actions: ['ecs:UpdateService'],
    conditions: { Null: { [conditionKey]: 'false' } },
    resources: [{ resource: services, reason: `The reactor never changes ${what} of a service.` }],
  }));
}

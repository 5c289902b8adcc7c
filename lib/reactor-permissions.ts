import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  ANY_RESOURCE,
  attachPolicy,
  type Permission,
  type WildcardResource,
  wildcardArn,
} from './acknowledged-policy';
import type { StepFunctionName } from './catalog';
import type { ReactorFunction } from './reactor-function';
import type { ReactorSettings } from './reactor-props';

/**
 * What each function may do, and why each wildcard is there. Every function holds only what its
 * handler calls: the table actions of the store functions it uses, and named policies built here.
 */

/**
 * The table actions each step needs, from the store functions its handler calls (lambdas/shared/store).
 * When a handler starts calling another store function, widen its entry here.
 */
const TABLE_ACTIONS: Readonly<Record<StepFunctionName, readonly string[]>> = {
  Lease: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  // Seeing the key usable ends its unusable episode in the STATE item (store/email-log.ts).
  DescribeKey: ['dynamodb:UpdateItem'],
  ListResources: ['dynamodb:Query', 'dynamodb:GetItem'],
  // The registry, and the ledger written before each stop (store/ledger.ts).
  StopResources: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
  // The ledger only: the way up starts nothing the reactor did not stop.
  StartResources: ['dynamodb:Query'],
  // The email log: one email per change of the key (store/email-log.ts).
  Notify: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  Ledger: ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
};
/** The sweep scans the table once, and claims and marks the early warnings it sends (store/warning-log.ts). */
const SWEEP_TABLE_ACTIONS = ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

type PolicyName =
  | 'DescribeCustomerKeys'
  | 'DescribeResources'
  | 'StopTaggedResources'
  | 'StartTaggedResources'
  | 'SendEmailAsSender';

/** The named policies of each step. The poll loop of each workflow calls its own direction's step. */
const STEP_POLICIES: Readonly<Record<StepFunctionName, readonly PolicyName[]>> = {
  Lease: [],
  DescribeKey: ['DescribeCustomerKeys'],
  ListResources: [],
  StopResources: ['DescribeResources', 'StopTaggedResources'],
  StartResources: ['DescribeResources', 'StartTaggedResources'],
  // A grace-period email for a key that is usable already (a late or reordered event) is not sent.
  Notify: ['DescribeCustomerKeys', 'SendEmailAsSender'],
  Ledger: [],
};
const SWEEP_POLICIES: readonly PolicyName[] = [
  'DescribeCustomerKeys',
  'DescribeResources',
  'SendEmailAsSender',
];

/** Grants the reactor's functions what their handlers call, and nothing else. */
export class ReactorPermissions {
  private readonly policies: Readonly<Record<PolicyName, readonly Permission[]>>;

  constructor(
    scope: Construct,
    private readonly table: dynamodb.ITable,
    settings: ReactorSettings,
  ) {
    this.policies = reactorPolicies(scope, settings);
  }

  grantStep(name: StepFunctionName, fn: ReactorFunction): void {
    const actions = TABLE_ACTIONS[name];
    if (actions.length > 0) this.table.grant(fn, ...actions);
    for (const policy of STEP_POLICIES[name]) attachPolicy(fn, policy, this.policies[policy]);
  }

  grantSweep(fn: ReactorFunction): void {
    this.table.grant(fn, ...SWEEP_TABLE_ACTIONS);
    for (const policy of SWEEP_POLICIES) attachPolicy(fn, policy, this.policies[policy]);
  }
}

/** The resources the reactor stops and starts, as AWS names them; all in the stack's account and Region. */
const resourcesIn = (scope: Construct) =>
  ({
    instances: { arn: wildcardArn(scope, 'ec2', 'instance/*'), noun: 'EC2 instances' },
    services: { arn: wildcardArn(scope, 'ecs', 'service/*'), noun: 'ECS services' },
    dbInstances: { arn: wildcardArn(scope, 'rds', 'db:*'), noun: 'RDS DB instances' },
    dbClusters: { arn: wildcardArn(scope, 'rds', 'cluster:*'), noun: 'RDS DB clusters' },
    // arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>
    groups: {
      arn: wildcardArn(scope, 'autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*'),
      noun: 'Auto Scaling groups',
    },
  }) as const;
type Kind = keyof ReturnType<typeof resourcesIn>;

function reactorPolicies(scope: Construct, settings: ReactorSettings): Record<PolicyName, Permission[]> {
  const { managedTag, organizationId } = settings;
  const resources = resourcesIn(scope);
  const tagged = { StringEquals: { [`aws:ResourceTag/${managedTag.key}`]: managedTag.value } };
  const tagWording = `${managedTag.key}=${managedTag.value}`;

  /** One statement on resources of the given kinds, only those carrying the managed tag. */
  const onTagged = (actions: string[], kinds: Kind[], what: string): Permission => ({
    actions,
    conditions: tagged,
    resources: kinds.map((kind) => ({
      resource: resources[kind].arn,
      reason:
        `The ${resources[kind].noun} registered to a key are known only at run time. ${what} acts only on ` +
        `${resources[kind].noun} of this account and Region tagged ${tagWording} (aws:ResourceTag condition).`,
    })),
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
            conditions: { ...conditions, StringEquals: { 'aws:ResourceOrgID': organizationId } },
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
    DescribeCustomerKeys: onCustomerKeys(['kms:DescribeKey'], "Reads a customer key's real state."),
    DescribeResources: [
      {
        actions: ['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingGroups'],
        resources: [
          {
            resource: ANY_RESOURCE,
            reason:
              'ec2:DescribeInstances and autoscaling:DescribeAutoScalingGroups support no resource-level ' +
              'permission (only "*"); both only read.',
          },
        ],
      },
      describe(['ecs:DescribeServices'], resources.services),
      describe(['rds:DescribeDBInstances', 'rds:ListTagsForResource'], resources.dbInstances),
      describe(['rds:DescribeDBClusters', 'rds:ListTagsForResource'], resources.dbClusters),
    ],
    StopTaggedResources: [
      onTagged(
        ['ec2:StopInstances', 'ecs:UpdateService', 'rds:StopDBInstance', 'rds:StopDBCluster'],
        ['instances', 'services', 'dbInstances', 'dbClusters'],
        'Stopping (an ECS service: setting its desired count to 0; never terminate, delete or modify)',
      ),
      // An Auto Scaling group is stopped by suspending its processes, so it cannot replace the instances
      // stopped above: those carry the managed tag too, which the group's PropagateAtLaunch gives them.
      onTagged(['autoscaling:SuspendProcesses'], ['groups'], 'Suspending the scaling processes'),
    ],
    StartTaggedResources: [
      onTagged(
        ['ec2:StartInstances', 'ecs:UpdateService', 'rds:StartDBInstance', 'rds:StartDBCluster'],
        ['instances', 'services', 'dbInstances', 'dbClusters'],
        'Starting (an ECS service: restoring its desired count; never terminate, delete or modify)',
      ),
      onTagged(['autoscaling:ResumeProcesses'], ['groups'], 'Resuming the scaling processes'),
      // Starting an instance whose EBS volumes the customer key encrypts makes EC2 create a grant on the key.
      ...onCustomerKeys(
        ['kms:CreateGrant'],
        'EC2 creates a grant on the customer key to start an instance whose volumes it encrypts; ' +
          'kms:GrantIsForAWSResource limits this to grants for AWS resources.',
        { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      ),
    ],
    SendEmailAsSender: [
      {
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
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
  };
}

/** A read-only describe of one kind of resource, in this account and Region. */
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

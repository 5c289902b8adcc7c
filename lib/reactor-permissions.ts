import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contract';
import { attachPolicy, type Permission } from './acknowledged-policy';
import type { StepFunctionName } from './catalog';
import type { KeyRoleDirection, KeyScopedActionRole } from './key-scoped-action-role';
import type { ReactorFunction } from './reactor-function';
import { type PolicyName, reactorPolicies } from './reactor-policies';
import type { ReactorSettings } from './reactor-settings';

// Who may do what: every function holds only what its handler calls, the table actions of the store
// functions it uses and the named policies of reactor-policies.ts.

/**
 * The table actions each step needs, from the store functions its handler calls (lambdas/shared/store).
 * When a handler starts calling another store function, widen its entry here.
 */
const TABLE_ACTIONS: Readonly<Record<StepFunctionName, readonly string[]>> = {
  // Gives the lease back; the run takes it in its describe-key step.
  Lease: ['dynamodb:DeleteItem'],
  // Takes the lease (a conditional put, and a read of the holder) and reads the key's newest change on
  // its STATE item (store/key-events.ts); counts the ledger for the enable run (a Query).
  // Seeing the key usable ends its unusable episode; a deletion date is kept as evidence (STATE item).
  // The guard (store/guard-state.ts): reads and trips the pause switch, counts the key (a conditional
  // put), counts the window (a Query) and, only past the breaker's floor, the registered keys (a Scan).
  DescribeKey: [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
  ],
  ListResources: ['dynamodb:Query', 'dynamodb:GetItem'],
  // The registry, the ledger written before each stop (store/ledger.ts), the lease renewed each turn;
  // the pacer's shared buckets, read and written on condition (pacing/buckets.ts).
  StopResources: [
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:UpdateItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
  ],
  // The ledger: the way up starts only what the reactor stopped, and marks it restored once seen back;
  // the pacer's shared buckets.
  StartResources: [
    'dynamodb:Query',
    'dynamodb:BatchWriteItem',
    'dynamodb:UpdateItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
  ],
  // The email log: one email per change of the key (store/email-log.ts); the undelivered news it keeps
  // or supersedes (store/news.ts).
  Notify: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  Ledger: ['dynamodb:Query', 'dynamodb:UpdateItem'],
};
/**
 * The sweep scans the table once, claims and marks the early warnings it sends (store/warning-log.ts),
 * keeps deletion dates as evidence (store/key-events.ts), sends the undelivered news again through
 * the email log, reading the resources it names, and clears it once sent (store/news.ts), and opens and
 * closes the RDS databases' countdowns (store/countdowns.ts).
 */
const SWEEP_TABLE_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
/**
 * The dispatcher records each key's newest change before it starts its run (store/key-events.ts). After
 * an access call it checks the key (key-check.ts: the first denial, the deletion evidence) and reads the
 * ledger, to start the enable run once access is back.
 */
const DISPATCHER_TABLE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;
/** The dispatcher probes a key after an access call, and pages the operators when KMS fails meanwhile. */
const DISPATCHER_POLICIES: readonly PolicyName[] = ['DescribeCustomerKeys', 'PageOperators'];

/** The named policies of each step. The poll loop of each workflow calls its own direction's step. */
const STEP_POLICIES: Readonly<Record<StepFunctionName, readonly PolicyName[]>> = {
  Lease: [],
  // The circuit breaker pages the operators when it holds shutdowns back (lambdas/shared/guard.ts); past
  // its floor, it counts the keys that have resources, tagged or in the table. A lease held by an
  // execution that has ended is taken over at once (shared/take-lease.ts).
  DescribeKey: ['DescribeCustomerKeys', 'PageOperators', 'FindTaggedResources', 'DescribeExecutions'],
  // A key's resources are those its tag names, merged with the table's rows (key-resources.ts).
  ListResources: ['FindTaggedResources'],
  // The stop loop reads the key at every turn, and leaves it to the enable run once it is usable again.
  // Both read the resources and suspend or give back the scaling of ECS services' scalable targets
  // (drivers/app-autoscaling.ts) with their own role; every stop and start goes through a key role.
  StopResources: [
    'DescribeCustomerKeys',
    'DescribeResources',
    'FindTaggedResources',
    'SuspendServiceScaling',
  ],
  // The way up starts only the ledger's entries (what the reactor stopped): it never lists the key's tags.
  StartResources: ['DescribeResources', 'SuspendServiceScaling'],
  // A grace-period email for a key that is usable already (a late or reordered event) is not sent; an
  // email SES does not accept is paged to the operators.
  // The emails name the key by its alias too, when it has one in this account.
  // The emails list the key's resources, found by their tags (key-resources.ts).
  Notify: [
    'DescribeCustomerKeys',
    'ListKeyAliases',
    'FindTaggedResources',
    'SendEmailAsSender',
    'PageOperators',
  ],
  Ledger: [],
};
/** What a key role may do: move one direction, on the resources of its session's key only. */
const KEY_ROLE_POLICIES: Readonly<Record<KeyRoleDirection, readonly PolicyName[]>> = {
  stop: ['StopTaggedResources'],
  start: ['StartTaggedResources'],
};
// The weekly digest reads each failed run of the week for its key (DescribeExecutions).
const SWEEP_POLICIES: readonly PolicyName[] = [
  'DescribeCustomerKeys',
  'ListKeyMaterials',
  'ListKeyAliases',
  'DescribeExecutions',
  'DescribeResources',
  // Every key's resources, from one read of the account's tags (key-resources.ts).
  'FindTaggedResources',
  // The safety net: what the keys encrypt, tagged or not (lambdas/shared/sweep/unprotected.ts).
  'FindEncryptedDependents',
  'SendEmailAsSender',
  'PageOperators',
];

/** Grants the reactor's functions what their handlers call, and nothing else. */
export class ReactorPermissions {
  private readonly policies: Readonly<Record<PolicyName, readonly Permission[]>>;

  constructor(
    scope: Construct,
    private readonly table: dynamodb.ITable,
    settings: ReactorSettings,
    private readonly operatorTopic: sns.ITopic,
  ) {
    this.policies = reactorPolicies(scope, settings, operatorTopic);
  }

  grantStep(name: StepFunctionName, fn: ReactorFunction): void {
    const actions = TABLE_ACTIONS[name];
    if (actions.length > 0) this.table.grant(fn, ...actions);
    this.attach(fn, STEP_POLICIES[name]);
  }

  /** A key role's own policies: the stop or start actions, each conditioned on the session's key. */
  grantKeyRole(direction: KeyRoleDirection, role: KeyScopedActionRole): void {
    for (const policy of KEY_ROLE_POLICIES[direction]) attachPolicy(role, policy, this.policies[policy]);
  }

  grantDispatcher(fn: ReactorFunction): void {
    this.table.grant(fn, ...DISPATCHER_TABLE_ACTIONS);
    this.attach(fn, DISPATCHER_POLICIES);
  }

  grantSweep(fn: ReactorFunction): void {
    this.table.grant(fn, ...SWEEP_TABLE_ACTIONS);
    this.attach(fn, SWEEP_POLICIES);
  }

  /** The named policies; a function that may page the operators is also told their topic. */
  private attach(fn: ReactorFunction, policies: readonly PolicyName[]): void {
    for (const policy of policies) attachPolicy(fn, policy, this.policies[policy]);
    if (policies.includes('PageOperators')) {
      fn.addEnvironment(ENV.notificationTopicArn, this.operatorTopic.topicArn);
    }
  }
}

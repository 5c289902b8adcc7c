import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ArnFormat,
  Aws,
  type CfnElement,
  Duration,
  Fn,
  Names,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_MANAGED_TAG, ENV, LIMITS, PATTERNS, TABLE_SCHEMA } from '../lambdas/shared/contract';
import {
  DISPATCHER_FUNCTION,
  functionArnVariable,
  GRACE_SECONDS_VARIABLE,
  ROOT_DIR,
  STEP_FUNCTIONS,
  type StepFunctionName,
  SWEEP_FUNCTION,
  WORKFLOWS,
  type WorkflowDefinition,
} from './catalog';
import {
  DRIFT_EVENT_PATTERN,
  KMS_EVENT_PATTERNS,
  type NamedEventPattern,
  type RawEventPattern,
} from './event-patterns';
import { PlatformEventBus } from './platform-bus';
import { ReactorDashboard } from './reactor-dashboard';
import { POWERTOOLS_ENVIRONMENT, ReactorFunction } from './reactor-function';

/** The tag a resource must carry before the reactor may stop or start it. */
export interface ManagedTag {
  readonly key: string;
  readonly value: string;
}

export interface KeyLifecycleReactorProps {
  /**
   * The address the reactor's emails come from: an SES identity verified in this account and region
   * (the address itself, or its domain). The notify function may send from this address only.
   */
  readonly senderAddress: string;
  /**
   * The platform operators, at least one: the notify function emails them, and each address is subscribed
   * to the alarm topic (AWS sends a confirmation email that must be accepted before alarms arrive).
   */
  readonly operatorAddresses: readonly string[];
  /**
   * How long a disable workflow waits before stopping anything, so an accidental disable can be undone.
   * Whole seconds, from 0 to 24 hours.
   * @default Duration.minutes(10)
   */
  readonly gracePeriod?: Duration;
  /**
   * The tag a resource must carry for the reactor to stop or start it; the IAM policies enforce it.
   * @default { key: 'key-reactor:managed', value: 'true' }
   */
  readonly managedTag?: ManagedTag;
  /**
   * How long the functions' and the workflows' log groups keep their events.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The AWS accounts whose keys the reactor acts on (12 digits each). The account the reactor is
   * deployed in is always included.
   * @default - this account only
   */
  readonly allowedAccounts?: readonly string[];
  /**
   * An AWS Organization (`o-` and 10 to 32 letters or digits) every account of which may forward its
   * keys' events to the platform bus, beside `allowedAccounts`. The bus policy then admits the
   * organization's accounts, and the reactor may describe and grant on keys owned by them.
   * @default - no organization: only `allowedAccounts`
   */
  readonly allowedOrganizationId?: string;
  /**
   * How often the sweep reads every registered key and looks for resources that do not match it (missed
   * events, RDS databases AWS started by itself). From 1 minute to 1 day, in whole minutes.
   * @default Duration.minutes(5)
   */
  readonly sweepInterval?: Duration;
  /**
   * How many days ahead of imported key material expiring, or of a key's scheduled deletion, the sweep
   * emails the key's administrators: once per threshold. Whole days, at most 365.
   * @default [30, 7, 1]
   */
  readonly warningDays?: readonly number[];
  /**
   * What happens to the registry table when it leaves the stack. The table also has deletion protection,
   * which must be turned off before DESTROY can take effect.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A prop that cannot work, found at synth time. */
export class KeyLifecycleReactorPropsError extends Error {
  constructor(message: string) {
    super(`KeyLifecycleReactor: ${message}`);
    this.name = 'KeyLifecycleReactorPropsError';
  }
}

const DEFAULT_GRACE_PERIOD = Duration.seconds(LIMITS.defaultGraceSeconds);
const DEFAULT_SWEEP_INTERVAL = Duration.minutes(LIMITS.defaultSweepMinutes);
/** IAM tag keys: letters, digits, spaces and _ . : / = + - @, at most 128, not starting with aws: */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const STEP_DESCRIPTIONS: Readonly<Record<StepFunctionName, string>> = {
  Lease: 'Takes and releases the per-key lease, so one workflow at a time acts on a key',
  DescribeKey: "Reads the customer key's real state with kms:DescribeKey",
  ListResources: 'Lists the resources registered to a key and what the ledger says was stopped',
  StopResources: "Stops one layer of a key's tagged resources, ledger first",
  StartResources: 'Starts one layer of the resources the reactor itself stopped',
  CheckResources: 'Observes one layer again during the poll loop, and moves what can move now',
  Notify: 'Emails the key administrators and the operators through SES',
  Ledger: "Records a workflow's outcome and clears the ledger of restored resources",
};

/**
 * The table actions each step needs, from the store functions its handler calls (lambdas/shared/store).
 * When a handler starts calling another store function, widen its entry here.
 */
const TABLE_ACTIONS: Readonly<Record<StepFunctionName, readonly string[]>> = {
  Lease: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  // Seeing the key usable ends its unusable episode in the STATE item (store/email-log.ts).
  DescribeKey: ['dynamodb:UpdateItem'],
  ListResources: ['dynamodb:Query', 'dynamodb:GetItem'],
  StopResources: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
  StartResources: ['dynamodb:Query'],
  CheckResources: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
  // The email log: one email per change of the key (store/email-log.ts).
  Notify: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  Ledger: ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
};
/** The sweep scans the table once, and claims and marks the early warnings it sends (store/warning-log.ts). */
const SWEEP_TABLE_ACTIONS = ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** Construct IDs of the workflows: readable in the console and in the template. */
const WORKFLOW_IDS: Readonly<Record<WorkflowDefinition['name'], string>> = {
  disable: 'KeyDisabledWorkflow',
  enable: 'KeyEnabledWorkflow',
};

/**
 * The key-lifecycle reactor: EventBridge rules on the default bus (this account's keys) and on the
 * platform bus (keys of customer accounts, forwarded by CustomerKeyForwarder) catch KMS key changes, a
 * dispatcher starts the matching Step Functions workflow, and the workflow's Lambda steps stop or start
 * the key's tagged resources and email the administrators. A scheduled sweep catches what the events
 * missed and warns ahead of material expiry and deletion. Creates its table, dead-letter queue, log
 * groups, alarms and alarm topic itself.
 */
export class KeyLifecycleReactor extends Construct {
  /** The registry, ledger, lease and key-state table. */
  public readonly table: dynamodb.Table;
  /** The two workflows, by name. */
  public readonly stateMachines: Readonly<Record<WorkflowDefinition['name'], sfn.StateMachine>>;
  /** The workflow steps by their name in the ASL files, and the dispatcher. */
  public readonly functions: Readonly<Record<StepFunctionName | 'Dispatcher', ReactorFunction>>;
  /**
   * The rules that invoke the dispatcher: one per KMS_EVENT_PATTERNS entry on the default bus, then on
   * the platform bus, then the drift rule (platform bus only).
   */
  public readonly rules: readonly events.Rule[];
  /** The scheduled safety net: drift events, early warnings (lambdas/sweep). */
  public readonly sweep: ReactorFunction;
  /**
   * The bus customer accounts forward their KMS events to; its policy admits only `allowedAccounts` and
   * `allowedOrganizationId`. The sweep's drift events go there too.
   */
  public readonly platformBus: PlatformEventBus;
  /** Events the rules could not deliver, and dispatcher invocations that failed every attempt. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Where the alarms go; every operator address is subscribed. */
  public readonly topic: sns.Topic;
  /**
   * Failed, timed-out, aborted and throttled executions of each workflow, dead-letter queue depth,
   * dispatcher errors, sweep errors, keys the sweep may not read.
   */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Executions, time from key change to outcome, dead-letter queue, dispatcher, alarms. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KeyLifecycleReactorProps) {
    super(scope, id);
    validateProps(props);

    const stack = Stack.of(this);
    const gracePeriod = props.gracePeriod ?? DEFAULT_GRACE_PERIOD;
    const graceSeconds = gracePeriod.toSeconds();
    const managedTag = props.managedTag ?? DEFAULT_MANAGED_TAG;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const keyAccounts = [...new Set([stack.account, ...(props.allowedAccounts ?? [])])];
    const organizationId = props.allowedOrganizationId;
    const sweepInterval = props.sweepInterval ?? DEFAULT_SWEEP_INTERVAL;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SQS-managed keys: EventBridge cannot send to a queue encrypted with the AWS-managed KMS key.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const sharedEnvironment = {
      [ENV.tableName]: this.table.tableName,
      [ENV.managedTagKey]: managedTag.key,
      [ENV.managedTagValue]: managedTag.value,
      [ENV.leaseSeconds]: String(LIMITS.leaseSeconds),
    };

    // The workflow steps, each with only what its handler calls.
    const steps = {} as Record<StepFunctionName, ReactorFunction>;
    for (const [name, folder] of Object.entries(STEP_FUNCTIONS) as [StepFunctionName, string][]) {
      const fn = new ReactorFunction(this, `${name}Function`, {
        folder,
        description: STEP_DESCRIPTIONS[name],
        logRetention,
        environment: sharedEnvironment,
      });
      const actions = TABLE_ACTIONS[name];
      if (actions.length > 0) this.table.grant(fn, ...actions);
      steps[name] = fn;
    }

    const keysOfAllowedAccounts = keyAccounts.map((account) =>
      stack.formatArn({ service: 'kms', account, resource: 'key', resourceName: '*' }),
    );
    const resourceArns = {
      instances: stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
      services: stack.formatArn({ service: 'ecs', resource: 'service', resourceName: '*' }),
      dbInstances: stack.formatArn({
        service: 'rds',
        resource: 'db',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      dbClusters: stack.formatArn({
        service: 'rds',
        resource: 'cluster',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      // arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>
      autoScalingGroups: stack.formatArn({
        service: 'autoscaling',
        resource: 'autoScalingGroup',
        resourceName: '*:autoScalingGroupName/*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    };
    const tagCondition = { StringEquals: { [`aws:ResourceTag/${managedTag.key}`]: managedTag.value } };
    const tagWording = `${managedTag.key}=${managedTag.value}`;

    // With an organization, keys of any of its accounts: the account is not known, the owner's organization is.
    const keysOfOrganization = organizationId
      ? stack.formatArn({ service: 'kms', account: '*', resource: 'key', resourceName: '*' })
      : undefined;
    const onCustomerKeys = (actions: string[], conditions?: Record<string, unknown>) => [
      new iam.PolicyStatement({ actions, resources: keysOfAllowedAccounts, conditions }),
      ...(keysOfOrganization
        ? [
            new iam.PolicyStatement({
              actions,
              resources: [keysOfOrganization],
              conditions: { ...conditions, StringEquals: { 'aws:ResourceOrgID': organizationId } },
            }),
          ]
        : []),
    ];
    const customerKeysReason =
      'Customer keys live in the allowed accounts and are known only from the event or the registry, so the key ID ' +
      "cannot be fixed at deploy time; the account part of the ARN is limited to the reactor's allowed accounts" +
      (organizationId ? ', or the owner to the allowed organization (aws:ResourceOrgID).' : '.');

    // Describe-key: keys live in the allowed (customer) accounts and are known only from the event.
    // Notify reads the key too: a grace-period email for a key that is usable already (a late or reordered
    // event) is not sent.
    const describeCustomerKeys: PolicyOptions = {
      statements: onCustomerKeys(['kms:DescribeKey']),
      reason: customerKeysReason,
    };
    for (const step of [steps.DescribeKey, steps.Notify]) {
      attachPolicy(step, 'DescribeCustomerKeys', describeCustomerKeys);
    }

    const describeStatements = [
      new iam.PolicyStatement({ actions: ['ec2:DescribeInstances'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: [resourceArns.services] }),
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBInstances', 'rds:ListTagsForResource'],
        resources: [resourceArns.dbInstances],
      }),
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBClusters', 'rds:ListTagsForResource'],
        resources: [resourceArns.dbClusters],
      }),
      new iam.PolicyStatement({ actions: ['autoscaling:DescribeAutoScalingGroups'], resources: ['*'] }),
    ];
    const describeReason =
      'Read-only describes of the resources registered to a key, whose names are known only at run time: ' +
      'ec2:DescribeInstances and autoscaling:DescribeAutoScalingGroups support no resource-level permission ' +
      '(only "*"); the ECS and RDS describes are ' +
      "limited to this account and region's services, DB instances and DB clusters.";
    const taggedResources = [
      resourceArns.instances,
      resourceArns.services,
      resourceArns.dbInstances,
      resourceArns.dbClusters,
    ];
    const stopStatement = new iam.PolicyStatement({
      actions: ['ec2:StopInstances', 'ecs:UpdateService', 'rds:StopDBInstance', 'rds:StopDBCluster'],
      resources: taggedResources,
      conditions: tagCondition,
    });
    // An Auto Scaling group is stopped by suspending its scaling processes (so it cannot replace the stopped
    // instances) and stopping its instances with ec2:StopInstances above: its instances must carry the
    // managed tag too, which tagging the group with PropagateAtLaunch gives every instance it launches.
    const suspendStatement = new iam.PolicyStatement({
      actions: ['autoscaling:SuspendProcesses'],
      resources: [resourceArns.autoScalingGroups],
      conditions: tagCondition,
    });
    const startStatements = [
      new iam.PolicyStatement({
        actions: ['ec2:StartInstances', 'ecs:UpdateService', 'rds:StartDBInstance', 'rds:StartDBCluster'],
        resources: taggedResources,
        conditions: tagCondition,
      }),
      new iam.PolicyStatement({
        actions: ['autoscaling:ResumeProcesses'],
        resources: [resourceArns.autoScalingGroups],
        conditions: tagCondition,
      }),
      // Starting an instance whose EBS volumes the customer key encrypts makes EC2 create a grant on the key.
      ...onCustomerKeys(['kms:CreateGrant'], { Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
    ];
    const stopReason =
      'Resources are registered to keys at run time, so their IDs are not known at deploy time; every action is limited to this account and region and to resources tagged ' +
      `${tagWording} (aws:ResourceTag condition). No terminate, delete or modify action.`;
    const startReason =
      `${stopReason} kms:CreateGrant is limited to grants for AWS resources (kms:GrantIsForAWSResource), which EC2 ` +
      'needs to start an instance whose volumes the customer key encrypts; the key is known only at run time, in the allowed accounts.';

    for (const step of [steps.StopResources, steps.StartResources, steps.CheckResources]) {
      attachPolicy(step, 'DescribeResources', { statements: describeStatements, reason: describeReason });
    }
    // The check step runs the same convergence as stop and start: it also moves what could not move at the
    // first call (an RDS instance that was backing up, an instance still stopping), so it needs both.
    for (const step of [steps.StopResources, steps.CheckResources]) {
      attachPolicy(step, 'StopTaggedResources', {
        statements: [stopStatement, suspendStatement],
        reason: stopReason,
      });
    }
    for (const step of [steps.StartResources, steps.CheckResources]) {
      attachPolicy(step, 'StartTaggedResources', { statements: startStatements, reason: startReason });
    }

    // Notify (and the sweep's early warnings): SES from the sender address only.
    const allowSending = (fn: ReactorFunction) => {
      fn.addEnvironment(ENV.senderAddress, props.senderAddress);
      fn.addEnvironment(ENV.operatorAddresses, Fn.join(',', [...props.operatorAddresses]));
      attachPolicy(fn, 'SendEmailAsSender', {
        statements: [
          new iam.PolicyStatement({
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
            conditions: { StringEquals: { 'ses:FromAddress': props.senderAddress } },
          }),
        ],
        reason:
          'SES authorises the sender identity, which may be the address or its domain, and in the SES sandbox ' +
          "the recipients' identities too, so the identity is not one fixed ARN; the ses:FromAddress condition pins " +
          'the sender to the configured address, and the identities to this account and region.',
      });
    };
    allowSending(steps.Notify);

    // The workflows.
    const stateMachines = {} as Record<WorkflowDefinition['name'], sfn.StateMachine>;
    for (const workflow of WORKFLOWS) {
      stateMachines[workflow.name] = this.createWorkflow(workflow, steps, graceSeconds, logRetention);
    }
    this.stateMachines = stateMachines;

    // The dispatcher: the rules' target, and the only starter of executions.
    const dispatcher = new ReactorFunction(this, 'DispatcherFunction', {
      folder: DISPATCHER_FUNCTION,
      description:
        'Validates a KMS event, normalises it and starts the matching workflow under a readable name',
      logRetention,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        ...sharedEnvironment,
        [ENV.disableStateMachineArn]: stateMachines.disable.stateMachineArn,
        [ENV.enableStateMachineArn]: stateMachines.enable.stateMachineArn,
        [ENV.allowedAccounts]: Fn.join(',', keyAccounts),
        ...(organizationId ? { [ENV.allowedOrganization]: organizationId } : {}),
      },
    });
    stateMachines.disable.grantStartExecution(dispatcher);
    stateMachines.enable.grantStartExecution(dispatcher);
    this.functions = { ...steps, Dispatcher: dispatcher };

    // The same rules on the default bus (keys in this account) and on the platform bus, which customer
    // accounts forward their keys' events to (CustomerKeyForwarder); the dispatcher checks accounts again.
    this.platformBus = new PlatformEventBus(this, 'PlatformBus', {
      customerAccounts: (props.allowedAccounts ?? []).filter((account) => account !== stack.account),
      organizationId,
    });
    const buses: readonly [string, events.IEventBus | undefined][] = [
      ['', undefined],
      ['Platform', this.platformBus.bus],
    ];
    const dispatchRule = (id: string, named: NamedEventPattern, eventBus: events.IEventBus | undefined) =>
      new events.Rule(this, id, {
        description: named.description,
        eventBus,
        eventPattern: toEventPattern(named.pattern),
        targets: [
          new targets.LambdaFunction(dispatcher, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
    this.rules = [
      ...buses.flatMap(([prefix, eventBus]) =>
        KMS_EVENT_PATTERNS.map((named) => dispatchRule(`${prefix}${named.id}Rule`, named, eventBus)),
      ),
      dispatchRule(`Platform${DRIFT_EVENT_PATTERN.id}Rule`, DRIFT_EVENT_PATTERN, this.platformBus.bus),
    ];

    this.sweep = this.createSweep({
      sweepInterval,
      warningDays: props.warningDays,
      logRetention,
      environment: sharedEnvironment,
      describeResources: { statements: describeStatements, reason: describeReason },
      describeKeys: describeCustomerKeys,
      allowSending,
    });

    // Alarms, all to the operators' topic.
    this.topic = new sns.Topic(this, 'OperatorAlarms', {
      displayName: 'Key-lifecycle reactor alarms',
      enforceSSL: true,
      // Not encrypted: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key
      // (its key policy cannot grant CloudWatch), and the alarm messages carry only alarm names and metric
      // values, no customer data. AwsSolutions (cdk-nag 3) has no SNS encryption rule to acknowledge.
    });
    for (const address of props.operatorAddresses) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
    this.alarms = this.createAlarms(stateMachines, dispatcher, this.sweep);
    const alarmAction = new SnsAction(this.topic);
    for (const alarm of this.alarms) alarm.addAlarmAction(alarmAction);
    this.dashboard = new ReactorDashboard(this, 'Dashboard', {
      stateMachines,
      dispatcher,
      sweep: this.sweep,
      deadLetterQueue: this.deadLetterQueue,
      alarms: this.alarms,
    }).dashboard;
  }

  /**
   * The sweep and its schedule. Its asynchronous invocations are not retried: the next scheduled sweep
   * is the retry, and a failed one raises the SweepErrors alarm.
   */
  private createSweep(options: {
    readonly sweepInterval: Duration;
    readonly warningDays?: readonly number[];
    readonly logRetention: logs.RetentionDays;
    readonly environment: Readonly<Record<string, string>>;
    readonly describeResources: PolicyOptions;
    readonly describeKeys: PolicyOptions;
    readonly allowSending: (fn: ReactorFunction) => void;
  }): ReactorFunction {
    // Shorter than the interval, so sweeps do not pile up; at most 5 minutes.
    const timeout = Duration.seconds(Math.min(300, Math.max(50, options.sweepInterval.toSeconds() - 10)));
    const sweep = new ReactorFunction(this, 'SweepFunction', {
      folder: SWEEP_FUNCTION,
      description:
        'Every few minutes: reads every registered key, warns ahead of material expiry and deletion, and puts a drift event for keys whose resources do not match',
      logRetention: options.logRetention,
      timeout,
      memorySize: 512,
      environment: {
        ...options.environment,
        [ENV.eventBusName]: this.platformBus.bus.eventBusName,
        ...(options.warningDays ? { [ENV.warningDays]: options.warningDays.join(',') } : {}),
      },
    });
    this.table.grant(sweep, ...SWEEP_TABLE_ACTIONS);
    attachPolicy(sweep, 'DescribeCustomerKeys', options.describeKeys);
    attachPolicy(sweep, 'DescribeResources', options.describeResources);
    this.platformBus.bus.grantPutEventsTo(sweep);
    options.allowSending(sweep);
    new events.Rule(this, 'SweepSchedule', {
      description: `Runs the sweep every ${inWords(options.sweepInterval.toSeconds())}`,
      schedule: events.Schedule.rate(options.sweepInterval),
      targets: [new targets.LambdaFunction(sweep, { retryAttempts: 0 })],
    });
    return sweep;
  }

  private createWorkflow(
    workflow: WorkflowDefinition,
    steps: Readonly<Record<StepFunctionName, ReactorFunction>>,
    graceSeconds: number,
    logRetention: logs.RetentionDays,
  ): sfn.StateMachine {
    const id = WORKFLOW_IDS[workflow.name];
    const referenced = substitutionsIn(workflow.aslFile);

    const definitionSubstitutions: Record<string, string> = {
      [GRACE_SECONDS_VARIABLE]: String(graceSeconds),
    };
    const invoked: ReactorFunction[] = [];
    for (const [name, fn] of Object.entries(steps) as [StepFunctionName, ReactorFunction][]) {
      const variable = functionArnVariable(name);
      definitionSubstitutions[variable] = fn.functionArn;
      if (referenced.has(variable)) invoked.push(fn);
    }
    const unknown = [...referenced].filter((variable) => !(variable in definitionSubstitutions));
    if (unknown.length > 0) {
      throw new Error(
        `KeyLifecycleReactor: ${path.relative(ROOT_DIR, workflow.aslFile)} uses ${unknown.map((v) => `\${${v}}`).join(', ')}, ` +
          'which no function in STEP_FUNCTIONS (lib/catalog.ts) provides; add the function there or fix the name.',
      );
    }

    // Under /aws/vendedlogs/ so Step Functions does not add each group to the account's CloudWatch Logs
    // resource policy (which has a size limit). The construct's unique name tells two reactors apart, and
    // the stack ID's UUID changes with every stack creation, so a retained group never blocks a redeployment.
    const uniqueName = Names.uniqueResourceName(this, { maxLength: 96, separator: '-' });
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${uniqueName}-${id}-${stackUuid}`,
      retention: logRetention,
    });
    const stateMachine = new sfn.StateMachine(this, id, {
      definitionBody: sfn.DefinitionBody.fromFile(workflow.aslFile),
      definitionSubstitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    for (const fn of invoked) fn.grantInvoke(stateMachine);

    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by the CDK for logging and tracing: the CloudWatch Logs delivery actions (CreateLogDelivery and ' +
        'its siblings) and X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* support no resource-level permission.',
    });
    for (const fn of invoked) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          `grantInvoke also covers the versions and aliases of ${fn.node.id} (":*"); it has none, and the ` +
          'workflow invokes its unqualified ARN. The workflow may invoke only the functions its ASL file names.',
      });
    }
    return stateMachine;
  }

  private createAlarms(
    stateMachines: Readonly<Record<WorkflowDefinition['name'], sfn.StateMachine>>,
    dispatcher: ReactorFunction,
    sweep: ReactorFunction,
  ): cloudwatch.Alarm[] {
    const period = Duration.minutes(5);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, id, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    const alarms: cloudwatch.Alarm[] = [];
    for (const workflow of WORKFLOWS) {
      const id = WORKFLOW_IDS[workflow.name];
      const stateMachine = stateMachines[workflow.name];
      alarms.push(
        alarm(
          `${id}ExecutionsFailed`,
          stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
          `A ${id} execution failed: its last steps recorded the failure and emailed the operators. ` +
            'Open the execution in the Step Functions console.',
        ),
        alarm(
          `${id}ExecutionsTimedOut`,
          stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
          `A ${id} execution timed out before it could record an outcome or email anyone.`,
        ),
        alarm(
          `${id}ExecutionsAborted`,
          stateMachine.metricAborted({ period, statistic: cloudwatch.Stats.SUM }),
          `A ${id} execution was stopped by hand; the key lease may stay taken until it expires.`,
        ),
        alarm(
          `${id}ExecutionsThrottled`,
          stateMachine.metricThrottled({ period, statistic: cloudwatch.Stats.SUM }),
          `Step Functions throttled ${id}: executions or their state transitions were delayed or refused ` +
            '(check the Step Functions quotas of the account and Region).',
        ),
      );
    }
    alarms.push(
      alarm(
        'DeadLetterQueueNotEmpty',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        'A KMS event could not be delivered to the dispatcher, or the dispatcher failed it every time. ' +
          'Read the message in the dead-letter queue; the periodic sweep will also catch the key.',
      ),
      alarm(
        'DispatcherErrors',
        dispatcher.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        'The dispatcher failed on a KMS event (EventBridge and Lambda retry it; repeated failures end in the dead-letter queue).',
      ),
      alarm(
        'KeysUnreadable',
        new cloudwatch.Metric({
          namespace: POWERTOOLS_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE,
          metricName: 'KeysUnreadable',
          dimensionsMap: { service: POWERTOOLS_ENVIRONMENT.POWERTOOLS_SERVICE_NAME },
          period,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        'The sweep may not describe a registered key (AccessDenied): the customer may have changed the key ' +
          'policy, which the reactor does not treat as the key being unusable. The sweep log names the key.',
      ),
      alarm(
        'SweepErrors',
        sweep.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        'The sweep could not check every key, or EventBridge refused a drift event: its log says which keys. ' +
          'The next sweep tries again.',
      ),
    );
    return alarms;
  }
}

/** Fails at synth time on a prop that cannot work, naming the prop and the fix. Tokens are not checked. */
function validateProps(props: KeyLifecycleReactorProps): void {
  const fail = (message: string): never => {
    throw new KeyLifecycleReactorPropsError(message);
  };
  const isEmail = (value: string) => Token.isUnresolved(value) || PATTERNS.emailAddress.test(value);

  if (!isEmail(props.senderAddress)) {
    fail(
      `senderAddress "${props.senderAddress}" is not an email address. Set it to the address the reactor sends ` +
        'from, verified in SES in this account and region (for example reactor@example.com).',
    );
  }
  if (!Token.isUnresolved(props.operatorAddresses)) {
    if (props.operatorAddresses.length === 0) {
      fail(
        'operatorAddresses is empty. List at least one operator email address; the alarms and failure emails go there.',
      );
    }
    const invalid = props.operatorAddresses.filter((address) => !isEmail(address));
    if (invalid.length > 0) {
      fail(
        `operatorAddresses has ${invalid.map((address) => `"${address}"`).join(', ')}, which is not an email address. ` +
          'List plain addresses such as ops@example.com.',
      );
    }
  }

  const grace = props.gracePeriod;
  if (grace !== undefined) {
    if (grace.isUnresolved()) {
      fail(
        'gracePeriod must be a concrete Duration (it sets the workflow wait and the lease length at synth time).',
      );
    }
    const seconds = grace.toSeconds({ integral: false });
    if (seconds < 0 || seconds > LIMITS.maxGraceSeconds) {
      fail(
        `gracePeriod is ${inWords(seconds)}; it must be between 0 and 24 hours (for example Duration.minutes(10)).`,
      );
    }
    if (!Number.isInteger(seconds)) {
      fail(`gracePeriod is ${inWords(seconds)}; it must be a whole number of seconds.`);
    }
  }

  const tag = props.managedTag;
  if (tag !== undefined) {
    if (
      !Token.isUnresolved(tag.key) &&
      (!TAG_KEY.test(tag.key) || tag.key.toLowerCase().startsWith('aws:'))
    ) {
      fail(
        `managedTag.key "${tag.key}" is not a valid tag key. Use 1 to 128 letters, digits, spaces or _ . : / = + - @, ` +
          `not starting with "aws:" (the default is "${DEFAULT_MANAGED_TAG.key}").`,
      );
    }
    if (!Token.isUnresolved(tag.value) && !TAG_VALUE.test(tag.value)) {
      fail(
        `managedTag.value "${tag.value}" is not a valid tag value. Use at most 256 letters, digits, spaces or _ . : / = + - @ ` +
          `(the default is "${DEFAULT_MANAGED_TAG.value}").`,
      );
    }
  }

  const organization = props.allowedOrganizationId;
  if (
    organization !== undefined &&
    !Token.isUnresolved(organization) &&
    !PATTERNS.organizationId.test(organization)
  ) {
    fail(
      `allowedOrganizationId "${organization}" is not an AWS Organization ID. It looks like o-a1b2c3d4e5 ` +
        '(aws organizations describe-organization shows it).',
    );
  }

  const interval = props.sweepInterval;
  if (interval !== undefined) {
    if (interval.isUnresolved()) fail('sweepInterval must be a concrete Duration.');
    const seconds = interval.toSeconds({ integral: false });
    if (seconds < 60 || seconds > LIMITS.maxGraceSeconds || seconds % 60 !== 0) {
      fail(
        `sweepInterval is ${inWords(seconds)}; it must be whole minutes from 1 minute to 24 hours (for example Duration.minutes(5)).`,
      );
    }
  }

  const days = props.warningDays;
  if (days !== undefined) {
    if (days.length === 0 || days.some((day) => !Number.isInteger(day) || day < 1 || day > 365)) {
      fail(
        `warningDays is [${days.join(', ')}]; list whole numbers of days from 1 to 365, for example [30, 7, 1].`,
      );
    }
  }

  const accounts = props.allowedAccounts;
  if (accounts !== undefined && !Token.isUnresolved(accounts)) {
    if (accounts.length === 0) {
      fail(
        'allowedAccounts is empty. List the 12-digit accounts whose keys the reactor acts on, or leave it out for this account only.',
      );
    }
    const invalid = accounts.filter(
      (account) => !Token.isUnresolved(account) && !PATTERNS.account.test(account),
    );
    if (invalid.length > 0) {
      fail(
        `allowedAccounts has ${invalid.map((account) => `"${account}"`).join(', ')}; each must be a 12-digit AWS account ID ` +
          '(for example "123456789012", as a string, leading zeros kept).',
      );
    }
  }
}

/** A duration in its largest whole unit, for messages: `25 hours`, `90 minutes`, `1.5 seconds`. */
function inWords(seconds: number): string {
  const [amount, unit] =
    seconds !== 0 && seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds !== 0 && seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** The `${Name}` placeholders an ASL file uses. */
function substitutionsIn(aslFile: string): Set<string> {
  const definition = readFileSync(aslFile, 'utf8');
  return new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1] as string));
}

/** EventBridge's raw JSON pattern in the shape of CDK's EventPattern. */
function toEventPattern(raw: RawEventPattern): events.EventPattern {
  return {
    source: [...raw.source],
    detailType: [...raw['detail-type']],
    ...(raw.detail === undefined ? {} : { detail: { ...raw.detail } }),
  };
}

interface PolicyOptions {
  readonly statements: readonly iam.PolicyStatement[];
  readonly reason: string;
}

/**
 * Attaches statements to a function's role as a named policy of their own (a child of the function), and
 * acknowledges cdk-nag's wildcard findings for exactly those statements, with the reason beside them.
 */
function attachPolicy(fn: ReactorFunction, id: string, options: PolicyOptions): iam.Policy {
  const policy = new iam.Policy(fn, id, { statements: [...options.statements], roles: [fn.executionRole] });
  const stack = Stack.of(fn);
  const wildcards = new Set(
    options.statements
      .flatMap((statement) => statement.resources)
      .map((resource) => flattenReference(stack.resolve(resource)))
      .filter((resource) => resource.includes('*')),
  );
  for (const resource of wildcards) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: options.reason,
    });
  }
  return policy;
}

/**
 * A resolved CloudFormation value as cdk-nag writes it in a finding ID: `Fn::Join` joined, `Ref` and
 * `Fn::GetAtt` in angle brackets (`arn:<AWS::Partition>:ec2:<AWS::Region>:...`).
 */
function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if ('Fn::Sub' in node) return flattenReference(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
    if ('Fn::ImportValue' in node) return flattenReference(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${flattenReference(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

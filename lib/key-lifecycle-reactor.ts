import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../lambdas/shared/contract';
import type { StepFunctionName, WorkflowDefinition } from './catalog';
import { type KeyRoleDirection, KeyScopedActionRole } from './key-scoped-action-role';
import type { PlatformEventBus } from './platform-bus';
import { createAlarms, createOperatorTopic } from './reactor-alarms';
import { ReactorDashboard } from './reactor-dashboard';
import { forwardCustomerEvents, grantReactorEvents } from './reactor-events';
import type { ReactorFunction } from './reactor-function';
import { createIntake } from './reactor-intake';
import { ReactorPermissions } from './reactor-permissions';
import type { KeyLifecycleReactorProps } from './reactor-props';
import { settingsOf } from './reactor-settings';
import { createSteps, sharedEnvironment } from './reactor-steps';
import { createSweep } from './reactor-sweep';
import { createWorkflows } from './reactor-workflows';

export {
  type KeyLifecycleReactorProps,
  KeyLifecycleReactorPropsError,
  type ManagedTag,
} from './reactor-props';

/**
 * The key-lifecycle reactor: EventBridge rules on the default bus (this account's keys) and on the
 * platform bus (keys of customer accounts, forwarded by CustomerKeyForwarder) catch KMS key changes, a
 * dispatcher starts the matching Step Functions workflow, and the workflow's Lambda steps stop or start
 * the key's tagged resources and email the administrators. A scheduled sweep catches what the events
 * missed and warns ahead of material expiry and deletion. Creates its table, dead-letter queue, log
 * groups, alarms and alarm topic itself.
 *
 * The builders it delegates to create their resources in this construct's own scope, so every logical
 * ID, and with it every deployed resource, stays where earlier versions put it.
 */
export class KeyLifecycleReactor extends Construct {
  /** The registry, ledger, lease and key-state table. */
  public readonly table: dynamodb.Table;
  /** The two workflows, by name. */
  public readonly stateMachines: Readonly<Record<WorkflowDefinition['name'], sfn.StateMachine>>;
  /** The workflow steps by their name in the ASL files, and the dispatcher. */
  public readonly functions: Readonly<Record<StepFunctionName | 'Dispatcher', ReactorFunction>>;
  /**
   * The roles the stop and start steps assume per key, tagged with the key: the only holders of the stop
   * and start actions, on the resources of the session's key only (key-scoped-action-role.ts).
   */
  public readonly keyRoles: Readonly<Record<KeyRoleDirection, KeyScopedActionRole>>;
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
  /**
   * With `customerEvents`, one rule per customer account on the platform bus, forwarding the reactor's
   * events about that account's keys to its default bus; empty otherwise.
   */
  public readonly customerEventRules: readonly events.Rule[];
  /** Where the alarms and the functions' pages go; every operator address is subscribed. */
  public readonly topic: sns.Topic;
  /**
   * Failed, timed-out, aborted and throttled executions of each workflow, dead-letter queue depth,
   * dispatcher errors, rejected events, sweep errors, a sweep that stopped running, keys the sweep may
   * not read, the circuit breaker tripping, the reactor's own events EventBridge did not take.
   */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Executions, time from key change to outcome, dead-letter queue, dispatcher, alarms. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KeyLifecycleReactorProps) {
    super(scope, id);
    const settings = settingsOf(this, props);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: settings.removalPolicy,
    });
    const environment = sharedEnvironment(this.table, settings);
    // First, so that the functions that page the operators can be told where.
    this.topic = createOperatorTopic(this, settings.operatorAddresses);
    const permissions = new ReactorPermissions(this, this.table, settings, this.topic);

    const steps = createSteps(this, { settings, environment, permissions });
    this.keyRoles = {
      stop: new KeyScopedActionRole(this, 'StopResourcesKeyRole', {
        direction: 'stop',
        step: steps.StopResources,
      }),
      start: new KeyScopedActionRole(this, 'StartResourcesKeyRole', {
        direction: 'start',
        step: steps.StartResources,
      }),
    };
    permissions.grantKeyRole('stop', this.keyRoles.stop);
    permissions.grantKeyRole('start', this.keyRoles.start);
    this.stateMachines = createWorkflows(this, {
      steps,
      graceSeconds: settings.graceSeconds,
      logRetention: settings.logRetention,
    });

    const intake = createIntake(this, { settings, environment, stateMachines: this.stateMachines });
    this.deadLetterQueue = intake.deadLetterQueue;
    this.platformBus = intake.platformBus;
    this.rules = intake.rules;
    permissions.grantDispatcher(intake.dispatcher);
    this.functions = { ...steps, Dispatcher: intake.dispatcher };

    this.sweep = createSweep(this, {
      settings,
      environment,
      platformBus: this.platformBus,
      permissions,
      stateMachines: this.stateMachines,
    });
    // The notify step tells every workflow email on the bus too. The sweep puts its drift events, its
    // warnings' and the digest's on the same bus with the one grant reactor-sweep.ts gives it.
    grantReactorEvents(this.platformBus, [steps.Notify]);
    this.customerEventRules = settings.customerEvents
      ? forwardCustomerEvents(this, this.platformBus, settings.customerAccounts)
      : [];

    const { alarms } = createAlarms(this, {
      topic: this.topic,
      stateMachines: this.stateMachines,
      deadLetterQueue: this.deadLetterQueue,
      dispatcher: intake.dispatcher,
      sweep: this.sweep,
      sweepInterval: settings.sweepInterval,
    });
    this.alarms = alarms;
    this.dashboard = new ReactorDashboard(this, 'Dashboard', {
      stateMachines: this.stateMachines,
      dispatcher: intake.dispatcher,
      sweep: this.sweep,
      deadLetterQueue: this.deadLetterQueue,
      alarms,
    }).dashboard;
  }
}

import { Duration, Fn } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contract';
import { DISPATCHER_FUNCTION } from './catalog';
import {
  DRIFT_EVENT_PATTERN,
  KMS_EVENT_PATTERNS,
  type NamedEventPattern,
  type RawEventPattern,
} from './event-patterns';
import { PlatformEventBus } from './platform-bus';
import { ReactorFunction } from './reactor-function';
import type { ReactorSettings } from './reactor-settings';
import type { Workflows } from './reactor-workflows';

export interface Intake {
  readonly deadLetterQueue: sqs.Queue;
  readonly dispatcher: ReactorFunction;
  readonly platformBus: PlatformEventBus;
  readonly rules: readonly events.Rule[];
}

/**
 * How KMS events reach the workflows: the same rules on the default bus (keys in this account) and on
 * the platform bus, which customer accounts forward their keys' events to (CustomerKeyForwarder), plus
 * the sweep's drift rule on the platform bus; all target the dispatcher, the only starter of executions,
 * which checks accounts again. Undeliverable events end in the dead-letter queue.
 */
export function createIntake(
  scope: Construct,
  options: {
    readonly settings: ReactorSettings;
    readonly environment: Readonly<Record<string, string>>;
    readonly stateMachines: Workflows;
  },
): Intake {
  const { settings, stateMachines } = options;
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    // SQS-managed keys: EventBridge cannot send to a queue encrypted with the AWS-managed KMS key.
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const dispatcher = new ReactorFunction(scope, 'DispatcherFunction', {
    folder: DISPATCHER_FUNCTION,
    description:
      'Validates a KMS event, normalises it and starts the matching workflow under a readable name',
    logRetention: settings.logRetention,
    timeout: Duration.seconds(30),
    deadLetterQueue,
    environment: {
      ...options.environment,
      [ENV.disableStateMachineArn]: stateMachines.disable.stateMachineArn,
      [ENV.enableStateMachineArn]: stateMachines.enable.stateMachineArn,
      [ENV.allowedAccounts]: Fn.join(',', [...settings.keyAccounts]),
      ...(settings.organizationId ? { [ENV.allowedOrganization]: settings.organizationId } : {}),
    },
  });
  stateMachines.disable.grantStartExecution(dispatcher);
  stateMachines.enable.grantStartExecution(dispatcher);

  const platformBus = new PlatformEventBus(scope, 'PlatformBus', {
    customerAccounts: settings.customerAccounts,
    organizationId: settings.organizationId,
  });
  const dispatchRule = (id: string, named: NamedEventPattern, eventBus: events.IEventBus | undefined) =>
    new events.Rule(scope, id, {
      description: named.description,
      eventBus,
      eventPattern: toEventPattern(named.pattern),
      targets: [
        new targets.LambdaFunction(dispatcher, {
          deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  const buses: readonly [string, events.IEventBus | undefined][] = [
    ['', undefined],
    ['Platform', platformBus.bus],
  ];
  const rules = [
    ...buses.flatMap(([prefix, eventBus]) =>
      KMS_EVENT_PATTERNS.map((named) => dispatchRule(`${prefix}${named.id}Rule`, named, eventBus)),
    ),
    dispatchRule(`Platform${DRIFT_EVENT_PATTERN.id}Rule`, DRIFT_EVENT_PATTERN, platformBus.bus),
  ];
  return { deadLetterQueue, dispatcher, platformBus, rules };
}

/** EventBridge's raw JSON pattern in the shape of CDK's EventPattern. */
function toEventPattern(raw: RawEventPattern): events.EventPattern {
  return {
    source: [...raw.source],
    detailType: [...raw['detail-type']],
    ...(raw.detail === undefined ? {} : { detail: { ...raw.detail } }),
  };
}

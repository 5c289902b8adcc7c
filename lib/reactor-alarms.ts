import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, NOT_PUBLISHED_METRIC, SERVICE_NAME } from '../lambdas/shared/contract';
import { WORKFLOWS } from './catalog';
import { WORKFLOW_IDS, type Workflows } from './reactor-workflows';

/** Alarms look at 5-minute periods: the dashboard graphs aggregate over the same. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface ReactorAlarms {
  readonly topic: sns.Topic;
  readonly alarms: readonly cloudwatch.Alarm[];
}

/** Sweep periods without an invocation before the sweep counts as not running. */
export const SWEEP_MISSED_INTERVALS = 3;

/**
 * The operators' topic, every operator subscribed: the alarms publish to it, and the functions page it
 * when email cannot reach someone (NOTIFICATION_TOPIC_ARN), a channel that does not depend on SES.
 */
export function createOperatorTopic(scope: Construct, operatorAddresses: readonly string[]): sns.Topic {
  const topic = new sns.Topic(scope, 'OperatorAlarms', {
    displayName: 'Key-lifecycle reactor alarms',
    enforceSSL: true,
    // Not encrypted: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key
    // (its key policy cannot grant CloudWatch), and the alarm messages carry only alarm names and metric
    // values, no customer data; the pages carry an email the operators would have received anyway.
    // AwsSolutions (cdk-nag 3) has no SNS encryption rule to acknowledge.
  });
  for (const address of operatorAddresses) {
    topic.addSubscription(new subscriptions.EmailSubscription(address));
  }
  return topic;
}

/**
 * The alarms that publish to the operators' topic: failed, timed-out, aborted and throttled executions
 * of each workflow, dead-letter queue depth, dispatcher errors, events the dispatcher rejected, keys the
 * sweep may not read, sweep errors, a sweep that has stopped running, and the circuit breaker tripping.
 * Each fires on the first occurrence.
 */
export function createAlarms(
  scope: Construct,
  options: {
    readonly topic: sns.Topic;
    readonly stateMachines: Workflows;
    readonly deadLetterQueue: sqs.IQueue;
    readonly dispatcher: lambda.IFunction;
    readonly sweep: lambda.IFunction;
    /** How often the sweep runs: the period of the alarm that says it has stopped. */
    readonly sweepInterval: Duration;
  },
): ReactorAlarms {
  const { topic } = options;

  const period = ALARM_PERIOD;
  const sum = { period, statistic: cloudwatch.Stats.SUM };
  const reactorMetric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      period,
      statistic: cloudwatch.Stats.SUM,
    });
  const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
    new cloudwatch.Alarm(scope, id, {
      metric,
      alarmDescription: description,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

  const alarms = WORKFLOWS.flatMap((workflow) => {
    const id = WORKFLOW_IDS[workflow.name];
    const stateMachine = options.stateMachines[workflow.name];
    return [
      alarm(
        `${id}ExecutionsFailed`,
        stateMachine.metricFailed(sum),
        `A ${id} execution failed: its last steps recorded the failure and emailed the operators. ` +
          'Open the execution in the Step Functions console.',
      ),
      alarm(
        `${id}ExecutionsTimedOut`,
        stateMachine.metricTimedOut(sum),
        `A ${id} execution ran past the workflow's TimeoutSeconds and was ended before it could record an ` +
          'outcome or email anyone; its lease is taken over by the next run, and the sweep retries the key.',
      ),
      alarm(
        `${id}ExecutionsAborted`,
        stateMachine.metricAborted(sum),
        `A ${id} execution was stopped by hand; its lease is taken over by the next run of the key.`,
      ),
      alarm(
        `${id}ExecutionsThrottled`,
        stateMachine.metricThrottled(sum),
        `Step Functions throttled ${id}: executions or their state transitions were delayed or refused ` +
          '(check the Step Functions quotas of the account and Region).',
      ),
    ];
  });
  alarms.push(
    alarm(
      'DeadLetterQueueNotEmpty',
      options.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'A KMS event could not be delivered to the dispatcher, or the dispatcher failed it every time. ' +
        'Read the message in the dead-letter queue; the periodic sweep will also catch the key. ' +
        'docs/operating.md shows how to redrive it.',
    ),
    alarm(
      'DispatcherErrors',
      options.dispatcher.metricErrors(sum),
      'The dispatcher failed on a KMS event (EventBridge and Lambda retry it; repeated failures end in the dead-letter queue).',
    ),
    alarm(
      'KeysUnreadable',
      reactorMetric('KeysUnreadable').with({ statistic: cloudwatch.Stats.MAXIMUM }),
      'KMS cannot find a registered key and nothing shows it was deleted: a wrong Region or account, or a ' +
        'table restored elsewhere. Nothing stops for it. The sweep log names the key.',
    ),
    alarm(
      'KmsOutages',
      reactorMetric('KmsOutages'),
      'KMS could not be asked whether a key is usable (throttling, KMS errors, timeouts, a disconnected custom ' +
        'key store): an outage, not a revocation, so nothing stops. The next check decides; the log names the key.',
    ),
    alarm(
      'EventsRejected',
      reactorMetric('EventsRejected'),
      'The dispatcher refused a KMS event: malformed, about a key of an account that is not allowed, or forged. ' +
        'Its log line "Event rejected" gives the reason and the event ID.',
    ),
    alarm(
      'ReactorEventsNotPublished',
      reactorMetric(NOT_PUBLISHED_METRIC),
      "EventBridge did not take some of the reactor's own events (for pagers, chats and customers): " +
        'the emails still went, and no stop or start waited on it. The notify or sweep log line ' +
        '"Reactor events not published" says why.',
    ),
    alarm(
      'BreakerTripped',
      reactorMetric('BreakerTripped'),
      'More keys turned unusable within an hour than the circuit breaker allows: new shutdowns wait as ' +
        'alert-only until an operator runs `key-reactor resume` (docs/operating.md).',
    ),
    new cloudwatch.Alarm(scope, 'SweepNotRunning', {
      metric: options.sweep.metricInvocations({
        period: options.sweepInterval,
        statistic: cloudwatch.Stats.SUM,
      }),
      alarmDescription:
        `The sweep has not run for ${SWEEP_MISSED_INTERVALS} of its intervals: missed events and drift go ` +
        'unnoticed. Check its schedule rule (enabled?) and the function (throttled, deleted?).',
      threshold: 1,
      evaluationPeriods: SWEEP_MISSED_INTERVALS,
      datapointsToAlarm: SWEEP_MISSED_INTERVALS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No invocation means no data point at all: that is the very thing to alarm on.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
    alarm(
      'SweepErrors',
      options.sweep.metricErrors(sum),
      'The sweep could not check every key, or EventBridge refused a drift event: its log says which keys. ' +
        'The next sweep tries again.',
    ),
  );

  const action = new SnsAction(topic);
  for (const each of alarms) each.addAlarmAction(action);
  return { topic, alarms };
}

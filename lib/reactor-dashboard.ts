import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/contract';
import type { WorkflowDefinition } from './catalog';
import { ALARM_PERIOD } from './reactor-alarms';

export interface ReactorDashboardProps {
  /** The two workflows, by name: their executions started, succeeded and failed. */
  readonly stateMachines: Readonly<Record<WorkflowDefinition['name'], sfn.IStateMachine>>;
  /** The dispatcher: its errors, and the events it accepted, rejected or found duplicated. */
  readonly dispatcher: lambda.IFunction;
  /** The scheduled sweep: keys read, drift found, warnings sent, and its own errors and duration. */
  readonly sweep: lambda.IFunction;
  /** The dead-letter queue of the rules and the dispatcher: its depth. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The reactor's alarms, shown in one status widget. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /**
   * How far back the graphs look when the dashboard opens.
   * @default - the last 7 days
   */
  readonly defaultRange?: string;
}

/** Graphs aggregate over the alarms' period, so a graph shows what an alarm saw. */
const PERIOD = ALARM_PERIOD;

/** Widget heights and widths on CloudWatch's 24-column grid. */
const GRAPH = { width: 12, height: 6 } as const;
const SMALL_GRAPH = { width: 8, height: 6 } as const;

const WORKFLOW_TITLES: Readonly<Record<WorkflowDefinition['name'], string>> = {
  disable: 'Key-disabled workflow: executions',
  enable: 'Key-enabled workflow: executions',
};

/**
 * One CloudWatch dashboard for the reactor: executions of each workflow, how long a key change takes to
 * reach the resources (`SecondsToShutdown`, `SecondsToRestore`, emitted by the ledger step), the
 * dead-letter queue, the dispatcher, and the state of every alarm. CloudFormation names it, so two
 * reactors in one account never clash.
 */
export class ReactorDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ReactorDashboardProps) {
    super(scope, id);

    const reactorMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        // Powertools Metrics adds the service name as a dimension to every metric it emits.
        dimensionsMap: { service: SERVICE_NAME },
        statistic,
        period: PERIOD,
        label,
      });
    const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };

    /** A graph whose axes start at zero; the right axis only when it has metrics. */
    const graph = (
      title: string,
      size: { readonly width: number; readonly height: number },
      left: cloudwatch.IMetric[],
      options: { readonly right?: cloudwatch.IMetric[]; readonly leftLabel?: string } = {},
    ) =>
      new cloudwatch.GraphWidget({
        title,
        ...size,
        left,
        leftYAxis: { min: 0, ...(options.leftLabel ? { label: options.leftLabel } : {}), showUnits: false },
        ...(options.right ? { right: options.right, rightYAxis: { min: 0, showUnits: false } } : {}),
      });

    const executions = (['disable', 'enable'] as const).map((name) =>
      graph(
        WORKFLOW_TITLES[name],
        GRAPH,
        [
          props.stateMachines[name].metricStarted({ ...sum, label: 'Started' }),
          props.stateMachines[name].metricSucceeded({ ...sum, label: 'Succeeded' }),
          props.stateMachines[name].metricFailed({ ...sum, label: 'Failed' }),
        ],
        { leftLabel: 'Executions' },
      ),
    );

    const timeTo = (title: string, metricName: string) =>
      graph(
        title,
        GRAPH,
        [
          reactorMetric(metricName, cloudwatch.Stats.AVERAGE, 'Average'),
          reactorMetric(metricName, cloudwatch.Stats.MAXIMUM, 'Longest'),
        ],
        { leftLabel: 'Seconds' },
      );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      start: props.defaultRange ?? '-P7D',
      periodOverride: cloudwatch.PeriodOverride.AUTO,
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown:
              '## Key-lifecycle reactor\n' +
              'When a customer key becomes unusable, its services and then its servers stop after the grace ' +
              'period; when it is usable again, they start. Times below run from the key change (the CloudTrail ' +
              'event time) to the last resource stopped or started, grace period included. Each execution is ' +
              'in the Step Functions console, named `disable-<key>-<time>-<event>` or `enable-...`.',
            width: 24,
            height: 3,
          }),
        ],
        executions,
        [
          timeTo('Time from key change to resources stopped', 'SecondsToShutdown'),
          timeTo('Time from key change to service restored', 'SecondsToRestore'),
        ],
        [
          graph('Dead-letter queue depth', SMALL_GRAPH, [
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'Messages waiting',
            }),
          ]),
          graph('Dispatcher errors', SMALL_GRAPH, [
            props.dispatcher.metricErrors({ ...sum, label: 'Errors' }),
            props.dispatcher.metricThrottles({ ...sum, label: 'Throttles' }),
          ]),
          graph(
            'Key events and resources',
            SMALL_GRAPH,
            [
              reactorMetric('ExecutionsStarted', cloudwatch.Stats.SUM, 'Events that started a workflow'),
              reactorMetric('DuplicateEvents', cloudwatch.Stats.SUM, 'Duplicate events'),
              reactorMetric('EventsRejected', cloudwatch.Stats.SUM, 'Events rejected'),
            ],
            {
              right: [
                reactorMetric('ResourcesStopped', cloudwatch.Stats.SUM, 'Resources stopped'),
                reactorMetric('ResourcesStarted', cloudwatch.Stats.SUM, 'Resources started'),
              ],
            },
          ),
        ],
        [
          graph('Sweep: what it found', GRAPH, [
            reactorMetric('KeysSwept', cloudwatch.Stats.MAXIMUM, 'Keys read'),
            reactorMetric('DriftDetected', cloudwatch.Stats.SUM, 'Keys out of line (drift events)'),
            reactorMetric('KeysUnreadable', cloudwatch.Stats.MAXIMUM, 'Keys the platform may not read'),
            reactorMetric('WarningsSent', cloudwatch.Stats.SUM, 'Early warnings sent'),
            // A count of what is unprotected now, not of what was reported: it falls once adopted.
            reactorMetric(
              'UnprotectedResources',
              cloudwatch.Stats.MAXIMUM,
              'Resources encrypted with a key, not tagged for it',
            ),
          ]),
          graph(
            'Sweep: errors and duration',
            GRAPH,
            [props.sweep.metricErrors({ ...sum, label: 'Failed sweeps' })],
            {
              right: [
                props.sweep.metricDuration({
                  period: PERIOD,
                  statistic: cloudwatch.Stats.MAXIMUM,
                  label: 'Longest sweep (ms)',
                }),
              ],
            },
          ),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms (each one emails the operators through the alarm topic)',
            alarms: [...props.alarms],
            width: 24,
            height: 4,
          }),
        ],
      ],
    });
  }
}

import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WORKFLOWS } from '../../lib/catalog';
import { KeyLifecycleReactor } from '../../lib/key-lifecycle-reactor';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { cdkApp } from '../support/cdk';

// The dashboard and the alarms, asserted on what the template says (metric names, namespaces and the
// resources they point at, resolved through the constructs), never on hashed logical IDs.

const stack = new Stack(cdkApp(), 'TestStack');
const reactor = new KeyLifecycleReactor(stack, 'Reactor', {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
});
const template = Template.fromStack(stack);

/** A CloudFormation reference as it appears inside the dashboard body once parsed (see dashboardBody). */
const placeholder = (value: unknown): string => `@@${JSON.stringify(value).replace(/"/g, "'")}@@`;
const ref = (token: string): string => placeholder(stack.resolve(token));

type Metric = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly width: number;
  readonly properties: { title?: string; metrics?: Metric[]; alarms?: string[]; markdown?: string };
}

/** The dashboard's JSON body, with each reference (Ref, Fn::GetAtt) replaced by a readable placeholder. */
function dashboardBody(): { widgets: Widget[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const [separator, parts] = body['Fn::Join'];
  return JSON.parse(
    parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join(separator),
  );
}

const widgets = dashboardBody().widgets;
const graph = (title: string): Metric[] => {
  const widget = widgets.find((candidate) => candidate.properties.title === title);
  expect({ title, found: widget !== undefined }).toEqual({ title, found: true });
  return widget?.properties.metrics ?? [];
};
/** A metric line without its rendering options: namespace, name, then dimension name and value pairs. */
const identity = (metric: Metric) => metric.filter((item) => typeof item === 'string');

describe('the reactor dashboard', () => {
  it('is exposed by the construct', () => {
    expect(reactor.dashboard).toBeDefined();
  });

  it.each(WORKFLOWS.map((workflow) => [workflow.name]))(
    'graphs the executions started, succeeded and failed of the %s workflow',
    (name) => {
      const title =
        name === 'disable' ? 'Key-disabled workflow: executions' : 'Key-enabled workflow: executions';
      const arn = ref(reactor.stateMachines[name].stateMachineArn);

      expect(graph(title).map(identity)).toEqual([
        ['AWS/States', 'ExecutionsStarted', 'StateMachineArn', arn],
        ['AWS/States', 'ExecutionsSucceeded', 'StateMachineArn', arn],
        ['AWS/States', 'ExecutionsFailed', 'StateMachineArn', arn],
      ]);
    },
  );

  it.each([
    ['Time from key change to resources stopped', 'SecondsToShutdown'],
    ['Time from key change to service restored', 'SecondsToRestore'],
  ])('graphs "%s" from the ledger step\'s %s metric, average and longest', (title, metricName) => {
    const metrics = graph(title);

    // Powertools Metrics publishes under the namespace and with the service dimension the functions get.
    expect(metrics.map(identity)).toEqual([
      ['KeyLifecycleReactor', metricName, 'service', 'key-lifecycle-reactor'],
      ['KeyLifecycleReactor', metricName, 'service', 'key-lifecycle-reactor'],
    ]);
    expect(metrics.map((metric) => (metric.at(-1) as { stat?: string }).stat ?? 'Average')).toEqual([
      'Average',
      'Maximum',
    ]);
  });

  it('graphs the dead-letter queue depth and the dispatcher errors', () => {
    expect(graph('Dead-letter queue depth').map(identity)).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', ref(reactor.deadLetterQueue.queueName)],
    ]);
    expect(graph('Dispatcher errors').map(identity)).toContainEqual([
      'AWS/Lambda',
      'Errors',
      'FunctionName',
      ref(reactor.functions.Dispatcher.functionName),
    ]);
  });

  it("graphs what the sweep found, from the sweep's own metrics, and its errors", () => {
    expect(graph('Sweep: what it found').map(identity)).toEqual(
      ['KeysSwept', 'DriftDetected', 'KeysUnreadable', 'WarningsSent', 'UnprotectedResources'].map((name) => [
        'KeyLifecycleReactor',
        name,
        'service',
        'key-lifecycle-reactor',
      ]),
    );
    expect(graph('Sweep: errors and duration').map(identity)).toContainEqual([
      'AWS/Lambda',
      'Errors',
      'FunctionName',
      ref(reactor.sweep.functionName),
    ]);
  });

  it('shows the state of every alarm', () => {
    const status = widgets.find((widget) => widget.type === 'alarm');

    expect(status?.properties.alarms?.sort()).toEqual(
      reactor.alarms.map((alarm) => ref(alarm.alarmArn)).sort(),
    );
  });
});

describe('the alarms', () => {
  const topic = stack.resolve(reactor.topic.topicArn);

  it.each(WORKFLOWS.map((workflow) => [workflow.name]))(
    'alarm on throttled executions of the %s workflow, to the operators',
    (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: 'ExecutionThrottled',
        Dimensions: [
          { Name: 'StateMachineArn', Value: stack.resolve(reactor.stateMachines[name].stateMachineArn) },
        ],
        Threshold: 1,
        AlarmActions: [topic],
      });
    },
  );

  it('all go to the operators', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    expect(alarms).toHaveLength(reactor.alarms.length);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
  });
});

describe('the stack outputs', () => {
  it('give the CLI its table and state machines, and name the dashboard', () => {
    // Act
    const reactorStack = new KeyLifecycleReactorStack(cdkApp(), 'KeyLifecycleReactor');
    const outputs = Template.fromStack(reactorStack).toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    const resolve = (token: string) => reactorStack.resolve(token);
    expect(outputs.TableName?.Value).toEqual(resolve(reactorStack.reactor.table.tableName));
    expect(outputs.DisableStateMachineArn?.Value).toEqual(
      resolve(reactorStack.reactor.stateMachines.disable.stateMachineArn),
    );
    expect(outputs.EnableStateMachineArn?.Value).toEqual(
      resolve(reactorStack.reactor.stateMachines.enable.stateMachineArn),
    );
    expect(outputs.DashboardName?.Value).toEqual(resolve(reactorStack.reactor.dashboard.dashboardName));
  });
});

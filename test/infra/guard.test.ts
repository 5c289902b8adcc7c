import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/contract';
import { KeyLifecycleReactor, type KeyLifecycleReactorProps } from '../../lib/key-lifecycle-reactor';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { cdkApp, resourceOf, type Statement } from '../support/cdk';

// Issue 13's bounded blast radius on the CDK side: the circuit breaker's limit (prop, context,
// environment), the alarms that can fire, and the tighter IAM of the stop and start steps.

const REQUIRED_PROPS: KeyLifecycleReactorProps = {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
};

function reactorStack(props: Partial<KeyLifecycleReactorProps> = {}) {
  const stack = new Stack(cdkApp(), 'TestStack');
  const reactor = new KeyLifecycleReactor(stack, 'Reactor', { ...REQUIRED_PROPS, ...props });
  return { stack, reactor, template: Template.fromStack(stack) };
}

/** The statements of the policies attached to one role, by the role's resolved name. */
function statementsOf(template: Template, stack: Stack, roleName: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } }
  >;
  const role = JSON.stringify([stack.resolve(roleName)]);
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === role)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

describe('the circuit breaker limit', () => {
  it('reaches the describe-key step only, and only when set', () => {
    // Act
    const configured = reactorStack({ breakerKeys: 25 });
    const unset = reactorStack();

    // Assess
    const variables = (
      stack: ReturnType<typeof reactorStack>,
      name: keyof KeyLifecycleReactor['functions'],
    ) => resourceOf(stack.template, stack.reactor.functions[name]).Properties.Environment.Variables;
    expect(variables(configured, 'DescribeKey')[ENV.breakerKeys]).toBe('25');
    for (const name of ['Dispatcher', 'StopResources', 'Notify'] as const) {
      expect(variables(configured, name)[ENV.breakerKeys]).toBeUndefined();
    }
    expect(variables(unset, 'DescribeKey')[ENV.breakerKeys]).toBeUndefined();
  });

  it.each([
    ['zero', 0],
    ['negative', -3],
    ['fractional', 2.5],
  ])('rejects a breakerKeys that is %s at synth time, naming the prop and the fix', (_case, breakerKeys) => {
    expect(() => reactorStack({ breakerKeys })).toThrow(
      `KeyLifecycleReactor: breakerKeys is ${breakerKeys}; it must be a whole number of keys, at least 1 (for example 25), or left out for the larger of 10 and 10 % of the registered keys.`,
    );
  });

  it('is read from the CDK context by the stack (-c breakerKeys=40)', () => {
    // Act
    const app = cdkApp({ breakerKeys: '40' });
    const stack = new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');

    // Assess
    const template = Template.fromStack(stack);
    const describeKey = resourceOf(template, stack.reactor.functions.DescribeKey);
    expect(describeKey.Properties.Environment.Variables[ENV.breakerKeys]).toBe('40');
    // What the dead-letter redrive in docs/operating.md reads.
    template.hasOutput('DeadLetterQueueUrl', {
      Value: stack.resolve(stack.reactor.deadLetterQueue.queueUrl),
    });
    template.hasOutput('DispatcherFunctionName', {
      Value: stack.resolve(stack.reactor.functions.Dispatcher.functionName),
    });
  });
});

describe('alarms that can fire', () => {
  const { stack, reactor, template } = reactorStack({ sweepInterval: Duration.minutes(15) });
  const topic = () => stack.resolve(reactor.topic.topicArn);

  it('alarms on the first event the dispatcher rejects', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'KeyLifecycleReactor',
      MetricName: 'EventsRejected',
      Dimensions: [{ Name: 'service', Value: 'key-lifecycle-reactor' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic()],
    });
  });

  it('alarms when the circuit breaker trips', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'KeyLifecycleReactor',
      MetricName: 'BreakerTripped',
      Dimensions: [{ Name: 'service', Value: 'key-lifecycle-reactor' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic()],
    });
  });

  it('alarms when the sweep has not run for three of its intervals, missing data breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(reactor.sweep.functionName) }],
      Statistic: 'Sum',
      Period: 15 * 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topic()],
    });
  });

  it('keeps the sweep alarm within what CloudWatch accepts for the longest sweep interval', () => {
    // A period of a day, three of them: CloudWatch allows an evaluation range of up to 7 days.
    const longest = reactorStack({ sweepInterval: Duration.days(1) });
    longest.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Period: 86400,
      EvaluationPeriods: 3,
    });
  });
});

describe('tighter IAM', () => {
  const { stack, reactor, template } = reactorStack();
  const stepStatements = (name: 'StopResources' | 'StartResources' | 'DescribeKey' | 'Notify') =>
    statementsOf(template, stack, reactor.functions[name].executionRole.roleName);

  it.each(['stop', 'start'] as const)(
    'denies the %s key role any ecs:UpdateService that changes more than the desired count',
    (direction) => {
      const denied = statementsOf(template, stack, reactor.keyRoles[direction].roleName).filter(
        (statement) => statement.Effect === 'Deny' && actionsOf(statement).includes('ecs:UpdateService'),
      );
      expect(denied.map((statement) => statement.Condition)).toEqual(
        [
          'ecs:task-definition',
          'ecs:enable-execute-command',
          'ecs:capacity-provider',
          'ecs:subnet',
          'ecs:enable-service-connect',
          'ecs:enable-vpc-lattice',
        ].map((key) => ({ Null: { [key]: 'false' } })),
      );
      for (const statement of denied) {
        expect(JSON.stringify(statement.Resource)).toContain(':service/*');
      }
    },
  );

  it.each(['StopResources', 'StartResources'] as const)(
    "lets the %s step suspend ECS services' scalable targets only",
    (step) => {
      const register = stepStatements(step).filter((statement) =>
        actionsOf(statement).includes('application-autoscaling:RegisterScalableTarget'),
      );
      expect(register).toHaveLength(1);
      expect(register[0]).toMatchObject({
        Effect: 'Allow',
        Action: 'application-autoscaling:RegisterScalableTarget',
        Condition: {
          StringEquals: {
            'application-autoscaling:service-namespace': 'ecs',
            'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount',
          },
        },
      });
      expect(JSON.stringify(register[0]?.Resource)).toContain(':scalable-target/*');
    },
  );

  it('gives no other function RegisterScalableTarget, and every resource reader DescribeScalableTargets', () => {
    const holders = (action: string) =>
      Object.entries(reactor.functions)
        .filter(([, fn]) =>
          statementsOf(template, stack, fn.executionRole.roleName).some(
            (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action),
          ),
        )
        .map(([name]) => name)
        .sort();
    expect(holders('application-autoscaling:RegisterScalableTarget')).toEqual([
      'StartResources',
      'StopResources',
    ]);
    expect(holders('application-autoscaling:DescribeScalableTargets')).toEqual([
      'StartResources',
      'StopResources',
    ]);
    const sweep = statementsOf(template, stack, reactor.sweep.executionRole.roleName).flatMap(actionsOf);
    expect(sweep).toContain('application-autoscaling:DescribeScalableTargets');
    expect(sweep).not.toContain('application-autoscaling:RegisterScalableTarget');
  });

  it('gives the describe-key step the table actions of the guard', () => {
    const actions = stepStatements('DescribeKey')
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ].sort(),
    );
  });

  it('lets only the step that takes the lease (describe-key) ask whether its holder still runs; the lease step only deletes', () => {
    // Assess: among the workflow steps and the dispatcher (the sweep reads executions for its digest).
    const readers = Object.entries(reactor.functions)
      .filter(([, fn]) =>
        statementsOf(template, stack, fn.executionRole.roleName).some((statement) =>
          actionsOf(statement).includes('states:DescribeExecution'),
        ),
      )
      .map(([name]) => name);
    expect(readers).toEqual(['DescribeKey']);
    const lease = statementsOf(template, stack, reactor.functions.Lease.executionRole.roleName)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));
    expect(lease).toEqual(['dynamodb:DeleteItem']);
  });

  it('keeps an organization-wide CreateGrant to EC2 as well', () => {
    // Act
    const { template: orgTemplate } = reactorStack({ allowedOrganizationId: 'o-a1b2c3d4e5' });

    // Assess
    const grants = Object.values(
      orgTemplate.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { PolicyDocument: { Statement: Statement[] } } }
      >,
    )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => actionsOf(statement).includes('kms:CreateGrant'));
    expect(grants).toHaveLength(2);
    for (const statement of grants) {
      expect(statement.Condition?.StringEquals?.['kms:ViaService']).toEqual({
        'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
      });
    }
    expect(grants[1]?.Condition?.StringEquals?.['aws:ResourceOrgID']).toBe('o-a1b2c3d4e5');
  });

  it('grants no action the handlers never call', () => {
    const all = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { PolicyDocument: { Statement: Statement[] } } }
      >,
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap(actionsOf));
    expect(all).not.toContain('ses:SendRawEmail');
    expect(all).not.toContain('rds:ListTagsForResource');
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DIGEST_REQUEST, DRIFT_DETAIL_TYPE, DRIFT_EVENT_SOURCE, ENV } from '../../lambdas/shared/contract';
import { KeyLifecycleReactor, type KeyLifecycleReactorProps } from '../../lib/key-lifecycle-reactor';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { testApp } from '../support/cdk';

// The sweep: its schedule, its drift rule, and what it may do (read, warn, put drift events; never stop).

const REQUIRED_PROPS: KeyLifecycleReactorProps = {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
};

function reactorStack(props: Partial<KeyLifecycleReactorProps> = {}) {
  const stack = new Stack(testApp(), 'TestStack', { env: { account: '999999999999', region: 'us-east-1' } });
  const reactor = new KeyLifecycleReactor(stack, 'Reactor', { ...REQUIRED_PROPS, ...props });
  return { stack, reactor, template: Template.fromStack(stack) };
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The actions the sweep's role may take, from every policy attached to it. */
function sweepStatements(template: Template, stack: Stack, reactor: KeyLifecycleReactor): Statement[] {
  const role = stack.resolve(reactor.sweep.executionRole.roleName);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([role]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: readonly Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat()).sort();

/** The reactor with its defaults, synthesized once for every test that only reads it. */
const defaults = reactorStack();

describe('the sweep', () => {
  const { stack, reactor, template } = defaults;

  it('runs every 5 minutes by default, without retries (the next sweep is the retry)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          Arn: stack.resolve(reactor.sweep.functionArn),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
  });

  it('puts drift events on the platform bus, where a rule hands them to the dispatcher', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: stack.resolve(reactor.platformBus.bus.eventBusName),
      EventPattern: Match.exact({ source: [DRIFT_EVENT_SOURCE], 'detail-type': [DRIFT_DETAIL_TYPE] }),
      Targets: [Match.objectLike({ Arn: stack.resolve(reactor.functions.Dispatcher.functionArn) })],
    });
    // Not on the default bus: only the sweep sends them, and it sends them to the platform bus.
    const driftRules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties.EventPattern ?? {}).includes(DRIFT_EVENT_SOURCE),
    );
    expect(driftRules).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.eventBusName]: stack.resolve(reactor.platformBus.bus.eventBusName),
        }),
      },
    });
  });

  it('may read keys, resources and the table, claim warnings, email and put events, and never stop or start anything', () => {
    const statements = sweepStatements(template, stack, reactor);
    const actions = actionsOf(statements);
    expect(actions).toEqual(
      expect.arrayContaining([
        'kms:DescribeKey',
        'ec2:DescribeInstances',
        'ecs:DescribeServices',
        'rds:DescribeDBInstances',
        'autoscaling:DescribeAutoScalingGroups',
        'dynamodb:Scan',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'ses:SendEmail',
      ]),
    );
    const changing = actions.filter((action) =>
      /^(ec2:(Stop|Start|Terminate)|ecs:UpdateService|rds:(Stop|Start|Delete)|autoscaling:(Suspend|Resume)|kms:CreateGrant|dynamodb:DeleteItem)/.test(
        action,
      ),
    );
    expect(changing).toEqual([]);
    const putEvents = statements.filter((statement) => actionsOf([statement]).includes('events:PutEvents'));
    expect(putEvents.map((statement) => statement.Resource)).toEqual([
      stack.resolve(reactor.platformBus.bus.eventBusArn),
    ]);
  });

  it('may read what the keys encrypt (the safety net), each where AWS allows by resource, and tag nothing', () => {
    const statements = sweepStatements(template, stack, reactor);
    const resourceOf = (action: string) =>
      statements.filter((statement) => actionsOf([statement]).includes(action)).map((s) => s.Resource);
    const arn = (path: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${path}`]],
    });

    expect(resourceOf('ec2:DescribeVolumes')).toEqual(['*']);
    expect(resourceOf('s3:ListAllMyBuckets')).toEqual(['*']);
    expect(resourceOf('s3:GetEncryptionConfiguration')).toEqual([arn('s3:::*')]);
    expect(resourceOf('elasticache:DescribeReplicationGroups')).toEqual([
      arn('elasticache:us-east-1:999999999999:replicationgroup:*'),
    ]);
    expect(resourceOf('elasticache:DescribeServerlessCaches')).toEqual([
      arn('elasticache:us-east-1:999999999999:serverlesscache:*'),
    ]);
    expect(resourceOf('elasticfilesystem:DescribeFileSystems')).toEqual([
      arn('elasticfilesystem:us-east-1:999999999999:file-system/*'),
    ]);
    expect(actionsOf(statements).filter((action) => /Tag|CreateOrUpdateTags/.test(action))).toEqual([]);
  });

  it("runs the operators' weekly digest on Mondays at 08:00 UTC, with its own input and no retries", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      Targets: [
        Match.objectLike({
          Arn: stack.resolve(reactor.sweep.functionArn),
          Input: JSON.stringify(DIGEST_REQUEST),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
  });

  it('lists the failed runs of the two workflows only, and reads the key materials of customer keys', () => {
    const statements = sweepStatements(template, stack, reactor);
    const listing = statements.filter((statement) =>
      actionsOf([statement]).includes('states:ListExecutions'),
    );
    expect(listing.map((statement) => statement.Action)).toEqual(['states:ListExecutions']);
    expect(listing.map((statement) => statement.Resource)).toEqual([
      [
        stack.resolve(reactor.stateMachines.disable.stateMachineArn),
        stack.resolve(reactor.stateMachines.enable.stateMachineArn),
      ],
    ]);
    expect(actionsOf(statements)).toEqual(
      expect.arrayContaining(['kms:ListKeyRotations', 'states:DescribeExecution']),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.disableStateMachineArn]: stack.resolve(reactor.stateMachines.disable.stateMachineArn),
          [ENV.enableStateMachineArn]: stack.resolve(reactor.stateMachines.enable.stateMachineArn),
        }),
      },
    });
  });

  it('finishes before the next sweep starts', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 290,
      Environment: { Variables: Match.objectLike({ [ENV.eventBusName]: Match.anyValue() }) },
    });
  });

  it('takes its interval and warning thresholds from props', () => {
    const custom = reactorStack({ sweepInterval: Duration.minutes(15), warningDays: [14, 3] }).template;
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.warningDays]: '14,3' }) },
    });
  });

  it('takes them from context too', () => {
    const app = testApp({
      senderAddress: 'reactor@example.com',
      operatorAddresses: 'ops@example.com',
      sweepMinutes: '10',
      warningDays: '60,30,7,1',
    });
    const template = Template.fromStack(new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor'));
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.warningDays]: '60,30,7,1' }) },
    });
  });

  it.each([
    [
      { sweepInterval: Duration.seconds(30) },
      /sweepInterval is 30 seconds; it must be whole minutes from 1 minute/,
    ],
    [{ sweepInterval: Duration.hours(25) }, /sweepInterval is 25 hours/],
    [{ warningDays: [] }, /warningDays is \[\]; list whole numbers of days/],
    [{ warningDays: [30, 0.5] }, /warningDays is \[30, 0.5\]/],
    [{ allowedOrganizationId: 'my-org' }, /allowedOrganizationId "my-org" is not an AWS Organization ID/],
  ])('refuses %o at synth time, saying what to use', (props, message) => {
    expect(() => reactorStack(props as Partial<KeyLifecycleReactorProps>)).toThrow(message);
  });
});

describe('an allowed organization', () => {
  const { template } = reactorStack({ allowedOrganizationId: 'o-a1b2c3d4e5' });

  it("admits the organization's accounts on the platform bus, by aws:PrincipalOrgID", () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'cdk-CustomerOrganization',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    });
  });

  it("lets the dispatcher leave the account check to the bus policy, and the functions read the organization's keys only", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.allowedOrganization]: 'o-a1b2c3d4e5' }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const anyAccountKeys = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(':kms:us-east-1:*:key/*'),
    );
    expect(anyAccountKeys.length).toBeGreaterThan(0);
    for (const statement of anyAccountKeys) {
      expect(statement.Condition).toMatchObject({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
    }
  });

  it('adds no organization statement when none is configured', () => {
    const plain = defaults.template;
    expect(JSON.stringify(plain.toJSON())).not.toContain('aws:PrincipalOrgID');
    expect(JSON.stringify(plain.toJSON())).not.toContain('aws:ResourceOrgID');
  });
});

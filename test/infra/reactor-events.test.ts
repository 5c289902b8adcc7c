import { type App, Arn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENV, NOT_PUBLISHED_METRIC } from '../../lambdas/shared/contract';
import { REACTOR_EVENT_SOURCE } from '../../lambdas/shared/reactor-events';
import { CustomerKeyForwarder } from '../../lib/customer-forwarder';
import { KeyLifecycleReactor, type KeyLifecycleReactorProps } from '../../lib/key-lifecycle-reactor';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { testApp } from '../support/cdk';

// The reactor's own events: who may put them (the notify step and the sweep, on the platform bus only),
// that no rule of the reactor's takes them back (no loop), and the customerEvents rules.

const PLATFORM = '999999999999';
const CUSTOMERS = ['111122223333', '444455556666'];
const REQUIRED_PROPS: KeyLifecycleReactorProps = {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
};

function reactorStack(props: Partial<KeyLifecycleReactorProps> = {}, app: App = testApp()) {
  const stack = new Stack(app, 'TestStack', { env: { account: PLATFORM, region: 'us-east-1' } });
  const reactor = new KeyLifecycleReactor(stack, 'Reactor', { ...REQUIRED_PROPS, ...props });
  return { stack, reactor, template: Template.fromStack(stack) };
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of the policies attached to `roleName` (resolved). */
function statementsOf(template: Template, roleName: unknown): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([roleName]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const putsEvents = (statement: Statement) => [statement.Action].flat().includes('events:PutEvents');

describe('who may put the reactor events', () => {
  const { stack, reactor, template } = reactorStack();
  const busArn = stack.resolve(reactor.platformBus.bus.eventBusArn);
  const functions = { ...reactor.functions, Sweep: reactor.sweep };

  it('the notify step and the sweep, on the platform bus only; no other function', () => {
    const putters = Object.entries(functions).flatMap(([name, fn]) => {
      const statements = statementsOf(template, stack.resolve(fn.executionRole.roleName)).filter(putsEvents);
      return statements.length > 0
        ? [{ name, resources: statements.map((statement) => statement.Resource) }]
        : [];
    });

    expect(putters).toEqual([
      { name: 'Notify', resources: [busArn] },
      { name: 'Sweep', resources: [busArn] },
    ]);
  });

  it('tells the notify step the bus name', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Emails the key administrators'),
      Environment: {
        Variables: Match.objectLike({
          [ENV.eventBusName]: stack.resolve(reactor.platformBus.bus.eventBusName),
        }),
      },
    });
  });

  it('alarms when EventBridge does not take them', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: NOT_PUBLISHED_METRIC,
      Namespace: 'KeyLifecycleReactor',
      AlarmActions: [stack.resolve(reactor.topic.topicArn)],
    });
  });

  it('no rule of the reactor takes its own events back: every rule that starts a run matches other sources', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const dispatching = rules.filter((rule) =>
      JSON.stringify(rule.Properties.Targets ?? []).includes(
        JSON.stringify(stack.resolve(reactor.functions.Dispatcher.functionArn)).slice(1, -1),
      ),
    );
    expect(dispatching).toHaveLength(reactor.rules.length);
    for (const rule of dispatching) {
      const sources: unknown[] = rule.Properties.EventPattern.source;
      expect(sources.length).toBeGreaterThan(0);
      expect(sources).not.toContain(REACTOR_EVENT_SOURCE);
      // Exact values only: a prefix or anything-but would be what lets a loop in.
      for (const source of sources) expect(typeof source).toBe('string');
    }
    expect(reactor.customerEventRules).toEqual([]);
  });
});

describe('customerEvents', () => {
  const { stack, reactor, template } = reactorStack({ allowedAccounts: CUSTOMERS, customerEvents: true });
  const defaultBus = (account: string) =>
    stack.resolve(
      Arn.format({ service: 'events', account, resource: 'event-bus', resourceName: 'default' }, stack),
    );

  it("forwards each customer account's events, and only those, to that account's default bus", () => {
    expect(reactor.customerEventRules).toHaveLength(2);
    for (const account of CUSTOMERS) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: stack.resolve(reactor.platformBus.bus.eventBusName),
        EventPattern: Match.exact({ source: [REACTOR_EVENT_SOURCE], detail: { keyAccount: [account] } }),
        Targets: [Match.objectLike({ Arn: defaultBus(account), RoleArn: Match.anyValue() })],
      });
    }
  });

  it('puts through a role that may put on those default buses and nothing else', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    const [logicalId] = roles[0] as [string, unknown];
    const statements = statementsOf(template, { Ref: logicalId });
    expect(statements).toEqual(
      CUSTOMERS.map((account) => ({
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: defaultBus(account),
      })),
    );
  });

  it('is read from context too', () => {
    const app = testApp({
      senderAddress: 'reactor@example.com',
      operatorAddresses: 'ops@example.com',
      allowedAccounts: CUSTOMERS.join(','),
      customerEvents: 'true',
    });
    const stackFromContext = new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor', {
      env: { account: PLATFORM, region: 'us-east-1' },
    });
    expect(stackFromContext.reactor.customerEventRules).toHaveLength(2);
  });

  it('refuses to forward without the accounts to forward to, saying what to set', () => {
    expect(() => reactorStack({ customerEvents: true, allowedOrganizationId: 'o-a1b2c3d4e5' })).toThrow(
      /customerEvents .* list them in allowedAccounts/,
    );
  });

  it('passes cdk-nag AwsSolutions, as does a forwarder that accepts the events', () => {
    const app = testApp();
    reactorStack({ allowedAccounts: CUSTOMERS, customerEvents: true }, app);
    const customer = new Stack(app, 'Customer', { env: { account: CUSTOMERS[0], region: 'us-east-1' } });
    new CustomerKeyForwarder(customer, 'Forwarder', {
      platformBusArn: `arn:aws:events:us-east-1:${PLATFORM}:event-bus/key-lifecycle-reactor`,
      keyArns: [`arn:aws:kms:us-east-1:${CUSTOMERS[0]}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
      acceptReactorEvents: true,
    });

    const report = new AwsSolutionsChecks().validateScope(app);

    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});

describe("the customer's side", () => {
  const platformBusArn = `arn:aws:events:us-east-1:${PLATFORM}:event-bus/key-lifecycle-reactor`;
  const keyArns = [`arn:aws:kms:us-east-1:${CUSTOMERS[0]}:key/1234abcd-12ab-34cd-56ef-1234567890ab`];

  function forwarder(acceptReactorEvents?: boolean) {
    const stack = new Stack(testApp(), 'Customer', { env: { account: CUSTOMERS[0], region: 'us-east-1' } });
    new CustomerKeyForwarder(stack, 'Forwarder', { platformBusArn, keyArns, acceptReactorEvents });
    return Template.fromStack(stack);
  }

  it("lets the platform's account put key-reactor events on the default bus, and nothing else", () => {
    forwarder(true).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      StatementId: 'KeyReactorEvents',
      Statement: {
        Sid: 'KeyReactorEvents',
        Effect: 'Allow',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${PLATFORM}:root`]] },
        },
        Action: 'events:PutEvents',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-1:${CUSTOMERS[0]}:event-bus/default`],
          ],
        },
        Condition: { StringEquals: { 'events:source': REACTOR_EVENT_SOURCE } },
      },
    });
  });

  it('admits nobody unless asked', () => {
    forwarder().resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

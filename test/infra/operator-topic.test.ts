import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/contract';
import { KeyLifecycleReactor } from '../../lib/key-lifecycle-reactor';
import { testApp } from '../support/cdk';

// The operators' topic as the channel that does not depend on SES: the functions that email may page it,
// and so may the describe-key step, whose circuit breaker pages when it holds shutdowns back; nothing
// else may publish anywhere.

const stack = new Stack(testApp(), 'TestStack', { env: { account: '999999999999', region: 'us-east-1' } });
const reactor = new KeyLifecycleReactor(stack, 'Reactor', {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
});
const template = Template.fromStack(stack);
const topicArn = stack.resolve(reactor.topic.topicArn);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every Allow statement that names sns:Publish, with the roles of its policy. */
function publishStatements() {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sns:')))
      .map((statement) => ({ roles: policy.Properties.Roles as unknown[], statement })),
  );
}

const roleOf = (fn: { executionRole: { roleName: string } }) => stack.resolve(fn.executionRole.roleName);
const variables = (fn: { node: { defaultChild?: unknown } }) =>
  (
    stack.resolve((fn.node.defaultChild as { environment: unknown }).environment) as {
      variables: Record<string, unknown>;
    }
  ).variables;

it('tells the notify step, the describe-key step, the dispatcher and the sweep the operators topic, and no other function', () => {
  const told = Object.entries({ ...reactor.functions, Sweep: reactor.sweep })
    .filter(([, fn]) => ENV.notificationTopicArn in variables(fn))
    .map(([name]) => name);
  expect(told.sort()).toEqual(['DescribeKey', 'Dispatcher', 'Notify', 'Sweep']);
  expect(variables(reactor.functions.Notify)[ENV.notificationTopicArn]).toEqual(topicArn);
  expect(variables(reactor.functions.DescribeKey)[ENV.notificationTopicArn]).toEqual(topicArn);
  expect(variables(reactor.sweep)[ENV.notificationTopicArn]).toEqual(topicArn);
});

it('lets them publish to that topic only, and nothing else to any topic', () => {
  const statements = publishStatements();
  expect(statements.map(({ statement }) => [statement.Action, statement.Resource])).toEqual([
    ['sns:Publish', topicArn],
    ['sns:Publish', topicArn],
    ['sns:Publish', topicArn],
    ['sns:Publish', topicArn],
  ]);
  expect(statements.map(({ roles }) => roles)).toEqual(
    expect.arrayContaining([
      [roleOf(reactor.functions.DescribeKey)],
      [roleOf(reactor.functions.Notify)],
      [roleOf(reactor.sweep)],
      [roleOf(reactor.functions.Dispatcher)],
    ]),
  );
});

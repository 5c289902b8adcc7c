import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KeyLifecycleReactor } from '../../lib/key-lifecycle-reactor';
import { testApp } from '../support/cdk';

// The tag is the registration (issue 14): the functions that decide what a key's resources are read the
// key tags (tag:GetResources, and Auto Scaling groups by tag filter), and only they; reading tags changes
// nothing, and no function may write one.

const stack = new Stack(testApp(), 'TestStack', { env: { account: '999999999999', region: 'us-east-1' } });
const reactor = new KeyLifecycleReactor(stack, 'Reactor', {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
});
const template = Template.fromStack(stack);

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of every policy, with the roles and the name of its policy. */
function statements() {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
      roles: policy.Properties.Roles as unknown[],
      name: String(policy.Properties.PolicyName),
      statement,
      actions: [statement.Action].flat(),
    })),
  );
}

const roleOf = (fn: { executionRole: { roleName: string } }) => stack.resolve(fn.executionRole.roleName);
const functions = { ...reactor.functions, Sweep: reactor.sweep };

it('lets the list, stop, notify and describe-key steps and the sweep read the key tags, and no other function', () => {
  const readers = statements().filter(({ actions }) => actions.includes('tag:GetResources'));
  const roles = new Set(readers.flatMap(({ roles: held }) => held.map((role) => JSON.stringify(role))));
  const holders = Object.entries(functions)
    .filter(([, fn]) => roles.has(JSON.stringify(roleOf(fn))))
    .map(([name]) => name);

  expect(holders.sort()).toEqual(['DescribeKey', 'ListResources', 'Notify', 'StopResources', 'Sweep']);
});

it('reads tags on "*" in its own FindTaggedResources policy, with no condition, and allows no tag write', () => {
  const readers = statements().filter(({ actions }) => actions.includes('tag:GetResources'));
  for (const { statement, actions, name } of readers) {
    expect(name).toContain('FindTaggedResources');
    expect(statement.Effect).toBe('Allow');
    expect([...actions].sort()).toEqual(['autoscaling:DescribeAutoScalingGroups', 'tag:GetResources']);
    expect(statement.Resource).toBe('*');
    expect(statement.Condition).toBeUndefined();
  }
  const writes = statements().flatMap(({ actions }) =>
    actions.filter((action) => /^tag:(Tag|Untag)Resources$|:CreateTags$|:AddTags|:TagResource$/.test(action)),
  );
  expect(writes).toEqual([]);
});

import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_MANAGED_TAG, ENV, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { KeyLifecycleReactor } from '../../lib/key-lifecycle-reactor';
import { cdkApp, resourceOf, type Statement } from '../support/cdk';

// Issue 14's tenant isolation on the CDK side: a role per direction, assumed per key with the key's
// tag, holds every stop and start action, each conditioned on the resource's key tag equalling the
// session's. The steps' own roles keep none of them.

const app = cdkApp();
const stack = new Stack(app, 'TestStack');
const reactor = new KeyLifecycleReactor(stack, 'Reactor', {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com'],
});
const template = Template.fromStack(stack);

type PolicyResource = { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } };
const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>);
const actionsOf = (statement: Statement): string[] => [statement.Action].flat() as string[];

/** Every statement of every policy, with the roles it is attached to. */
const everyStatement = policies.flatMap((policy) =>
  policy.Properties.PolicyDocument.Statement.map((statement) => ({
    roles: JSON.stringify(policy.Properties.Roles),
    statement,
  })),
);
const attachedTo = (role: { roleName: string }) => JSON.stringify([stack.resolve(role.roleName)]);
const statementsOf = (role: { roleName: string }) =>
  everyStatement.filter(({ roles }) => roles === attachedTo(role)).map(({ statement }) => statement);

/** The actions that move a resource down or up: what only a key role may hold. */
const MOVES =
  /^(ec2:(Stop|Start)Instances|ecs:UpdateService|rds:(Stop|Start)DB(Instance|Cluster)|autoscaling:(Suspend|Resume)Processes)$/;

const SAME_KEY = {
  [`aws:ResourceTag/${DEFAULT_MANAGED_TAG.key}`]: DEFAULT_MANAGED_TAG.value,
  [`aws:ResourceTag/${KEY_ARN_TAG}`]: `\${aws:PrincipalTag/${KEY_ARN_TAG}}`,
};

describe.each([
  ['stop', 'StopResources'],
  ['start', 'StartResources'],
] as const)('the %s key role', (direction, step) => {
  const role = reactor.keyRoles[direction];
  const stepRole = reactor.functions[step].executionRole;

  it("is assumed only by its step's role, only with the key tag, shaped like a key ARN, and no other tag", () => {
    const trust = resourceOf(template, role).Properties.AssumeRolePolicyDocument as {
      Statement: Statement[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Principal: { AWS: stack.resolve(stepRole.roleArn) },
        Condition: {
          StringLike: { [`aws:RequestTag/${KEY_ARN_TAG}`]: 'arn:*:kms:*:*:key/*' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY_ARN_TAG] },
        },
      },
    ]);
  });

  it('is what the step may assume and tag, and what its environment names', () => {
    const assume = statementsOf(stepRole).filter((statement) =>
      actionsOf(statement).includes('sts:AssumeRole'),
    );
    expect(assume).toEqual([
      expect.objectContaining({
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: stack.resolve(role.roleArn),
      }),
    ]);
    const variables = resourceOf(template, reactor.functions[step]).Properties.Environment.Variables;
    const name = direction === 'stop' ? ENV.stopKeyRoleArn : ENV.startKeyRoleArn;
    const other = direction === 'stop' ? ENV.startKeyRoleArn : ENV.stopKeyRoleArn;
    expect(variables[name]).toEqual(stack.resolve(role.roleArn));
    expect(variables[other]).toBeUndefined();
  });

  it("allows every action of its direction only on resources of the session's key", () => {
    const allowed = statementsOf(role).filter((statement) => statement.Effect === 'Allow');
    const moving = allowed.filter((statement) => actionsOf(statement).some((action) => MOVES.test(action)));
    const actions = moving.flatMap(actionsOf).sort();
    expect(actions).toEqual(
      direction === 'stop'
        ? [
            'autoscaling:SuspendProcesses',
            'ec2:StopInstances',
            'ecs:UpdateService',
            'rds:StopDBCluster',
            'rds:StopDBInstance',
          ]
        : [
            'autoscaling:ResumeProcesses',
            'ec2:StartInstances',
            'ecs:UpdateService',
            'rds:StartDBCluster',
            'rds:StartDBInstance',
          ],
    );
    for (const statement of moving) expect(statement.Condition).toEqual({ StringEquals: SAME_KEY });
    // Nothing else but the grant EC2 asks for, as the caller of StartInstances, on the start side.
    const rest = allowed.filter((statement) => !moving.includes(statement)).flatMap(actionsOf);
    expect(rest).toEqual(direction === 'start' ? ['kms:CreateGrant'] : []);
  });

  it('keeps the denials of any service update beyond the desired count', () => {
    const denied = statementsOf(role).filter((statement) => statement.Effect === 'Deny');
    expect(denied).toHaveLength(6);
    for (const statement of denied) expect(actionsOf(statement)).toEqual(['ecs:UpdateService']);
  });
});

describe('the other roles', () => {
  it('hold no stop or start action at all: every one sits on a key role, with the key condition', () => {
    const keyRoles = new Set([attachedTo(reactor.keyRoles.stop), attachedTo(reactor.keyRoles.start)]);
    const moving = everyStatement.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' && actionsOf(statement).some((action) => MOVES.test(action)),
    );
    expect(moving.length).toBeGreaterThanOrEqual(4);
    for (const { roles, statement } of moving) {
      expect(keyRoles.has(roles)).toBe(true);
      expect(statement.Condition).toEqual({ StringEquals: SAME_KEY });
    }
  });

  it('leave the steps their reads and the scalable-target suspension, which AWS cannot condition on the key', () => {
    for (const step of ['StopResources', 'StartResources'] as const) {
      const actions = statementsOf(reactor.functions[step].executionRole).flatMap(actionsOf);
      expect(actions).toEqual(
        expect.arrayContaining([
          'ec2:DescribeInstances',
          'ecs:DescribeServices',
          'rds:DescribeDBInstances',
          'application-autoscaling:RegisterScalableTarget',
        ]),
      );
      expect(actions.filter((action) => MOVES.test(action) || action === 'kms:CreateGrant')).toEqual([]);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged on the key roles and their policies', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources
        .filter((resource) => resource.constructPath?.includes('KeyRole'))
        .map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DEFAULT_MANAGED_TAG,
  ENV,
  GRACE_SECONDS_TAG,
  KEY_ARN_TAG,
  LIMITS,
  TABLE_SCHEMA,
} from '../../lambdas/shared/contract';
import { NATIVE_KMS_EVENTS, WATCHED_API_CALLS } from '../../lambdas/shared/model';
import {
  functionArnVariable,
  GRACE_SECONDS_VARIABLE,
  STEP_FUNCTIONS,
  type StepFunctionName,
  WORKFLOWS,
} from '../../lib/catalog';
import { KMS_EVENT_PATTERNS } from '../../lib/event-patterns';
import { KeyLifecycleReactor, type KeyLifecycleReactorProps } from '../../lib/key-lifecycle-reactor';
import { KeyLifecycleReactorStack } from '../../lib/reactor-stack';
import { cdkApp, FEATURE_FLAGS, resourceOf, type Statement, testApp } from '../support/cdk';

// The CLI's context (feature flags and example settings from cdk.json), so the tests synthesize what
// `cdk synth` does. Bundling is skipped except in the one test that proves esbuild bundles every
// function without Docker.

const REQUIRED_PROPS: KeyLifecycleReactorProps = {
  senderAddress: 'reactor@example.com',
  operatorAddresses: ['ops@example.com', 'oncall@example.com'],
};

function reactorStack(props: Partial<KeyLifecycleReactorProps> = {}) {
  const stack = new Stack(cdkApp(), 'TestStack');
  const reactor = new KeyLifecycleReactor(stack, 'Reactor', { ...REQUIRED_PROPS, ...props });
  return { stack, reactor, template: Template.fromStack(stack) };
}

/** What the stack resolves a token to, so assertions never spell out a hashed logical ID. */
const resolved = (stack: Stack, value: unknown): unknown => stack.resolve(value);

/** Every Allow statement of every AWS::IAM::Policy, with the policy's logical ID for failure messages. */
function allowStatements(template: Template): { policy: string; statement: Statement; actions: string[] }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.entries(policies).flatMap(([policy, resource]) =>
    resource.Properties.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Allow').map(
      (statement) => ({
        policy,
        statement,
        actions: Array.isArray(statement.Action) ? statement.Action : [statement.Action],
      }),
    ),
  );
}

/** The roles an AWS::IAM::Policy of the template is attached to. */
const rolesOf = (template: Template, policy: string): unknown[] =>
  template.toJSON().Resources[policy].Properties.Roles;

/** The `${Name}` placeholders an ASL file uses. */
function placeholdersIn(aslFile: string): string[] {
  return [
    ...new Set(
      [...readFileSync(aslFile, 'utf8').matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] as string),
    ),
  ];
}

describe('KeyLifecycleReactor with the required props only', () => {
  const { stack, reactor, template } = reactorStack();

  describe('event intake', () => {
    it('creates one rule per KMS_EVENT_PATTERNS entry on the default bus and on the platform bus, with exactly that pattern', () => {
      // Assess: those, the drift rule, the sweep's schedule and the weekly digest's
      const rules = template.findResources('AWS::Events::Rule');
      expect(Object.keys(rules)).toHaveLength(2 * KMS_EVENT_PATTERNS.length + 3);
      for (const named of KMS_EVENT_PATTERNS) {
        const pattern = Match.exact(JSON.parse(JSON.stringify(named.pattern)));
        template.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: pattern,
          EventBusName: Match.absent(),
        });
        template.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: pattern,
          EventBusName: Match.anyValue(),
        });
      }
    });

    it('matches the KMS API calls that change a key or the access to it only when they succeeded (no errorCode)', () => {
      // Prepare
      const apiCallRules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
        rule.Properties.EventPattern?.['detail-type'].includes('AWS API Call via CloudTrail'),
      );

      // Assess: one on each bus
      expect(apiCallRules).toHaveLength(2);
      for (const rule of apiCallRules) {
        const { source, detail } = rule.Properties.EventPattern;
        expect(source).toEqual(['aws.kms']);
        expect(rule.Properties.EventPattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
        expect(detail.eventSource).toEqual(['kms.amazonaws.com']);
        expect(detail.errorCode).toEqual([{ exists: false }]);
        expect([...detail.eventName].sort()).toEqual([...WATCHED_API_CALLS].sort());
      }
      expect([...WATCHED_API_CALLS].sort()).toEqual(
        [
          'CancelKeyDeletion',
          'DeleteImportedKeyMaterial',
          'DisableKey',
          'EnableKey',
          'ImportKeyMaterial',
          'ScheduleKeyDeletion',
          // The calls that can revoke the platform's access while the key stays Enabled (issue 15).
          'PutKeyPolicy',
          'RevokeGrant',
          'RetireGrant',
          'DisconnectCustomKeyStore',
        ].sort(),
      );
    });

    it("matches KMS's two native events by detail-type", () => {
      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.exact({
          source: ['aws.kms'],
          'detail-type': ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'],
        }),
      });
      expect(NATIVE_KMS_EVENTS).toHaveLength(2);
    });

    it('targets the dispatcher from every rule, with a retry policy and the dead-letter queue', () => {
      // Assess
      const dispatcherArn = resolved(stack, reactor.functions.Dispatcher.functionArn);
      const queueArn = resolved(stack, reactor.deadLetterQueue.queueArn);
      const eventRules = Object.values(template.findResources('AWS::Events::Rule')).filter(
        (rule) => rule.Properties.EventPattern !== undefined,
      );
      expect(eventRules).toHaveLength(reactor.rules.length);
      for (const rule of eventRules) {
        expect(rule.Properties.Targets).toEqual([
          expect.objectContaining({
            Arn: dispatcherArn,
            DeadLetterConfig: { Arn: queueArn },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          }),
        ]);
      }
    });

    it("sends the dispatcher's failed asynchronous invocations to the same queue", () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        DeadLetterConfig: { TargetArn: resolved(stack, reactor.deadLetterQueue.queueArn) },
        Environment: { Variables: Match.objectLike({ [ENV.disableStateMachineArn]: Match.anyValue() }) },
      });
    });

    it('lets EventBridge, and only over TLS, write to the encrypted dead-letter queue', () => {
      // Assess
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
            }),
          ]),
        },
      });
    });
  });

  describe('workflows', () => {
    it('creates two Standard state machines, named by CloudFormation, logging ALL with execution data, traced', () => {
      // Assess
      const machines = template.findResources('AWS::StepFunctions::StateMachine');
      expect(Object.keys(machines)).toHaveLength(WORKFLOWS.length);
      for (const machine of Object.values(machines)) {
        expect(machine.Properties).toEqual(
          expect.objectContaining({
            StateMachineType: 'STANDARD',
            LoggingConfiguration: expect.objectContaining({ Level: 'ALL', IncludeExecutionData: true }),
            TracingConfiguration: { Enabled: true },
          }),
        );
        expect(machine.Properties.StateMachineName).toBeUndefined();
      }
      expect(Object.keys(reactor.stateMachines).sort()).toEqual(['disable', 'enable']);
      expect(reactor.stateMachines.disable.node.id).toBe('KeyDisabledWorkflow');
      expect(reactor.stateMachines.enable.node.id).toBe('KeyEnabledWorkflow');
    });

    it.each(WORKFLOWS.map((workflow) => [workflow.name, workflow]))(
      'substitutes every placeholder the %s ASL file uses',
      (name, workflow) => {
        // Prepare
        const placeholders = placeholdersIn(workflow.aslFile);
        expect(placeholders.length).toBeGreaterThan(0);

        // Assess
        const machine = reactor.stateMachines[name];
        const cfn = resourceOf(template, machine);
        const substitutions = cfn.Properties.DefinitionSubstitutions as Record<string, unknown>;
        for (const placeholder of placeholders) expect(substitutions).toHaveProperty([placeholder]);
        expect(substitutions[GRACE_SECONDS_VARIABLE]).toBe('600');
        for (const stepName of Object.keys(STEP_FUNCTIONS) as StepFunctionName[]) {
          expect(substitutions[functionArnVariable(stepName)]).toEqual(
            resolved(stack, reactor.functions[stepName].functionArn),
          );
        }
      },
    );

    it.each(WORKFLOWS.map((workflow) => [workflow.name, workflow]))(
      'lets the %s workflow invoke exactly the functions its ASL file names',
      (name, workflow) => {
        // Prepare
        const placeholders = new Set(placeholdersIn(workflow.aslFile));
        const stepNames = Object.keys(STEP_FUNCTIONS) as StepFunctionName[];
        const expected = stepNames.filter((stepName) => placeholders.has(functionArnVariable(stepName)));
        const roleRef = resolved(stack, reactor.stateMachines[name].role.roleName);

        // Act
        const invokable = allowStatements(template)
          .filter(({ policy }) => {
            const roles = template.toJSON().Resources[policy].Properties.Roles as unknown[];
            return roles.some((role) => JSON.stringify(role) === JSON.stringify(roleRef));
          })
          .filter(({ actions }) => actions.includes('lambda:InvokeFunction'))
          .flatMap(({ statement }) =>
            Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
          )
          .map((resource) => JSON.stringify(resource));

        // Assess
        for (const stepName of stepNames) {
          const arn = JSON.stringify(resolved(stack, reactor.functions[stepName].functionArn));
          if (expected.includes(stepName)) expect(invokable).toContain(arn);
          else expect(invokable).not.toContain(arn);
        }
        expect(invokable).not.toContain(
          JSON.stringify(resolved(stack, reactor.functions.Dispatcher.functionArn)),
        );
      },
    );

    it('tags the disable workflow, and only it, with the deployed grace period in seconds', () => {
      expect(resourceOf(template, reactor.stateMachines.disable).Properties.Tags).toEqual([
        { Key: GRACE_SECONDS_TAG, Value: '600' },
      ]);
      expect(resourceOf(template, reactor.stateMachines.enable).Properties.Tags).toBeUndefined();
      expect(resourceOf(template, reactor.stateMachines.disable.role).Properties.Tags).toBeUndefined();
    });

    it('writes the workflow logs to vended-log groups with retention', () => {
      // Assess
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      const vended = groups.filter((group) =>
        JSON.stringify(group.Properties.LogGroupName ?? '').includes('/aws/vendedlogs/states/'),
      );
      expect(vended).toHaveLength(2);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    });
  });

  describe('functions', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));

    it('creates the seven workflow steps, the dispatcher and the sweep', () => {
      expect(Object.keys(STEP_FUNCTIONS)).toHaveLength(7);
      expect(functions).toHaveLength(Object.keys(STEP_FUNCTIONS).length + 2);
    });

    it('runs every function on arm64, Node.js 22 or later, with active tracing and its own log group', () => {
      for (const fn of functions) {
        const { Architectures, Runtime, TracingConfig, LoggingConfig } = fn.Properties;
        expect(Architectures).toEqual(['arm64']);
        expect(Number(/^nodejs(\d+)\.x$/.exec(Runtime)?.[1])).toBeGreaterThanOrEqual(22);
        expect(TracingConfig).toEqual({ Mode: 'Active' });
        expect(LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
      }
    });

    it('gives every function the Powertools, table and managed-tag environment', () => {
      const tableName = resolved(stack, reactor.table.tableName);
      for (const fn of functions) {
        expect(fn.Properties.Environment.Variables).toEqual(
          expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'key-lifecycle-reactor',
            POWERTOOLS_METRICS_NAMESPACE: 'KeyLifecycleReactor',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            [ENV.tableName]: tableName,
            [ENV.managedTagKey]: DEFAULT_MANAGED_TAG.key,
            [ENV.managedTagValue]: DEFAULT_MANAGED_TAG.value,
            // Short whatever the grace period: the lease is taken after it, and renewed at every step.
            [ENV.leaseSeconds]: String(15 * 60),
          }),
        );
      }
    });

    it('gives the steps 256 MB and 120 s, and the dispatcher 30 s', () => {
      for (const [name, fn] of Object.entries(reactor.functions)) {
        const cfn = resourceOf(template, fn);
        expect(cfn.Properties.MemorySize).toBe(256);
        expect(cfn.Properties.Timeout).toBe(name === 'Dispatcher' ? 30 : LIMITS.stepTimeoutSeconds);
      }
    });

    it('tells the dispatcher the two workflows and the allowed accounts, and the notifier the addresses', () => {
      const variables = (name: keyof typeof reactor.functions) =>
        resourceOf(template, reactor.functions[name]).Properties.Environment.Variables;
      expect(variables('Dispatcher')).toEqual(
        expect.objectContaining({
          [ENV.disableStateMachineArn]: resolved(stack, reactor.stateMachines.disable.stateMachineArn),
          [ENV.enableStateMachineArn]: resolved(stack, reactor.stateMachines.enable.stateMachineArn),
          [ENV.allowedAccounts]: { Ref: 'AWS::AccountId' },
        }),
      );
      expect(variables('Notify')).toEqual(
        expect.objectContaining({
          [ENV.senderAddress]: 'reactor@example.com',
          [ENV.operatorAddresses]: 'ops@example.com,oncall@example.com',
        }),
      );
    });
  });

  describe('table', () => {
    it('is on-demand, with point-in-time recovery, TTL, AWS-managed encryption, deletion protection, retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
          KeySchema: [
            { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
          ],
        },
      });
    });
  });

  describe('least privilege', () => {
    const statements = allowStatements(template);

    it('allows no terminate, delete (but DeleteItem), modify or scaling action anywhere', () => {
      // Step Functions' logging needs logs:DeleteLogDelivery on the state machine role (the CDK adds it with
      // the rest of the log-delivery actions AWS documents): it manages the workflow's own log delivery and
      // deletes no resource or data. It is the one exception, and only on the log-delivery statement.
      const LOG_DELIVERY = 'logs:DeleteLogDelivery';
      const forbidden = /Terminate|Delete(?!Item)|Modify|Scale|PutScalingPolicy|SetDesiredCapacity/i;
      const offending = statements.flatMap(({ policy, actions }) =>
        actions
          .filter((action) => forbidden.test(action))
          .filter((action) => !(action === LOG_DELIVERY && actions.includes('logs:CreateLogDelivery')))
          .map((action) => `${policy}: ${action}`),
      );
      expect(offending).toEqual([]);
      expect(statements.length).toBeGreaterThan(20);
    });

    it('allows DynamoDB item actions on the reactor table only', () => {
      const tableArn = resolved(stack, reactor.table.tableArn);
      for (const { statement, actions } of statements) {
        if (actions.some((action) => action.startsWith('dynamodb:')))
          expect(statement.Resource).toEqual(tableArn);
      }
    });

    it('conditions every stop, start and service update on the managed tag', () => {
      const lifecycle = statements.filter(({ actions }) =>
        actions.some(
          (action) =>
            /:(Stop|Start)[A-Za-z]*$|:UpdateService$/.test(action) && action !== 'states:StartExecution',
        ),
      );
      // Stop: the stop key role only; start: the start key role only, both on the session's key.
      expect(lifecycle).toHaveLength(2);
      for (const { statement } of lifecycle) {
        expect(statement.Condition).toEqual({
          StringEquals: {
            [`aws:ResourceTag/${DEFAULT_MANAGED_TAG.key}`]: DEFAULT_MANAGED_TAG.value,
            [`aws:ResourceTag/${KEY_ARN_TAG}`]: `\${aws:PrincipalTag/${KEY_ARN_TAG}}`,
          },
        });
      }
      const actions = new Set(lifecycle.flatMap(({ actions: all }) => all));
      expect([...actions].sort()).toEqual(
        [
          'ec2:StartInstances',
          'ec2:StopInstances',
          'ecs:UpdateService',
          'rds:StartDBCluster',
          'rds:StartDBInstance',
          'rds:StopDBCluster',
          'rds:StopDBInstance',
        ].sort(),
      );
    });

    it('suspends and resumes the scaling processes of tagged Auto Scaling groups only', () => {
      const processes = statements.filter(({ actions }) =>
        actions.some((action) => /^autoscaling:(Suspend|Resume)Processes$/.test(action)),
      );
      // Suspend: the stop key role only; resume: the start key role only.
      expect(processes).toHaveLength(2);
      for (const { statement, actions } of processes) {
        expect(actions).toHaveLength(1);
        expect(statement.Condition).toEqual({
          StringEquals: {
            [`aws:ResourceTag/${DEFAULT_MANAGED_TAG.key}`]: DEFAULT_MANAGED_TAG.value,
            [`aws:ResourceTag/${KEY_ARN_TAG}`]: `\${aws:PrincipalTag/${KEY_ARN_TAG}}`,
          },
        });
        expect(JSON.stringify(statement.Resource)).toContain(':autoScalingGroup:*:autoScalingGroupName/*');
      }
    });

    it.each<['stop' | 'start', 'StopResources' | 'StartResources', string[], string[]]>([
      [
        'stop',
        'StopResources',
        ['ec2:StopInstances', 'rds:StopDBInstance', 'rds:StopDBCluster', 'autoscaling:SuspendProcesses'],
        ['ec2:StartInstances', 'rds:StartDBInstance', 'rds:StartDBCluster', 'autoscaling:ResumeProcesses'],
      ],
      [
        'start',
        'StartResources',
        ['ec2:StartInstances', 'rds:StartDBInstance', 'rds:StartDBCluster', 'autoscaling:ResumeProcesses'],
        ['ec2:StopInstances', 'rds:StopDBInstance', 'rds:StopDBCluster', 'autoscaling:SuspendProcesses'],
      ],
    ])('gives the %s key role the actions of its own direction only', (direction, step, own, other) => {
      // Prepare
      const role = resolved(stack, reactor.keyRoles[direction].roleName);
      const stepRole = resolved(stack, reactor.functions[step].executionRole.roleName);
      const actionsOf = (holder: unknown) =>
        statements
          .filter(({ policy }) => JSON.stringify(rolesOf(template, policy)) === JSON.stringify([holder]))
          .flatMap(({ actions: all }) => all);

      // Act
      const actions = actionsOf(role);

      // Assess: the step itself keeps neither direction, only the right to assume its key role.
      expect(actions).toEqual(expect.arrayContaining(own));
      for (const action of other) expect(actions).not.toContain(action);
      expect(actions.includes('kms:CreateGrant')).toBe(step === 'StartResources');
      for (const action of [...own, ...other, 'kms:CreateGrant'])
        expect(actionsOf(stepRole)).not.toContain(action);
    });

    it('lets the dispatcher start executions of the two workflows only', () => {
      const starts = statements.filter(({ actions }) => actions.includes('states:StartExecution'));
      expect(starts).toHaveLength(1);
      expect(starts[0]?.statement.Resource).toEqual([
        resolved(stack, reactor.stateMachines.disable.stateMachineArn),
        resolved(stack, reactor.stateMachines.enable.stateMachineArn),
      ]);
    });

    it('lets the notifier and the sweep send email from the sender address only', () => {
      const ses = statements.filter(({ actions }) => actions.some((action) => action.startsWith('ses:')));
      expect(ses.map(({ policy }) => rolesOf(template, policy))).toEqual([
        [resolved(stack, reactor.functions.Notify.executionRole.roleName)],
        [resolved(stack, reactor.sweep.executionRole.roleName)],
      ]);
      for (const { actions, statement } of ses) {
        expect(actions.sort()).toEqual(['ses:SendEmail']);
        expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'reactor@example.com' } });
      }
    });

    it('creates KMS grants only for AWS resources, reads and probes keys only where it describes them, and lists aliases and key materials', () => {
      const kms = statements.filter(({ actions }) => actions.some((action) => action.startsWith('kms:')));
      expect(new Set(kms.flatMap(({ actions }) => actions))).toEqual(
        new Set([
          'kms:DescribeKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:Encrypt',
          'kms:ListAliases',
          'kms:ListKeyRotations',
          'kms:CreateGrant',
        ]),
      );
      // The probe is granted exactly where DescribeKey is, on the same customer keys.
      for (const { statement, actions } of kms.filter(({ actions: all }) =>
        all.includes('kms:DescribeKey'),
      )) {
        expect([...actions].sort()).toEqual([
          'kms:DescribeKey',
          'kms:Encrypt',
          'kms:GenerateDataKeyWithoutPlaintext',
        ]);
        expect(JSON.stringify(statement.Resource)).toContain(':key/*');
      }
      for (const { statement, actions } of kms.filter(({ actions: all }) =>
        all.includes('kms:CreateGrant'),
      )) {
        expect(actions).toEqual(['kms:CreateGrant']);
        expect(statement.Condition).toEqual({
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        });
      }
    });

    it('uses Resource "*" only for actions that have no resource-level permission', () => {
      const allowedOnStar = new Set([
        'ec2:DescribeInstances',
        'autoscaling:DescribeAutoScalingGroups',
        'application-autoscaling:DescribeScalableTargets',
        // The safety net (docs/operating.md): neither has a resource-level permission.
        'ec2:DescribeVolumes',
        's3:ListAllMyBuckets',
        // The tag is the registration: the tagging API has no resource-level permission.
        'tag:GetResources',
        'kms:ListAliases',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ]);
      const onStar = statements.filter(({ statement }) =>
        [statement.Resource].flat().some((resource) => resource === '*'),
      );
      for (const { policy, actions } of onStar) {
        expect({ policy, actions: actions.filter((action) => !allowedOnStar.has(action)) }).toEqual({
          policy,
          actions: [],
        });
      }
    });
  });

  describe('alarms', () => {
    const topicRef = () => resolved(stack, reactor.topic.topicArn);

    it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ExecutionThrottled'])(
      'alarms on %s of each workflow',
      (metric) => {
        for (const machine of Object.values(reactor.stateMachines)) {
          template.hasResourceProperties('AWS::CloudWatch::Alarm', {
            Namespace: 'AWS/States',
            MetricName: metric,
            Dimensions: [{ Name: 'StateMachineArn', Value: resolved(stack, machine.stateMachineArn) }],
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            AlarmActions: [topicRef()],
          });
        }
      },
    );

    it('alarms as soon as the dead-letter queue holds a message, and on dispatcher errors', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: resolved(stack, reactor.deadLetterQueue.queueName) }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicRef()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: resolved(stack, reactor.functions.Dispatcher.functionName) },
        ],
        AlarmActions: [topicRef()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: resolved(stack, reactor.sweep.functionName) }],
        AlarmActions: [topicRef()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KeyLifecycleReactor',
        MetricName: 'KeysUnreadable',
        Dimensions: [{ Name: 'service', Value: 'key-lifecycle-reactor' }],
        Threshold: 1,
        AlarmActions: [topicRef()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KeyLifecycleReactor',
        MetricName: 'KmsOutages',
        Dimensions: [{ Name: 'service', Value: 'key-lifecycle-reactor' }],
        Threshold: 1,
        AlarmActions: [topicRef()],
      });
      // The last: the reactor's events EventBridge did not take (test/infra/reactor-events.test.ts).
      expect(reactor.alarms).toHaveLength(2 * 4 + 9);
    });

    it('subscribes every operator to the alarm topic, which takes TLS publishers only', () => {
      for (const address of REQUIRED_PROPS.operatorAddresses) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: address,
          TopicArn: topicRef(),
        });
      }
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });
});

describe('KeyLifecycleReactor props', () => {
  it('sets the grace period from gracePeriod, and keeps the lease short (it is taken after the grace period)', () => {
    // Act
    const { template, reactor } = reactorStack({ gracePeriod: Duration.minutes(30) });

    // Assess
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.objectLike({ [GRACE_SECONDS_VARIABLE]: '1800' }),
    });
    expect(resourceOf(template, reactor.stateMachines.disable).Properties.Tags).toEqual([
      { Key: GRACE_SECONDS_TAG, Value: '1800' },
    ]);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.leaseSeconds]: String(15 * 60) }) },
    });
  });

  it('accepts a grace period of zero', () => {
    const { template } = reactorStack({ gracePeriod: Duration.seconds(0) });
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.objectLike({ [GRACE_SECONDS_VARIABLE]: '0' }),
    });
  });

  it('puts a custom managed tag into the environment and every lifecycle condition', () => {
    // Act
    const { template } = reactorStack({ managedTag: { key: 'platform:byok', value: 'yes' } });

    // Assess
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [ENV.managedTagKey]: 'platform:byok', [ENV.managedTagValue]: 'yes' }),
      },
    });
    const conditioned = allowStatements(template).filter(({ actions }) =>
      actions.includes('ecs:UpdateService'),
    );
    expect(conditioned).toHaveLength(2);
    for (const { statement } of conditioned) {
      expect(statement.Condition).toEqual({
        StringEquals: {
          'aws:ResourceTag/platform:byok': 'yes',
          [`aws:ResourceTag/${KEY_ARN_TAG}`]: `\${aws:PrincipalTag/${KEY_ARN_TAG}}`,
        },
      });
    }
  });

  it('lets the allowed accounts through the dispatcher and the KMS permissions', () => {
    // Act
    const { template } = reactorStack({ allowedAccounts: ['111111111111', '222222222222'] });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          // This account first (a token), then the configured ones, which the CDK joins into one literal.
          [ENV.allowedAccounts]: {
            'Fn::Join': [',', [{ Ref: 'AWS::AccountId' }, '111111111111,222222222222']],
          },
        }),
      },
    });
    const describeKey = allowStatements(template).find(({ actions }) => actions.includes('kms:DescribeKey'));
    expect(JSON.stringify(describeKey?.statement.Resource)).toContain(':111111111111:key/*');
    expect(JSON.stringify(describeKey?.statement.Resource)).toContain(':222222222222:key/*');
  });

  it('uses log retention and the table removal policy', () => {
    // Act
    const { template } = reactorStack({
      logRetention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Assess
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('lets two reactors live in one stack without clashing log group names', () => {
    // Prepare
    const stack = new Stack(cdkApp(), 'TwoReactors');
    new KeyLifecycleReactor(stack, 'Blue', REQUIRED_PROPS);
    new KeyLifecycleReactor(stack, 'Green', REQUIRED_PROPS);

    // Act
    const names = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))
      .map((group) => group.Properties.LogGroupName)
      .filter((name) => name !== undefined)
      .map((name) => JSON.stringify(name));

    // Assess
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
  });

  it('skips the checks for unresolved tokens', () => {
    // Prepare
    const stack = new Stack(cdkApp(), 'TokenStack');
    const sender = new CfnParameter(stack, 'Sender').valueAsString;

    // Act and assess
    expect(
      () =>
        new KeyLifecycleReactor(stack, 'Reactor', {
          senderAddress: sender,
          operatorAddresses: ['ops@example.com'],
        }),
    ).not.toThrow();
  });

  it.each<[string, Partial<KeyLifecycleReactorProps>, RegExp]>([
    [
      'a sender that is not an email address',
      { senderAddress: 'reactor-at-example.com' },
      /senderAddress "reactor-at-example\.com" is not an email address\. Set it to the address the reactor sends from, verified in SES/,
    ],
    [
      'no operator',
      { operatorAddresses: [] },
      /operatorAddresses is empty\. List at least one operator email address/,
    ],
    [
      'an operator that is not an email address',
      { operatorAddresses: ['ops@example.com', 'oncall'] },
      /operatorAddresses has "oncall", which is not an email address/,
    ],
    [
      'a grace period of 25 hours',
      { gracePeriod: Duration.hours(25) },
      /gracePeriod is 25 hours; it must be between 0 and 24 hours/,
    ],
    [
      'a grace period in fractions of a second',
      { gracePeriod: Duration.millis(1500) },
      /gracePeriod is .*; it must be a whole number of seconds/,
    ],
    [
      'an account that is not 12 digits',
      { allowedAccounts: ['12345'] },
      /allowedAccounts has "12345"; each must be a 12-digit AWS account ID/,
    ],
    [
      'an empty account list',
      { allowedAccounts: [] },
      /allowedAccounts is empty\. List the 12-digit accounts whose keys the reactor acts on, or leave it out/,
    ],
    [
      'a reserved tag key',
      { managedTag: { key: 'aws:managed', value: 'true' } },
      /managedTag\.key "aws:managed" is not a valid tag key/,
    ],
  ])('rejects %s at synth time, naming the prop and the fix', (_case, props, message) => {
    expect(() => reactorStack(props)).toThrow(message);
  });
});

describe('KeyLifecycleReactorStack context', () => {
  const stackWith = (context: Record<string, unknown>) => {
    const stack = new KeyLifecycleReactorStack(
      testApp({ ...FEATURE_FLAGS, ...context }),
      'KeyLifecycleReactor',
    );
    return { stack, template: Template.fromStack(stack) };
  };

  it('reads comma-separated operators, a numeric-string grace period and the managed tag', () => {
    // Act
    const { template } = stackWith({
      senderAddress: 'reactor@example.com',
      operatorAddresses: 'ops@example.com, oncall@example.com',
      gracePeriodMinutes: '15',
      managedTagKey: 'platform:byok',
    });

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: Match.objectLike({ [GRACE_SECONDS_VARIABLE]: '900' }),
    });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [ENV.managedTagKey]: 'platform:byok', [ENV.managedTagValue]: 'true' }),
      },
    });
  });

  it('reads operators and accounts as JSON arrays', () => {
    // Act
    const { template } = stackWith({
      senderAddress: 'reactor@example.com',
      operatorAddresses: '["ops@example.com","oncall@example.com","lead@example.com"]',
      allowedAccounts: ['111111111111'],
      gracePeriodMinutes: 10,
    });

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.allowedAccounts]: { 'Fn::Join': [',', [{ Ref: 'AWS::AccountId' }, '111111111111']] },
        }),
      },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'senderAddress',
      { operatorAddresses: 'ops@example.com' },
      /Missing CDK context "senderAddress".*-c senderAddress=/,
    ],
    [
      'operatorAddresses',
      { senderAddress: 'reactor@example.com' },
      /Missing CDK context "operatorAddresses".*-c operatorAddresses=/,
    ],
  ])('says which -c flag to pass when %s is missing', (_name, context, message) => {
    expect(() => stackWith(context)).toThrow(message);
  });

  it('rejects a grace period that is not a number', () => {
    expect(() =>
      stackWith({
        senderAddress: 'reactor@example.com',
        operatorAddresses: 'ops@example.com',
        gracePeriodMinutes: 'ten',
      }),
    ).toThrow(/CDK context "gracePeriodMinutes" must be a number, got "ten"/);
  });
});

const OPTIONAL_SDK_MODULES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];

describe('bundling', () => {
  it('bundles every function with esbuild, SDK included, without Docker', () => {
    // Prepare: bundling on (no aws:cdk:bundling-stacks override), the app's own stack.
    const app = cdkApp({}, { bundling: true });
    const stack = new KeyLifecycleReactorStack(app, 'KeyLifecycleReactor');

    // Act
    const assembly = app.synth();

    // Assess
    const functions = Object.values(
      assembly.getStackByName(stack.stackName).template.Resources as Record<
        string,
        { Type: string; Properties: { Code: { S3Key: string } } }
      >,
    ).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(STEP_FUNCTIONS).length + 2);
    for (const fn of functions) {
      const bundle = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      expect(existsSync(path.join(bundle, 'index.js'))).toBe(true);
      expect(existsSync(path.join(bundle, 'index.js.map'))).toBe(true);
      // Nothing left for the runtime to provide but Node's own modules, and the SDK's optional SigV4a signers
      // (required inside a try block, for multi-region access points, which the reactor does not use).
      const code = readFileSync(path.join(bundle, 'index.js'), 'utf8');
      const external = [...code.matchAll(/require\(["']([^"']+)["']\)/g)]
        .map((match) => match[1] as string)
        .filter((name) => !isBuiltin(name));
      expect(new Set(external)).toEqual(new Set(external.length > 0 ? OPTIONAL_SDK_MODULES : []));
    }
  }, 180_000);
});

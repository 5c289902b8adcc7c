import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, Fn, Names, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { GRACE_SECONDS_TAG } from '../lambdas/shared/contract';
import {
  functionArnVariable,
  GRACE_SECONDS_VARIABLE,
  ROOT_DIR,
  type StepFunctionName,
  WORKFLOWS,
  type WorkflowDefinition,
} from './catalog';
import type { ReactorFunction } from './reactor-function';
import type { StepFunctions } from './reactor-steps';

export type Workflows = Readonly<Record<WorkflowDefinition['name'], sfn.StateMachine>>;

/** Construct IDs of the workflows: readable in the console and in the template. */
export const WORKFLOW_IDS: Readonly<Record<WorkflowDefinition['name'], string>> = {
  disable: 'KeyDisabledWorkflow',
  enable: 'KeyEnabledWorkflow',
};

interface WorkflowOptions {
  readonly steps: StepFunctions;
  readonly graceSeconds: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The two workflows, each from its ASL file with the function ARNs and the grace period substituted,
 * logging every execution with its data to a log group of its own, traced with X-Ray. The disable
 * workflow carries the deployed grace period as a tag too (GRACE_SECONDS_TAG), for whoever reads the
 * deployment.
 */
export function createWorkflows(scope: Construct, options: WorkflowOptions): Workflows {
  const stateMachines = {} as Record<WorkflowDefinition['name'], sfn.StateMachine>;
  for (const workflow of WORKFLOWS) {
    stateMachines[workflow.name] = createWorkflow(scope, workflow, options);
  }
  Tags.of(stateMachines.disable).add(GRACE_SECONDS_TAG, String(options.graceSeconds), {
    includeResourceTypes: ['AWS::StepFunctions::StateMachine'],
  });
  return stateMachines;
}

function createWorkflow(
  scope: Construct,
  workflow: WorkflowDefinition,
  options: WorkflowOptions,
): sfn.StateMachine {
  const id = WORKFLOW_IDS[workflow.name];
  const referenced = substitutionsIn(workflow.aslFile);

  const definitionSubstitutions: Record<string, string> = {
    [GRACE_SECONDS_VARIABLE]: String(options.graceSeconds),
  };
  const invoked: ReactorFunction[] = [];
  for (const [name, fn] of Object.entries(options.steps) as [StepFunctionName, ReactorFunction][]) {
    const variable = functionArnVariable(name);
    definitionSubstitutions[variable] = fn.functionArn;
    if (referenced.has(variable)) invoked.push(fn);
  }
  const unknown = [...referenced].filter((variable) => !(variable in definitionSubstitutions));
  if (unknown.length > 0) {
    throw new Error(
      `KeyLifecycleReactor: ${path.relative(ROOT_DIR, workflow.aslFile)} uses ${unknown.map((v) => `\${${v}}`).join(', ')}, ` +
        'which no function in STEP_FUNCTIONS (lib/catalog.ts) provides; add the function there or fix the name.',
    );
  }

  // Under /aws/vendedlogs/ so Step Functions does not add each group to the account's CloudWatch Logs
  // resource policy (which has a size limit). The construct's unique name tells two reactors apart, and
  // the stack ID's UUID changes with every stack creation, so a retained group never blocks a redeployment.
  const uniqueName = Names.uniqueResourceName(scope, { maxLength: 96, separator: '-' });
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/vendedlogs/states/${uniqueName}-${id}-${stackUuid}`,
    retention: options.logRetention,
  });
  const stateMachine = new sfn.StateMachine(scope, id, {
    definitionBody: sfn.DefinitionBody.fromFile(workflow.aslFile),
    definitionSubstitutions,
    stateMachineType: sfn.StateMachineType.STANDARD,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  // Not grantInvoke, which adds each function's versions and aliases (`<arn>:*`): the workflow invokes
  // the unqualified ARNs its ASL file names, and no others.
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: invoked.map((fn) => fn.functionArn),
    }),
  );
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Added by the CDK for logging and tracing: the CloudWatch Logs delivery actions (CreateLogDelivery and ' +
      'its siblings) and X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* support no resource-level permission.',
  });
  return stateMachine;
}

/** The `${Name}` placeholders an ASL file uses. */
function substitutionsIn(aslFile: string): Set<string> {
  const definition = readFileSync(aslFile, 'utf8');
  return new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1] as string));
}

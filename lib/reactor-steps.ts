import { Duration, Fn } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ENV, LIMITS } from '../lambdas/shared/contract';
import { STEP_FUNCTIONS, type StepFunctionName } from './catalog';
import { ReactorFunction } from './reactor-function';
import type { ReactorPermissions } from './reactor-permissions';
import type { ReactorSettings } from './reactor-settings';

export type StepFunctions = Readonly<Record<StepFunctionName, ReactorFunction>>;

const STEP_DESCRIPTIONS: Readonly<Record<StepFunctionName, string>> = {
  Lease: 'Releases the per-key lease, so the next workflow can act on the key',
  DescribeKey:
    "Takes the per-key lease and reads the customer key's real state with kms:DescribeKey; counts what the reactor stopped for an enable run",
  ListResources: "Counts the resources registered to a key and reads the key's policy",
  StopResources:
    "Stops one layer of a key's tagged resources, ledger first; in the poll loop, observes it again and stops what can stop now",
  StartResources:
    'Starts one layer of the resources the reactor itself stopped; in the poll loop, observes it again and starts what can start now',
  Notify:
    'Emails the key administrators and the operators through SES, each their own message; keeps an email SES refuses for the sweep and pages the operators through SNS',
  Ledger: "Records a workflow's outcome and clears the ledger of restored resources",
};

/** What every function reads: the table, the managed tag and the lease length (lambdas/shared/settings.ts). */
export function sharedEnvironment(table: dynamodb.ITable, settings: ReactorSettings): Record<string, string> {
  return {
    [ENV.tableName]: table.tableName,
    [ENV.managedTagKey]: settings.managedTag.key,
    [ENV.managedTagValue]: settings.managedTag.value,
    [ENV.leaseSeconds]: String(LIMITS.leaseSeconds),
  };
}

/** What a function that sends email reads: who it sends from, and the operators. */
export function emailEnvironment(settings: ReactorSettings): Record<string, string> {
  return {
    [ENV.senderAddress]: settings.senderAddress,
    [ENV.operatorAddresses]: Fn.join(',', [...settings.operatorAddresses]),
  };
}

/** What the describe-key step reads beside the shared environment: the circuit breaker's limit, if set. */
export function guardEnvironment(settings: ReactorSettings): Record<string, string> {
  return settings.breakerKeys === undefined ? {} : { [ENV.breakerKeys]: String(settings.breakerKeys) };
}

/** The workflow steps, one function per `${<Name>FunctionArn}` in the ASL files, each with only what its handler calls. */
export function createSteps(
  scope: Construct,
  options: {
    readonly settings: ReactorSettings;
    readonly environment: Readonly<Record<string, string>>;
    readonly permissions: ReactorPermissions;
  },
): StepFunctions {
  const steps = {} as Record<StepFunctionName, ReactorFunction>;
  for (const [name, folder] of Object.entries(STEP_FUNCTIONS) as [StepFunctionName, string][]) {
    const fn = new ReactorFunction(scope, `${name}Function`, {
      folder,
      description: STEP_DESCRIPTIONS[name],
      logRetention: options.settings.logRetention,
      // The Tasks wait LIMITS.taskTimeoutSeconds, a little longer, so the Lambda's own timeout ends first.
      timeout: Duration.seconds(LIMITS.stepTimeoutSeconds),
      environment: {
        ...options.environment,
        ...(name === 'Notify' ? emailEnvironment(options.settings) : {}),
        ...(name === 'DescribeKey' ? guardEnvironment(options.settings) : {}),
      },
    });
    options.permissions.grantStep(name, fn);
    steps[name] = fn;
  }
  return steps;
}

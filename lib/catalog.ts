import * as path from 'node:path';

/**
 * What the CDK construct and the local sandbox both need to know about the workflows and their
 * functions, so that the two never drift: each ASL file, the Lambda folder behind every
 * `${...FunctionArn}` substitution in it, and the other substitutions. No CDK import here: the
 * sandbox loads this module too.
 */

/** Lambda folders under lambdas/, by the name used in `${<Name>FunctionArn}` in the ASL files. */
export const STEP_FUNCTIONS = {
  Lease: 'lease',
  DescribeKey: 'describe-key',
  ListResources: 'list-resources',
  StopResources: 'stop-resources',
  StartResources: 'start-resources',
  Notify: 'notify',
  Ledger: 'ledger',
} as const;
export type StepFunctionName = keyof typeof STEP_FUNCTIONS;

/** The dispatcher is the EventBridge rules' target, not a workflow step. */
export const DISPATCHER_FUNCTION = 'dispatcher';

/** The scheduled sweep is not a workflow step either. */
export const SWEEP_FUNCTION = 'sweep';

export const ROOT_DIR = path.resolve(__dirname, '..');
export const LAMBDAS_DIR = path.join(ROOT_DIR, 'lambdas');
export const STATE_MACHINES_DIR = path.join(ROOT_DIR, 'state-machines');

export interface WorkflowDefinition {
  /** Readable name, also the state machine name suffix and the execution name prefix. */
  readonly name: 'disable' | 'enable';
  readonly aslFile: string;
  readonly description: string;
}

export const WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    name: 'disable',
    aslFile: path.join(STATE_MACHINES_DIR, 'key-disabled.asl.json'),
    description: 'Key unusable: after the grace period, stop services, then servers, then email.',
  },
  {
    name: 'enable',
    aslFile: path.join(STATE_MACHINES_DIR, 'key-enabled.asl.json'),
    description: 'Key usable again: start servers, then services, then email.',
  },
];

export function handlerEntry(folder: string): string {
  return path.join(LAMBDAS_DIR, folder, 'index.ts');
}

/** The substitution variable of a step function in the ASL files: `LeaseFunctionArn`. */
export function functionArnVariable(name: StepFunctionName): string {
  return `${name}FunctionArn`;
}

/** The non-function substitution in the ASL files. */
export const GRACE_SECONDS_VARIABLE = 'GraceSeconds';

/**
 * The values of a workflow definition's substitutions: the grace period, and the ARN of the function
 * behind each `${<Name>FunctionArn}`, from its folder under lambdas/.
 */
export function definitionValues(
  graceSeconds: number,
  functionArn: (folder: string) => string,
): Record<string, string> {
  const values: Record<string, string> = { [GRACE_SECONDS_VARIABLE]: String(graceSeconds) };
  for (const [name, folder] of Object.entries(STEP_FUNCTIONS)) {
    values[functionArnVariable(name as StepFunctionName)] = functionArn(folder);
  }
  return values;
}

/**
 * Replaces `${Name}` placeholders the way CloudFormation's DefinitionSubstitutions does, and fails on
 * any placeholder left over, so a local run cannot silently differ from the deployed definition.
 */
export function substitute(definition: string, values: Readonly<Record<string, string>>): string {
  const result = definition.replace(
    /\$\{([A-Za-z0-9]+)\}/g,
    (placeholder, name: string) => values[name] ?? placeholder,
  );
  const missing = result.match(/\$\{[A-Za-z0-9]+\}/g);
  if (missing) throw new Error(`No value for ${[...new Set(missing)].join(', ')} in the workflow definition`);
  return result;
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/**
 * The CLI's context from cdk.json (feature flags and defaults such as the grace period), so that a test
 * synthesizes what `cdk synth` does.
 */
export const CDK_CONTEXT: Readonly<Record<string, unknown>> = (
  JSON.parse(readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * What a deploy must pass with -c and cdk.json leaves out (it holds no address, so that a deploy cannot
 * go out with a placeholder): test addresses, under the reserved .example domain.
 */
export const DEPLOY_SETTINGS: Readonly<Record<string, unknown>> = {
  senderAddress: 'reactor@platform.example',
  operatorAddresses: 'ops@platform.example',
};

/** cdk.json's feature flags alone, without its settings. */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(CDK_CONTEXT).filter(([name]) => name.startsWith('@aws-cdk')),
);

/**
 * Skips esbuild, which takes seconds a function and is irrelevant to what the template says; one test
 * (test/infra/reactor.test.ts, bundling) proves that every function bundles.
 */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export interface TestAppOptions {
  /** Bundle the functions with esbuild, as `cdk synth` does. @default false */
  readonly bundling?: boolean;
}

/**
 * An App for a test, with `context` only (nothing of cdk.json). The CDK's built-in CloudFormation
 * validation is off: in an App it only warns (cdk.json does not make it fail), and it costs seconds a
 * test file (its engine loads once per module registry, then half a second a synth). `npm run synth`
 * in CI runs it, and cfn-lint, on the real template.
 */
export function testApp(context: Readonly<Record<string, unknown>> = {}, options: TestAppOptions = {}): App {
  return new App({
    context: { ...(options.bundling ? {} : NO_BUNDLING), ...context },
    builtinCloudFormationValidation: false,
  });
}

/** A test App with cdk.json's context and the deploy settings, and `context` on top. */
export function cdkApp(context: Readonly<Record<string, unknown>> = {}, options: TestAppOptions = {}): App {
  return testApp({ ...CDK_CONTEXT, ...DEPLOY_SETTINGS, ...context }, options);
}

/** The template resource behind an L2 construct, found through the construct rather than its logical ID. */
export function resourceOf(template: Template, construct: IConstruct) {
  const logicalId = Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
  return template.toJSON().Resources[logicalId];
}

/** An IAM policy statement as the template holds it. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';

/**
 * The CLI's context from cdk.json (feature flags and the example settings), so that a test synthesizes
 * what `cdk synth` does.
 */
export const CDK_CONTEXT: Readonly<Record<string, unknown>> = (
  JSON.parse(readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** cdk.json's feature flags alone, without its example settings. */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(CDK_CONTEXT).filter(([name]) => name.startsWith('@aws-cdk')),
);

/**
 * Skips esbuild, which takes seconds a function and is irrelevant to what the template says; one test
 * (test/infra/reactor.test.ts, bundling) proves that every function bundles.
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** An App with cdk.json's context and no bundling, and `context` on top. */
export function cdkApp(context: Readonly<Record<string, unknown>> = {}): App {
  return new App({ context: { ...CDK_CONTEXT, ...NO_BUNDLING, ...context } });
}

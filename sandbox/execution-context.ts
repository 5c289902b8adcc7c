import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The local execution a piece of code runs for. LocalStepFunctions starts each execution inside it, and
 * the async context follows every step's handler into its SDK calls, so the call log can say which
 * execution made which AWS call (in AWS, CloudTrail would say which Lambda invocation did).
 */
export const currentExecution = new AsyncLocalStorage<string>();

import type { Context } from 'aws-lambda';

/** The account a unit test's function runs in, unless it says otherwise. */
export const FUNCTION_ACCOUNT = '111122223333';
/** Every invocation's request ID: the sweep uses it as its sweep ID, which tests assert on. */
export const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e812345678';

/**
 * The context Lambda passes the reactor's function in `folder` (named `key-reactor-<folder>`), running
 * in `account` in us-east-1. The dispatcher reads its own account from `invokedFunctionArn`.
 */
export function lambdaContext(folder: string, account = FUNCTION_ACCOUNT): Context {
  const functionName = `key-reactor-${folder}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${account}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: REQUEST_ID,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { ClientInstrument } from './aws';
import { translateAwsErrors } from './aws-errors';
import { METRICS_NAMESPACE, SERVICE_NAME } from './contract';

/** One logger, tracer and metrics set per function, created once per container. */
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  // Most steps publish no metric on most invocations; Metrics would warn about that every time.
  logger: {
    debug: (message: unknown) => logger.debug(String(message)),
    info: (message: unknown) => logger.info(String(message)),
    error: (message: unknown) => logger.error(String(message)),
    warn: (message: unknown) => {
      if (String(message).startsWith('No application metrics to publish')) logger.debug(String(message));
      else logger.warn(String(message));
    },
  },
});

/** Traces an SDK client's calls with X-Ray: the instrument every Lambda entry point attaches. */
export const traceClient: ClientInstrument = (client) => {
  tracer.captureAWSv3Client(client);
};

/**
 * Puts the key ARN and the execution name on every log line of the invocation, when the input has them
 * (workflow steps always do; the dispatcher appends them itself once it has parsed the event).
 */
function keyContext(): MiddlewareObj {
  return {
    before: ({ event }) => {
      if (event && typeof event === 'object') {
        const { keyArn, executionName } = event as Record<string, unknown>;
        if (typeof keyArn === 'string') logger.appendKeys({ keyArn });
        if (typeof executionName === 'string') logger.appendKeys({ executionName });
      }
    },
  };
}

/** The middleware every handler uses, in order: logging context, tracing, metrics, then error names. */
export function observability(): MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    keyContext(),
    captureLambdaHandler(tracer),
    logMetrics(metrics),
    translateAwsErrors(),
  ] as MiddlewareObj[];
}

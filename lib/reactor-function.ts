import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/contract';
import { handlerEntry, ROOT_DIR } from './catalog';

/**
 * The newest Node.js runtime aws-cdk-lib 2.276 knows. Named, not NODEJS_LATEST, so a CDK upgrade never
 * changes it silently: cdk-nag's AwsSolutions-L1 fails the synth when a newer one appears, and the bump
 * is then a reviewed change.
 */
export const REACTOR_RUNTIME = Runtime.NODEJS_24_X;

export const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: 'INFO',
} as const;

/**
 * How every function is bundled; `npm run bench` builds the same bundles with esbuild's API from these
 * settings, to report their size and module init time (BENCHMARKS.md).
 *
 * The AWS SDK v3 clients stay in the bundle, so the versions pinned in package-lock.json are the ones
 * that run, not whatever the runtime ships. It is also the faster cold start: measured, the stop
 * function loads in about 220 ms bundled, against about 380 ms with `@aws-sdk/*` external and the
 * clients loaded from node_modules (many unminified CommonJS files), although the bundle is larger.
 *
 * `mainFields: module, main` makes esbuild take each package's ES module build, whose unused exports it
 * can drop (it cannot drop those of CommonJS): the bundles shrink by 15 to 36 % and load 14 to 57 %
 * faster. What remains is mostly zod's namespace and the EC2 client's serialization schemas, which
 * esbuild cannot drop (BENCHMARKS.md). Nothing is external: the SDK's optional SigV4a signers are
 * required inside a try block and are never needed by the reactor.
 */
export const REACTOR_BUNDLING = {
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [],
  // esbuild's per-bundle sizes at every synth are noise (npm run synth); its errors still show.
  logLevel: LogLevel.ERROR,
} as const satisfies BundlingOptions;

export interface ReactorFunctionProps {
  /** The handler's folder under lambdas/ (its entry is `lambdas/<folder>/index.ts`). */
  readonly folder: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** How long the function's own log group keeps its events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Environment variables on top of the Powertools ones.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Where Lambda puts an asynchronous invocation that failed all its attempts.
   * @default - no dead-letter queue (synchronous invocations, such as a Step Functions task, report
   * their error to the caller)
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A reactor Lambda function: the newest Node.js runtime the CDK knows, ARM64, X-Ray tracing, a log
 * group of its own with retention, Powertools configured, and an esbuild bundle that includes the AWS
 * SDK v3 clients (so the versions in package-lock.json are the versions that run).
 *
 * Its role is its own too (`<id>Role`) and starts with nothing but writing to the function's log
 * group, instead of the AWSLambdaBasicExecutionRole managed policy (logs on `*`). The log group
 * (`<id>LogGroup`) and the role are siblings of the function, because a subclass cannot create
 * children before calling `super`.
 */
export class ReactorFunction extends NodejsFunction {
  /** The function's own role (the same object as `role`, typed as a Role). */
  public readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReactorFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, { retention: props.logRetention });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the key-lifecycle reactor's ${props.folder} function`,
    });

    super(scope, id, {
      entry: handlerEntry(props.folder),
      handler: 'handler',
      description: props.description,
      runtime: REACTOR_RUNTIME,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      logGroup,
      role,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: ROOT_DIR,
      depsLockFilePath: path.join(ROOT_DIR, 'package-lock.json'),
      environment: {
        ...POWERTOOLS_ENVIRONMENT,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: { ...REACTOR_BUNDLING, mainFields: [...REACTOR_BUNDLING.mainFields], externalModules: [] },
    });

    this.executionRole = role;
    logGroup.grantWrite(role);

    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords to the role's default
    // policy. Any other permission on `*` goes into a separate policy with its own acknowledgment.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; ' +
        'this default policy holds no other statement on "*" (those sit in named policies).',
    });
  }
}

import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EFSClient } from '@aws-sdk/client-efs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { type AwsOptions, awsClient } from './aws';
import { type Clock, realSleep, systemClock } from './clock';
import { ENV } from './contract';
import type { ConvergeParts, Drivers } from './converge';
import { createDrivers } from './drivers';
import { Mailer } from './email/mailer';
import { DependentFinder } from './encrypted-dependents';
import { Guard } from './guard';
import { KeyReader } from './key-reader';
import { Notifier } from './notifier';
import { traceClient } from './observability';
import { LocalBuckets, SharedBuckets } from './pacing/buckets';
import { Pacer } from './pacing/pacer';
import { EventPublisher } from './publisher';
import { type ReactorSettings, required, settingsFromEnvironment } from './settings';
import { createStore, type Store } from './store';
import { createTable } from './store/table';
import { timeBoxOf } from './time-box';

/**
 * The one way the reactor's parts are built: from explicit settings, AWS options and a clock. A Lambda
 * entry point builds the few parts its handler needs, once, at module scope (`fromEnvironment`); the CLI,
 * the sandbox, the bench and the tests build a whole `Reactor` (reactor.ts) from their own options.
 * Each builder names only the clients it needs, so a function's bundle holds only those.
 */
export interface PartsSource {
  readonly settings: ReactorSettings;
  readonly aws: AwsOptions;
  readonly clock: Clock;
}

/** What a Lambda entry point builds from: its environment, X-Ray tracing, the system clock. */
export function fromEnvironment(env: Readonly<Record<string, string | undefined>>): PartsSource {
  return { settings: settingsFromEnvironment(env), aws: { instrument: [traceClient] }, clock: systemClock };
}

export function buildStore({ settings, aws, clock }: PartsSource): Store {
  return createStore(awsClient(DynamoDBClient, aws), {
    tableName: required(settings.tableName, ENV.tableName),
    leaseSeconds: settings.leaseSeconds,
    clock,
  });
}

/** The pause switch and the circuit breaker, on the given store (one is built when none is given). */
export function buildGuard(source: PartsSource, store: Store = buildStore(source)): Guard {
  return new Guard(store, { breakerLimit: source.settings.breakerKeys, clock: source.clock });
}

export function buildKeyReader({ aws }: PartsSource): KeyReader {
  return new KeyReader(awsClient(KMSClient, aws));
}

/** The pacer of the drivers' calls the settings ask for (`pacing`), if any. */
export function buildPacer({ settings, aws, clock }: PartsSource): Pacer | undefined {
  const mode = settings.pacing ?? 'off';
  if (mode === 'off') return undefined;
  // Shared buckets live in the table; a function given none (a driver used alone) paces on its own.
  const buckets =
    mode === 'shared' && settings.tableName !== undefined
      ? new SharedBuckets(createTable(awsClient(DynamoDBClient, aws), settings.tableName, clock))
      : new LocalBuckets();
  return new Pacer({ buckets, clock, sleep: realSleep });
}

export function buildDrivers(source: PartsSource): Drivers {
  const { settings } = source;
  const pacer = buildPacer(source);
  const aws = pacer
    ? { ...source.aws, instrument: [...(source.aws.instrument ?? []), pacer.instrument] }
    : source.aws;
  const ec2 = awsClient(EC2Client, aws);
  return createDrivers(
    {
      ecs: awsClient(ECSClient, aws),
      ec2,
      rds: awsClient(RDSClient, aws),
      autoscaling: awsClient(AutoScalingClient, aws),
      applicationAutoScaling: awsClient(ApplicationAutoScalingClient, aws),
    },
    settings.managedTag,
  );
}

/** The safety net by encryption: what each service says is encrypted with a key (read only). */
export function buildDependentFinder({ settings, aws }: PartsSource): DependentFinder {
  return new DependentFinder(
    {
      rds: awsClient(RDSClient, aws),
      ec2: awsClient(EC2Client, aws),
      autoscaling: awsClient(AutoScalingClient, aws),
      elasticache: awsClient(ElastiCacheClient, aws),
      efs: awsClient(EFSClient, aws),
      s3: awsClient(S3Client, aws),
    },
    { managedTag: settings.managedTag },
  );
}

/** What the stop and start steps need: the table, the key, the drivers, the managed tag, the clock and the time box. */
export function buildConvergeParts(source: PartsSource): ConvergeParts {
  return {
    store: buildStore(source),
    keys: buildKeyReader(source),
    drivers: buildDrivers(source),
    managedTag: source.settings.managedTag,
    clock: source.clock,
    timeBox: timeBoxOf(source.settings),
  };
}

export function buildMailer({ settings, aws }: PartsSource): Mailer {
  return new Mailer(awsClient(SESClient, aws), {
    senderAddress: required(settings.senderAddress, ENV.senderAddress),
    operatorAddresses: settings.operatorAddresses,
  });
}

/** The operators' page: their SNS topic, when the settings name one. */
export function buildNotifier({ settings, aws }: PartsSource): Notifier {
  return new Notifier(awsClient(SNSClient, aws), { topicArn: settings.notificationTopicArn });
}

export function buildStepFunctions({ aws }: PartsSource): SFNClient {
  return awsClient(SFNClient, aws);
}

export function buildEventBridge({ aws }: PartsSource): EventBridgeClient {
  return awsClient(EventBridgeClient, aws);
}

/** The reactor's own events (reactor-events.ts), put on the platform bus the settings name. */
export function buildPublisher({ settings, aws }: PartsSource): EventPublisher {
  return new EventPublisher(awsClient(EventBridgeClient, aws), { eventBusName: settings.eventBusName });
}

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
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { type AwsOptions, awsClient } from './aws';
import { type Clock, realSleep, systemClock } from './clock';
import { ENV } from './contract';
import type { ConvergeParts, Drivers } from './converge';
import { type ActingClients, createDrivers, type DriverClients } from './drivers';
import { Mailer } from './email/mailer';
import { DependentFinder } from './encrypted-dependents';
import { Guard } from './guard';
import { KeyReader } from './key-reader';
import { KeyResources } from './key-resources';
import { KeySessions } from './key-session';
import { Notifier } from './notifier';
import { traceClient } from './observability';
import { LocalBuckets, SharedBuckets } from './pacing/buckets';
import { Pacer } from './pacing/pacer';
import { EventPublisher } from './publisher';
import { withOverrides } from './rate-limits';
import { type ReactorSettings, required, settingsFromEnvironment } from './settings';
import { createStore, type Store } from './store';
import { createTable } from './store/table';
import { TagDirectory } from './tag-directory';
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
  const resources = buildKeyResources(source, store);
  return new Guard(store, {
    breakerLimit: source.settings.breakerKeys,
    clock: source.clock,
    keysWithResources: () => resources.keysWithResources(),
  });
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
  return new Pacer({
    buckets,
    clock,
    sleep: realSleep,
    limits: withOverrides(settings.pacer?.limits),
    maxWaitMs: settings.pacer?.maxWaitMs,
  });
}

/** Each source's paced options, so the drivers and the tag reads of one function draw on one pacer. */
const pacedBySource = new WeakMap<PartsSource, AwsOptions>();

/**
 * The AWS options of the clients whose calls the rate limits meter (the drivers', the tag reads'): the
 * source's, with the pacer's middleware if pacing is on.
 */
function pacedAws(source: PartsSource): AwsOptions {
  let paced = pacedBySource.get(source);
  if (!paced) {
    const pacer = buildPacer(source);
    paced = pacer
      ? { ...source.aws, instrument: [...(source.aws.instrument ?? []), pacer.instrument] }
      : source.aws;
    pacedBySource.set(source, paced);
  }
  return paced;
}

/** Which way a step moves a key's resources: the stop step's or the start step's key role. */
export type Direction = 'stop' | 'start';

function actingClients(aws: AwsOptions): ActingClients {
  return {
    ecs: awsClient(ECSClient, aws),
    ec2: awsClient(EC2Client, aws),
    rds: awsClient(RDSClient, aws),
    autoscaling: awsClient(AutoScalingClient, aws),
  };
}

function readingClients(aws: AwsOptions): DriverClients {
  return { ...actingClients(aws), applicationAutoScaling: awsClient(ApplicationAutoScalingClient, aws) };
}

/** Drivers on the function's own credentials: the reads of the CLI and the sweep, and local runs. */
export function buildDrivers(source: PartsSource): Drivers {
  return createDrivers(readingClients(pacedAws(source)), source.settings.managedTag);
}

/**
 * The drivers for one key at a time: they read with the function's own role, and stop or start with a
 * session of the direction's key role tagged with the key, one client set per key kept with its
 * session (key-session.ts). Without a role configured, outside Lambda, the function's own credentials act.
 * One pacer serves every key's clients, reading and acting: AWS meters the account, not the session.
 */
export function buildKeyDrivers(
  source: PartsSource,
  direction: Direction,
): (keyArn: string) => Promise<Drivers> {
  const { settings, aws, clock } = source;
  const paced = pacedAws(source);
  const reading = readingClients(paced);
  const sessions = new KeySessions<Drivers>({
    roleArn: settings.keyRoleArns[direction],
    required: settings.keyRolesRequired,
    roleArnVariable: direction === 'stop' ? ENV.stopKeyRoleArn : ENV.startKeyRoleArn,
    sts: awsClient(STSClient, aws),
    build: (credentials) =>
      createDrivers(
        { ...reading, acting: credentials ? actingClients({ ...paced, credentials }) : undefined },
        settings.managedTag,
      ),
    clock,
  });
  return (keyArn) => sessions.forKey(keyArn);
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

/**
 * Which resources belong to which key, from their `key-reactor:key-arn` tags (read only). Paced: a
 * DescribeAutoScalingGroups draws from the bucket the groups' stops and starts draw from, so a step
 * whose read the pacer holds back waits for it in the workflow (converge.ts), as a held-back pass does.
 */
export function buildTagDirectory(source: PartsSource): TagDirectory {
  const aws = pacedAws(source);
  return new TagDirectory({
    tagging: awsClient(ResourceGroupsTaggingAPIClient, aws),
    autoscaling: awsClient(AutoScalingClient, aws),
  });
}

/** A key's resources: its tagged resources merged with its table rows (key-resources.ts). */
export function buildKeyResources(source: PartsSource, store: Store = buildStore(source)): KeyResources {
  return new KeyResources(store, buildTagDirectory(source));
}

/**
 * What the stop or start step needs: the table, the key's resources, the key, the drivers for each key,
 * the managed tag, the clock and the time box.
 */
export function buildConvergeParts(source: PartsSource, direction: Direction): ConvergeParts {
  const store = buildStore(source);
  return {
    store,
    resources: buildKeyResources(source, store),
    keys: buildKeyReader(source),
    driversFor: buildKeyDrivers(source, direction),
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

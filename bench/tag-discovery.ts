import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../lambdas/shared/contract';
import { TagDirectory } from '../lambdas/shared/tag-directory';
import type { MotoServer } from '../sandbox/moto';
import { type AwsClients, SANDBOX_CREDENTIALS, stockImageId, worldClients } from '../sandbox/world';
import { type FleetMix, mixOf } from './fleet';

/**
 * How long finding a key's tagged resources takes, and in how many AWS calls (issue 14's figure): N
 * resources tagged for one key (the bench's usual mix, mostly EC2 instances, with ECS services and RDS
 * instances) and some tagged for other keys, on moto, then TagDirectory.list for the key and
 * TagDirectory.all for the account, each timed over a few runs. The calls are the pages: the tagging
 * API gives at most 100 resources a page, so N / 100 pages (rounded up) plus one DescribeAutoScalingGroups.
 */

export const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** Resource identifiers need not be real keys: the directory reads the tag's value, it never calls KMS. */
export const keyArnOf = (index: number) =>
  `arn:aws:kms:${REGION}:${ACCOUNT}:key/${String(index).padStart(8, '0')}-0000-4000-8000-000000000000`;

const RUN_INSTANCES_BATCH = 250;
const SETUP_CONCURRENCY = 8;

export interface TagDiscoveryOptions {
  /** Resources tagged for the key measured. @default 1000 */
  readonly count?: number;
  /** Resources tagged for each other key. @default 50 */
  readonly othersPerKey?: number;
  /** Other keys. @default 2 */
  readonly otherKeys?: number;
  /** Timed runs of each listing; the figure is their median. @default 3 */
  readonly runs?: number;
  readonly log?: (line: string) => void;
}

/** One listing's figure: its wall time over the runs and the AWS calls (pages) each made. */
export interface ListingFigure {
  readonly found: number;
  readonly calls: number;
  readonly ms: { readonly min: number; readonly median: number; readonly max: number };
}

export interface TagDiscoveryReport {
  readonly measuredAt: string;
  readonly endpoint: 'moto';
  readonly resources: number;
  readonly mix: FleetMix;
  readonly otherKeys: number;
  readonly othersPerKey: number;
  readonly setupMs: number;
  /** TagDirectory.list(key): the workflows' and the CLI's read of one key. */
  readonly list: ListingFigure;
  /** TagDirectory.all(): the sweep's read of every key. */
  readonly all: ListingFigure & { readonly keys: number };
}

const tagsFor = (keyArn: string) => [
  { Key: KEY_ARN_TAG, Value: keyArn },
  { Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value },
];

/** One key's fleet of `mix`, each resource tagged for it at creation, in bulk (RunInstances MaxCount). */
async function createTaggedFleet(
  clients: AwsClients,
  name: string,
  keyArn: string,
  mix: FleetMix,
): Promise<void> {
  const tags = tagsFor(keyArn);
  if (mix.services > 0) {
    await clients.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const { taskDefinition } = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }],
      }),
    );
    await mapWithConcurrency(
      Array.from({ length: mix.services }, (_, index) => `svc-${index}`),
      SETUP_CONCURRENCY,
      (serviceName) =>
        clients.ecs.send(
          new CreateServiceCommand({
            cluster: name,
            serviceName,
            taskDefinition: taskDefinition?.taskDefinitionArn,
            desiredCount: 1,
            tags: tags.map(({ Key, Value }) => ({ key: Key, value: Value })),
          }),
        ),
    );
  }
  const imageId = await stockImageId(clients.ec2);
  for (let left = mix.instances; left > 0; left -= RUN_INSTANCES_BATCH) {
    const count = Math.min(left, RUN_INSTANCES_BATCH);
    await clients.ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: count,
        MaxCount: count,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
      }),
    );
  }
  await mapWithConcurrency(
    Array.from({ length: mix.databases }, (_, index) => `${name}-db-${index}`),
    SETUP_CONCURRENCY,
    (identifier) =>
      clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: identifier,
          Engine: 'postgres',
          DBInstanceClass: 'db.t3.micro',
          AllocatedStorage: 20,
          MasterUsername: 'platform',
          MasterUserPassword: 'not-a-secret-1',
          Tags: tags,
        }),
      ),
  );
}

function spread(values: readonly number[]): ListingFigure['ms'] {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number | undefined) => Math.round((value ?? Number.NaN) * 10) / 10;
  return {
    min: round(sorted[0]),
    median: round(sorted[Math.floor(sorted.length / 2)]),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Times `read` over `runs` runs; every run must find the same number with the same number of calls. */
async function timed(
  runs: number,
  read: () => Promise<{ found: number; calls: number }>,
): Promise<ListingFigure> {
  const times: number[] = [];
  let last: { found: number; calls: number } | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = await read();
    times.push(performance.now() - started);
    if (last && (last.found !== result.found || last.calls !== result.calls))
      throw new Error(`the listing changed between runs: ${JSON.stringify([last, result])}`);
    last = result;
  }
  return { found: last?.found ?? 0, calls: last?.calls ?? 0, ms: spread(times) };
}

/** Builds the tagged fleets on `moto` (reset first) and measures both listings. */
export async function runTagDiscovery(
  moto: MotoServer,
  options: TagDiscoveryOptions = {},
): Promise<TagDiscoveryReport> {
  const count = options.count ?? 1000;
  const othersPerKey = options.othersPerKey ?? 50;
  const otherKeys = options.otherKeys ?? 2;
  const runs = options.runs ?? 3;
  const log = options.log ?? (() => undefined);
  await moto.reset();
  const clients = worldClients(moto.endpoint, REGION);

  const setupStarted = performance.now();
  const mix = mixOf(count);
  log(
    `Creating ${count} resources tagged for one key (${JSON.stringify(mix)}) and ${otherKeys} × ${othersPerKey} for others`,
  );
  await createTaggedFleet(clients, 'measured', keyArnOf(0), mix);
  for (let other = 1; other <= otherKeys; other++)
    if (othersPerKey > 0)
      await createTaggedFleet(clients, `other-${other}`, keyArnOf(other), mixOf(othersPerKey));
  const setupMs = Math.round(performance.now() - setupStarted);

  const config = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  };
  const directory = new TagDirectory({
    tagging: new ResourceGroupsTaggingAPIClient(config),
    autoscaling: clients.autoscaling,
  });
  log('Timing TagDirectory.list(key) and TagDirectory.all()');
  const list = await timed(runs, async () => {
    const listing = await directory.list(keyArnOf(0));
    return { found: listing.resources.length, calls: listing.calls };
  });
  let keys = 0;
  const all = await timed(runs, async () => {
    const listing = await directory.all();
    keys = listing.byKey.size;
    return {
      found: [...listing.byKey.values()].reduce((sum, group) => sum + group.length, 0),
      calls: listing.calls,
    };
  });
  return {
    measuredAt: new Date().toISOString(),
    endpoint: 'moto',
    resources: count,
    mix,
    otherKeys,
    othersPerKey,
    setupMs,
    list,
    all: { ...all, keys },
  };
}

/** The figure as BENCHMARKS.md and the console give it. */
export function formatTagDiscovery(report: TagDiscoveryReport): string {
  const others = report.otherKeys * report.othersPerKey;
  return [
    `Tag discovery on moto: ${report.resources} resources tagged for one key ` +
      `(${report.mix.instances} EC2 instances, ${report.mix.databases} RDS instances, ${report.mix.services} ECS services), ` +
      `${others} tagged for ${report.otherKeys} other keys`,
    `  list(key): found ${report.list.found} in ${report.list.calls} calls, ` +
      `${report.list.ms.median} ms median (min ${report.list.ms.min}, max ${report.list.ms.max})`,
    `  all():     found ${report.all.found} of ${report.all.keys} keys in ${report.all.calls} calls, ` +
      `${report.all.ms.median} ms median (min ${report.all.ms.min}, max ${report.all.ms.max})`,
    `  setup: ${report.setupMs} ms`,
  ].join('\n');
}

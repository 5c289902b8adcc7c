import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { resourceIdOf } from '../lambdas/shared/arn';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import { reactorTags } from '../sandbox/fleet-tags';
import type { SweepSummary } from '../sandbox/reactor';
import { LocalReactor } from '../sandbox/reactor';
import { type FleetMember, runManagedInstances, stockImageId } from '../sandbox/world';
import { CallTimer, type OperationTime } from './call-timer';
import { callsByOperation } from './metrics';
import { realMilliseconds } from './model/virtual-clock';

/**
 * The scheduled sweep over many keys: `keys` customer keys, each with one EC2 instance tagged for it and
 * its registry row, all usable and in sync, then the real sweep handler (lambdas/sweep) run once through
 * the local reactor. A healthy fleet is the sweep's common case and its floor: one read of the account's
 * tags, one Scan of the table, one DescribeKey per key, and nothing observed.
 */

export interface SweepOptions {
  /** Setup calls in flight at once (moto is one process; more only queues). @default 16 */
  readonly setupConcurrency?: number;
  /**
   * Runs the setup, which is not measured: the modelled sweep sends it past the AWS model
   * (AwsModel.unmodelled), where each call's modelled latency would cost a turn of the virtual clock.
   * @default as it is
   */
  readonly setup?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** A running local reactor to use (reset first); by default one is started and stopped. */
  readonly reactor?: LocalReactor;
}

export interface SweepFigures {
  readonly keys: number;
  /** Real milliseconds the setup took, whatever clock the sweep runs on. */
  readonly setupMs: number;
  /** The sweep invocation, from the call to its return. */
  readonly wallMs: number;
  /** Lambda invocations the sweep took: one, since the sweep is one function run by the schedule. */
  readonly invocations: number;
  readonly awsCalls: { readonly total: number; readonly byOperation: Record<string, number> };
  /** Time spent waiting for AWS (moto), summed per operation, the largest five. */
  readonly callTime: Record<string, OperationTime>;
  readonly summary: Pick<SweepSummary, 'keys' | 'inSync' | 'drift' | 'unreadable' | 'failed'>;
}

/** A sweep whose summary says it did not see every key in sync, which the figures would misreport. */
export class SweepBenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepBenchError';
  }
}

/** RunInstances per call, as bench/fleet.ts. */
const RUN_INSTANCES_BATCH = 250;

async function world(
  local: LocalReactor,
  keys: number,
  concurrency: number,
  log: (line: string) => void,
): Promise<void> {
  const { clients, place, reactor } = local;
  let phaseStarted = realMilliseconds();
  const phase = (name: string) => {
    const now = realMilliseconds();
    log(`sweep setup: ${name} in ${((now - phaseStarted) / 1000).toFixed(1)} s`);
    phaseStarted = now;
  };
  const keyArns = await mapWithConcurrency(
    Array.from({ length: keys }, (_, index) => index),
    concurrency,
    async (index) => {
      const { KeyMetadata } = await clients.kms.send(
        new CreateKeyCommand({ Description: `Sweep key ${index}` }),
      );
      if (!KeyMetadata?.Arn) throw new SweepBenchError('moto returned no key ARN');
      return KeyMetadata.Arn;
    },
  );
  phase(`${keys} keys created`);
  const imageId = await stockImageId(clients.ec2);
  const instances: FleetMember[] = [];
  for (let left = keys; left > 0; left -= RUN_INSTANCES_BATCH) {
    const count = Math.min(left, RUN_INSTANCES_BATCH);
    instances.push(...(await runManagedInstances(clients, { imageId, count, account: place.account })));
  }
  phase(`${keys} instances run`);
  const members = keyArns.map((keyArn, index) => ({ keyArn, member: instances[index] as FleetMember }));
  // A tag's value is its key's ARN, so each instance is one CreateTags: the tagging API's TagResources
  // would take 20 at a time on AWS, but moto's does not cover EC2 (sandbox/fleet-tags.ts).
  await mapWithConcurrency(members, concurrency, async ({ keyArn, member }) => {
    const tags = reactorTags(keyArn, reactor.settings.managedTag);
    await clients.ec2.send(
      new CreateTagsCommand({
        Resources: [resourceIdOf(member.resourceArn)],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  });
  phase(`${keys} instances tagged`);
  await reactor.store.registry.registerAll(
    members.map(({ keyArn, member }) => ({ keyArn, resourceArn: member.resourceArn, layer: member.layer })),
  );
  phase(`${keys} rows registered`);
}

export async function measureSweep(keys: number, options: SweepOptions = {}): Promise<SweepFigures> {
  const log = options.log ?? (() => undefined);
  const timer = new CallTimer();
  const local =
    options.reactor ??
    (await LocalReactor.start({
      graceMs: 0,
      graceSeconds: 0,
      pollMs: 20,
      retryMs: 50,
      instrument: [timer.instrument],
    }));
  try {
    if (options.reactor) await local.reset();
    // Real time: the setup is not measured, and in modelled time it would read as the model's latencies.
    const setupStarted = realMilliseconds();
    const setup = options.setup ?? ((work) => work());
    await setup(() => world(local, keys, options.setupConcurrency ?? 16, log));
    const setupMs = Math.round(realMilliseconds() - setupStarted);
    log(`sweep: ${keys} keys set up in ${(setupMs / 1000).toFixed(1)} s`);

    local.calls.clear();
    timer.clear();
    const started = performance.now();
    const summary = await local.runSweep();
    const wallMs = Math.round(performance.now() - started);
    log(`sweep: ${keys} keys swept in ${(wallMs / 1000).toFixed(1)} s`);
    if (summary.keys !== keys || summary.inSync !== keys) {
      throw new SweepBenchError(
        `The sweep saw ${summary.keys} keys, ${summary.inSync} in sync, of ${keys} set up in sync`,
      );
    }
    return {
      keys,
      setupMs,
      wallMs,
      invocations: 1,
      awsCalls: { total: local.calls.calls.length, byOperation: callsByOperation(local.calls.calls) },
      callTime: Object.fromEntries(Object.entries(timer.snapshot()).slice(0, 5)),
      summary: {
        keys: summary.keys,
        inSync: summary.inSync,
        drift: summary.drift,
        unreadable: summary.unreadable,
        failed: summary.failed,
      },
    };
  } finally {
    if (!options.reactor) await local.stop();
  }
}

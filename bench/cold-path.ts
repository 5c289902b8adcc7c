import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import type { AwsCall } from '../sandbox/aws-calls';
import { cloudTrailEvent, type EventBridgeEvent } from '../sandbox/cloudtrail';
import type { ExecutionRecord } from '../sandbox/local-workflows';
import type { MotoServer } from '../sandbox/moto';
import type { LocalReactor } from '../sandbox/reactor';
import { createCustomerKey } from '../sandbox/world';
import type { BundleFigures } from './bundles';
import { createBulkFleet, type FleetMix, registerBulkFleet } from './fleet';
import { median } from './metrics';
import type { LambdaModelOptions } from './model/lambda-model';
import { ModelledReactor, type ModelledReactorOptions } from './model/modelled-reactor';

/**
 * The cold path in modelled time (bench/model): how long after a key event the first resource is acted
 * on when every function starts cold, with AWS's latencies and Lambda's cold starts as modelled.
 *
 * - `enable event to first start`: from the EnableKey event reaching the dispatcher (delivered through the
 *   sandbox's EventBridge, as the rule's target would get it) to the first StartInstances,
 *   StartDBInstance or UpdateService call that answered.
 * - `grace end to first stop`: from the disable workflow leaving "Wait for the grace period" to the first
 *   stop call that answered.
 *
 * EventBridge's own delivery (CloudTrail to the rule to the dispatcher) is not part of either figure.
 */

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface ColdPathFigures {
  /** Seconds, modelled. */
  readonly enableToFirstStartS: Spread;
  /** Seconds, modelled. */
  readonly graceEndToFirstStopS: Spread;
  readonly repeats: number;
  readonly fleet: FleetMix;
  /** Cold starts per repeat, summed over functions (the same each time when all goes as modelled). */
  readonly coldStarts: readonly number[];
  /** Throttled attempts, summed over repeats. */
  readonly throttled: number;
  /** Real milliseconds the measurement took. */
  readonly realMs: number;
}

export interface ColdPathOptions {
  /** @default 3 */
  readonly repeats?: number;
  /** @default 1 service, 3 instances, 1 database */
  readonly fleet?: FleetMix;
  /** Each function's module init: measureBundles' figures (or the Lambda model's options). */
  readonly bundles: readonly BundleFigures[] | LambdaModelOptions;
  /** A moto server to use (reset first). @default a new one */
  readonly moto?: MotoServer;
  /** @default 600, as deployed */
  readonly graceSeconds?: number;
  /** Reactor settings besides the modelled reactor's own (its pacing, say). @default none */
  readonly settings?: ModelledReactorOptions['settings'];
  readonly log?: (line: string) => void;
}

/** A cold path that did not happen: a workflow failed, or never acted on the fleet. */
export class ColdPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ColdPathError';
  }
}

const GRACE_STATE = 'Wait for the grace period';

const isStart = (call: AwsCall) =>
  !call.error &&
  (['StartInstances', 'StartDBInstance', 'StartDBCluster'].includes(call.operation) ||
    (call.operation === 'UpdateService' && Number(call.input.desiredCount) > 0));
const isStop = (call: AwsCall) =>
  !call.error &&
  (['StopInstances', 'StopDBInstance', 'StopDBCluster', 'SuspendProcesses'].includes(call.operation) ||
    (call.operation === 'UpdateService' && call.input.desiredCount === 0));

export function spreadOf(values: readonly number[]): Spread {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    min: round(Math.min(...values)),
    median: round(median([...values])),
    max: round(Math.max(...values)),
  };
}

function succeeded(execution: ExecutionRecord | undefined, what: string): ExecutionRecord {
  if (execution?.status !== 'SUCCEEDED') {
    throw new ColdPathError(
      `The ${what} run ended ${execution?.status ?? 'never started'}: ${execution?.error?.Error ?? ''} ${execution?.error?.Cause ?? ''}`,
    );
  }
  return execution;
}

function firstAt(
  calls: readonly AwsCall[],
  from: number,
  acts: (call: AwsCall) => boolean,
  what: string,
): number {
  const call = calls.find((candidate) => candidate.at >= from && acts(candidate));
  if (!call) throw new ColdPathError(`No ${what} call after ${new Date(from).toISOString()}`);
  return call.at;
}

/** A customer key with a bulk fleet of `mix` registered to it, built on the modelled reactor's clock. */
export function keyWithFleet(
  modelled: ModelledReactor,
  description: string,
  prefix: string,
  mix: FleetMix,
): Promise<string> {
  const { clients, place, reactor } = modelled.local;
  return modelled.run(async () => {
    const keyArn = await createCustomerKey(clients, description);
    await registerBulkFleet(
      reactor,
      clients,
      keyArn,
      await createBulkFleet(clients, place.account, prefix, mix),
    );
    return keyArn;
  });
}

/** The CloudTrail event of a change of the key, as EventBridge delivers it, stamped now (modelled). */
export function keyEvents(local: LocalReactor, keyArn: string): (eventName: string) => EventBridgeEvent {
  return (eventName) =>
    cloudTrailEvent({
      eventName,
      keyId: keyIdOf(keyArn),
      keyArn,
      ...local.place,
      userName: 'bench',
      at: new Date(),
    });
}

/** One repeat: a fresh world, a disable run then an enable run, each with every function cold. */
async function once(modelled: ModelledReactor, mix: FleetMix): Promise<{ enable: number; graceEnd: number }> {
  const { local } = modelled;
  await modelled.reset();
  const { clients } = local;
  const keyArn = await keyWithFleet(modelled, 'Cold path key', 'cold', mix);
  const event = keyEvents(local, keyArn);

  modelled.lambda.coldStart();
  await modelled.run(async () => {
    await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    await local.publish(event('DisableKey'));
    await local.idle();
  });
  const disable = succeeded(
    local.executions.find((execution) => execution.workflow === 'disable'),
    'disable',
  );
  const graceExit = disable.events.find(
    (entry) => entry.type === 'StateExited' && entry.state.name === GRACE_STATE,
  );
  if (!graceExit) throw new ColdPathError(`The disable run never left "${GRACE_STATE}"`);
  const firstStop = firstAt(local.calls.calls, graceExit.timestamp, isStop, 'stop');

  modelled.lambda.coldStart();
  let reached = 0;
  await modelled.run(async () => {
    await clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const delivered = event('EnableKey');
    // Nothing modelled lies between this instant and the dispatcher's invocation: the event bus is moto's,
    // unmodelled, and its calls stand the clock still.
    reached = Date.now();
    await local.publish(delivered);
    await local.idle();
  });
  succeeded(
    local.executions.find((execution) => execution.workflow === 'enable'),
    'enable',
  );
  const firstStart = firstAt(local.calls.calls, reached, isStart, 'start');
  return { enable: (firstStart - reached) / 1000, graceEnd: (firstStop - graceExit.timestamp) / 1000 };
}

/** Measures both cold-path figures `repeats` times, each on a fresh world with fresh warm pools. */
export async function measureColdPath(options: ColdPathOptions): Promise<ColdPathFigures> {
  const started = performance.now();
  const repeats = options.repeats ?? 3;
  const fleet = options.fleet ?? { services: 1, instances: 3, databases: 1 };
  const lambda = Array.isArray(options.bundles)
    ? { bundles: options.bundles as readonly BundleFigures[] }
    : (options.bundles as LambdaModelOptions);
  const modelled = await ModelledReactor.start({
    lambda,
    graceSeconds: options.graceSeconds,
    moto: options.moto,
    settings: options.settings,
  });
  const enable: number[] = [];
  const graceEnd: number[] = [];
  const coldStarts: number[] = [];
  let throttled = 0;
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const figures = await once(modelled, fleet);
      enable.push(figures.enable);
      graceEnd.push(figures.graceEnd);
      coldStarts.push(Object.values(modelled.lambda.stats()).reduce((sum, { cold }) => sum + cold, 0));
      throttled += modelled.aws.throttledTotal();
      options.log?.(
        `cold path ${repeat + 1}/${repeats}: enable to first start ${figures.enable.toFixed(2)} s, grace end to first stop ${figures.graceEnd.toFixed(2)} s`,
      );
    }
  } finally {
    await modelled.stop();
  }
  return {
    enableToFirstStartS: spreadOf(enable),
    graceEndToFirstStopS: spreadOf(graceEnd),
    repeats,
    fleet,
    coldStarts,
    throttled,
    realMs: Math.round(performance.now() - started),
  };
}

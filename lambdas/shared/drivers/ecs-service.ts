import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { kindOf, parseArn } from '../arn';
import { chunk, mapWithConcurrency } from '../concurrency';
import type { ManagedTag } from '../contract';
import { InvalidInputError, TransientError, UnsupportedResourceError } from '../errors';
import type { Observation } from '../model';
import {
  EcsScalableTargets,
  ecsResourceId,
  FULLY_SUSPENDED,
  isFullySuspended,
  type Suspension,
  sameSuspension,
  suspensionFromRestore,
  suspensionToRestore,
} from './app-autoscaling';
import { type Driver, hasManagedTag, keyTagOf, type Observed, type RestoreTarget, withFacts } from './driver';

/** DescribeServices takes at most 10 services per call. */
const DESCRIBE_BATCH = 10;
/** UpdateService takes one service per call; a few at a time keeps us clear of ECS's API rate limits. */
const CONCURRENCY = 5;

interface ServiceRef {
  readonly clusterArn: string;
  readonly serviceArn: string;
  readonly name: string;
  /** The service as Application Auto Scaling names it: service/<cluster>/<name>. */
  readonly resourceId: string;
}

/** What status saw of the service's scalable target: its suspension, or none when it has no target. */
interface EcsFacts {
  readonly scaling?: Suspension;
}

type Found = { readonly service: Service } | { readonly missing: string };

function refOf(resourceArn: string): ServiceRef {
  const kind = kindOf(resourceArn);
  const parts = parseArn(resourceArn);
  if (kind !== 'ecs-service' || !parts) {
    throw new UnsupportedResourceError(`${resourceArn} is an ${kind}, not an ecs-service`);
  }
  // kindOf accepted the long format, so the resource is exactly service/<cluster>/<name>.
  const [, cluster, name] = parts.resource.split('/') as [string, string, string];
  return {
    clusterArn: `arn:${parts.partition}:ecs:${parts.region}:${parts.account}:cluster/${cluster}`,
    serviceArn: resourceArn,
    name,
    resourceId: ecsResourceId(cluster, name),
  };
}

const keyOf = (clusterArn: string, name: string): string => `${clusterArn}|${name}`;

/**
 * Read the desired count to bring back. Anything else is a broken ledger entry; starting the service
 * with a guessed count would be worse than failing the step where an operator sees it.
 */
function desiredCountOf(target: RestoreTarget): number {
  const count = target.restore.desiredCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count <= 0) {
    throw new InvalidInputError(
      `Cannot start ${target.observation.resourceArn}: its restore state needs desiredCount as a positive integer, got ${JSON.stringify(count)}`,
    );
  }
  return count;
}

/**
 * ECS services. Stopping sets the desired count to 0 (the only scale-to-zero the reactor does: tasks
 * hold no data) and remembers the previous count so that start brings the same number back.
 *
 * A service with an Application Auto Scaling target would be scaled back up by it (its minimum, its
 * scheduled actions): stopping first suspends the target's dynamic and scheduled scaling, and the ledger
 * remembers the suspension it had, which comes back once the service runs again (afterStarted).
 */
export class EcsServiceDriver implements Driver {
  readonly kind = 'ecs-service' as const;
  private readonly scaling: EcsScalableTargets;

  /**
   * `actor` makes the UpdateService calls (a key role session); `client` reads. The scalable targets are
   * suspended with `scaling`, the function's own: they carry no key tag to condition on.
   */
  constructor(
    private readonly tag: ManagedTag,
    private readonly client: ECSClient,
    scaling: ApplicationAutoScalingClient,
    private readonly actor: ECSClient = client,
  ) {
    this.scaling = new EcsScalableTargets(scaling);
  }

  async status(resourceArns: readonly string[]): Promise<Observed<EcsFacts>[]> {
    const refs = resourceArns.map(refOf);
    const byCluster = new Map<string, ServiceRef[]>();
    const seen = new Set<string>();
    for (const ref of refs) {
      const key = keyOf(ref.clusterArn, ref.name);
      if (seen.has(key)) continue;
      seen.add(key);
      const group = byCluster.get(ref.clusterArn);
      if (group) group.push(ref);
      else byCluster.set(ref.clusterArn, [ref]);
    }
    const batches = [...byCluster.entries()].flatMap(([clusterArn, services]) =>
      chunk(services, DESCRIBE_BATCH).map((batch) => ({ clusterArn, batch })),
    );
    const found = new Map<string, Found>();
    await mapWithConcurrency(batches, CONCURRENCY, async ({ clusterArn, batch }) => {
      for (const [key, value] of await this.describe(clusterArn, batch)) found.set(key, value);
    });
    const targets = await this.scaling.describe(refs.map((ref) => ref.resourceId));
    return refs.map((ref) => {
      const scaling = targets.get(ref.resourceId);
      const service = found.get(keyOf(ref.clusterArn, ref.name));
      const tags = service && 'service' in service ? service.service.tags : undefined;
      return withFacts(
        { ...this.observe(ref, service, scaling), ...keyTagOf(tags) },
        scaling ? { scaling } : {},
      );
    });
  }

  async stop(observations: readonly Observed[]): Promise<void> {
    const refs = unique(observations.map((observation) => refOf(observation.resourceArn)));
    const scaling = await this.scalingOf(observations);
    await mapWithConcurrency(refs, CONCURRENCY, async (ref) => {
      // Suspended first, while the desired count is still one the target allows (see suspend).
      const current = scaling.get(ref.resourceId);
      if (current && !isFullySuspended(current)) await this.scaling.suspend(ref.resourceId, FULLY_SUSPENDED);
      await this.actor.send(
        new UpdateServiceCommand({ cluster: ref.clusterArn, service: ref.name, desiredCount: 0 }),
      );
    });
  }

  /**
   * Gives each scalable target the suspension the ledger remembered, once its service runs again at its
   * count: resuming scaling earlier would let the target's minimum or schedule race the start.
   */
  async afterStarted(targets: readonly RestoreTarget[]): Promise<void> {
    const remembered = targets.flatMap((target) => {
      const suspension = suspensionFromRestore(target.restore);
      return suspension ? [{ ref: refOf(target.observation.resourceArn), target, suspension }] : [];
    });
    if (remembered.length === 0) return;
    const scaling = await this.scalingOf(remembered.map(({ target }) => target.observation));
    await mapWithConcurrency(remembered, CONCURRENCY, async ({ ref, suspension }) => {
      const current = scaling.get(ref.resourceId);
      // A target deleted meanwhile has nothing to give back; one already as remembered needs no call.
      if (current && !sameSuspension(current, suspension))
        await this.scaling.suspend(ref.resourceId, suspension);
    });
  }

  /** The scalable targets status saw, or, for observations that lost their facts, read again now. */
  private async scalingOf(observations: readonly Observed[]): Promise<Map<string, Suspension>> {
    const known = new Map<string, Suspension>();
    const unknown: string[] = [];
    for (const observation of observations) {
      const { resourceId } = refOf(observation.resourceArn);
      if (!('facts' in observation)) unknown.push(resourceId);
      else {
        const { scaling } = (observation.facts ?? {}) as EcsFacts;
        if (scaling) known.set(resourceId, scaling);
      }
    }
    if (unknown.length > 0)
      for (const [id, state] of await this.scaling.describe(unknown)) known.set(id, state);
    return known;
  }

  async start(targets: readonly RestoreTarget[]): Promise<void> {
    // Validate every target before the first call, so a bad ledger entry never leaves a half-started key.
    const changes = targets.map((target) => ({
      ref: refOf(target.observation.resourceArn),
      desiredCount: desiredCountOf(target),
    }));
    await mapWithConcurrency(changes, CONCURRENCY, ({ ref, desiredCount }) =>
      this.actor.send(new UpdateServiceCommand({ cluster: ref.clusterArn, service: ref.name, desiredCount })),
    );
  }

  private async describe(clusterArn: string, batch: readonly ServiceRef[]): Promise<Map<string, Found>> {
    const found = new Map<string, Found>();
    let services: Service[];
    let failures: { arn?: string; reason?: string; detail?: string }[];
    try {
      const output = await this.client.send(
        new DescribeServicesCommand({
          cluster: clusterArn,
          services: batch.map((ref) => ref.serviceArn),
          include: ['TAGS'],
        }),
      );
      services = output.services ?? [];
      failures = output.failures ?? [];
    } catch (error) {
      // A deleted cluster takes its services with it.
      if ((error as { name?: unknown }).name !== 'ClusterNotFoundException') throw error;
      for (const ref of batch) found.set(keyOf(clusterArn, ref.name), { missing: 'cluster not found' });
      return found;
    }
    for (const service of services) {
      if (service.serviceName) found.set(keyOf(clusterArn, service.serviceName), { service });
    }
    for (const failure of failures) {
      // ECS names a failed service by an ARN whose format varies (with or without the cluster), so match on
      // the service name, which is unique within the cluster asked about.
      const name = failure.arn?.slice(failure.arn.lastIndexOf('/') + 1);
      if (!name) continue;
      if (failure.reason !== 'MISSING') {
        throw new TransientError(
          `ECS DescribeServices could not describe ${failure.arn}: ${failure.reason ?? 'no reason'} ${failure.detail ?? ''}`.trim(),
        );
      }
      found.set(keyOf(clusterArn, name), { missing: 'MISSING' });
    }
    return found;
  }

  private observe(ref: ServiceRef, found: Found | undefined, scaling: Suspension | undefined): Observation {
    const resourceArn = ref.serviceArn;
    if (!found) return { resourceArn, state: 'not-found', detail: 'not found' };
    if ('missing' in found) return { resourceArn, state: 'not-found', detail: found.missing };
    const { service } = found;
    // INACTIVE and DRAINING services are deleted or being deleted: nothing to stop or bring back.
    if (service.status !== 'ACTIVE') {
      return { resourceArn, state: 'not-found', detail: service.status ?? 'no status' };
    }
    const desired = service.desiredCount ?? 0;
    const running = service.runningCount ?? 0;
    const pending = service.pendingCount ?? 0;
    const suspended = scaling && isFullySuspended(scaling) ? ', auto scaling suspended' : '';
    const detail = `desired ${desired}, running ${running}, pending ${pending}${suspended}`;
    if (!hasManagedTag(service.tags, this.tag)) return { resourceArn, state: 'not-managed', detail };
    if (desired > 0) {
      // Still scaling up counts as up: stop it now and remember the count it was heading for, and the
      // suspension its scalable target had (none for a service without one).
      return {
        resourceArn,
        state: running >= desired ? 'running' : 'transitioning',
        detail,
        restore: { desiredCount: desired, ...(scaling ? suspensionToRestore(scaling) : {}) },
      };
    }
    return { resourceArn, state: running === 0 && pending === 0 ? 'stopped' : 'transitioning', detail };
  }
}

function unique(refs: readonly ServiceRef[]): ServiceRef[] {
  const byKey = new Map(refs.map((ref) => [keyOf(ref.clusterArn, ref.name), ref]));
  return [...byKey.values()];
}

import { KEY_ARN_TAG, type ManagedTag } from '../contract';
import { InvalidInputError } from '../errors';
import type { Observation, ResourceKind, RestoreState } from '../model';

/**
 * An observation as its driver made it, with whatever the driver saw that its other verbs need
 * (`facts`), so that stop and start act on what was just observed instead of describing it again.
 * The facts are the driver's own: converge and the CLI only pass them back.
 */
export interface Observed<F = unknown> extends Observation {
  readonly facts?: F;
}

/** A resource to bring back: what was just observed of it, and what the ledger remembered of it. */
export interface RestoreTarget<F = unknown> {
  readonly observation: Observed<F>;
  readonly restore: RestoreState;
}

/**
 * One driver per resource kind, all with the same three verbs. Each verb takes many resources and
 * makes as few AWS calls as the kind allows (one StopInstances for many EC2 instances; bounded
 * concurrency where the API takes one resource per call).
 *
 * Drivers never terminate, delete, scale storage or scale to zero anything that would lose data.
 */
export interface Driver<F = unknown> {
  readonly kind: ResourceKind;
  /**
   * Reads the resources' current state, one observation per ARN in the order given. A resource that
   * does not exist is `not-found`; one without the managed tag is `not-managed`. A running resource
   * carries `restore`: what it needs to come back as it is now. A driver whose other verbs need more
   * than the ARN attaches it as `facts` (withFacts).
   */
  status(resourceArns: readonly string[]): Promise<Observed<F>[]>;
  /** Asks AWS to stop these resources, as `status` just observed them (all `running`, all managed). */
  stop(observations: readonly Observed<F>[]): Promise<void>;
  /** Asks AWS to start these resources (all observed `stopped`) as the ledger remembers them. */
  start(targets: readonly RestoreTarget<F>[]): Promise<void>;
  /**
   * Optional last step of the way up, for resources the ledger remembers and that are observed `running`
   * again: whatever may only come back once they run (an Auto Scaling group resumes the processes the
   * reactor suspended, so that its health check cannot replace an instance that is still starting).
   * Idempotent: it is called on every observation of a running resource until the layer is done.
   */
  afterStarted?(targets: readonly RestoreTarget<F>[]): Promise<void>;
}

/** `observation` carrying the driver's `facts` for its later verbs. */
export function withFacts<F>(observation: Observation, facts: F): Observed<F> {
  // Not enumerable: observations are logged, printed (`status --json`) and compared as plain data, and
  // the facts (AWS's whole description) would change all three.
  return Object.defineProperty(observation, 'facts', { value: facts, enumerable: false }) as Observed<F>;
}

/**
 * The facts `status` attached to an observation. A copy made with spread or JSON has lost them (they
 * are not enumerable): failing is better than acting as if the resource were gone.
 */
export function factsOf<F>(observation: Observed<F>): F {
  if (!('facts' in observation)) {
    throw new InvalidInputError(
      `The observation of ${observation.resourceArn} carries no driver facts: pass the driver the observations its status returned`,
    );
  }
  return observation.facts as F;
}

/** A tag as any of the SDKs spells it: ECS `key`/`value`, EC2, RDS and Auto Scaling `Key`/`Value`. */
interface AnyTag {
  readonly Key?: string;
  readonly Value?: string;
  readonly key?: string;
  readonly value?: string;
}

/** Whether `tags` hold the managed tag with its exact value (the IAM policies check the same). */
export function hasManagedTag(tags: readonly AnyTag[] | undefined, tag: ManagedTag): boolean {
  return (tags ?? []).some((t) => (t.Key ?? t.key) === tag.key && (t.Value ?? t.value) === tag.value);
}

/**
 * The resource's `key-reactor:key-arn` tag, as an observation field: the key roles may stop and start
 * only what carries the run's key there, so decide skips the rest (decision.ts). Empty when untagged.
 */
export function keyTagOf(tags: readonly AnyTag[] | undefined): { readonly keyTag?: string } {
  const found = (tags ?? []).find((t) => (t.Key ?? t.key) === KEY_ARN_TAG);
  const value = found?.Value ?? found?.value;
  return value === undefined ? {} : { keyTag: value };
}

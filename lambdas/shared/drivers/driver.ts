import type { Observation, ResourceKind, RestoreState } from '../model';
export type { ManagedTag } from '../contract';

/** A resource to bring back, with what the ledger remembered of it. */
export interface RestoreTarget {
  readonly resourceArn: string;
  readonly restore: RestoreState;
}

/**
 * One driver per resource kind, all with the same three verbs. Each verb takes many resources and
 * makes as few AWS calls as the kind allows (one StopInstances for many EC2 instances; bounded
 * concurrency where the API takes one resource per call).
 *
 * Drivers never terminate, delete, scale storage or scale to zero anything that would lose data.
 */
export interface Driver {
  readonly kind: ResourceKind;
  /**
   * Reads the resources' current state, one observation per ARN in the order given. A resource that
   * does not exist is `not-found`; one without the managed tag is `not-managed`. A running resource
   * carries `restore`: what it needs to come back as it is now.
   */
  status(resourceArns: readonly string[]): Promise<Observation[]>;
  /** Asks AWS to stop these resources (all observed `running`, all managed). */
  stop(resourceArns: readonly string[]): Promise<void>;
  /** Asks AWS to start these resources as the ledger remembers them (all observed `stopped`). */
  start(targets: readonly RestoreTarget[]): Promise<void>;
  /**
   * Optional last step of the way up, for resources the ledger remembers and that are observed `running`
   * again: whatever may only come back once they run (an Auto Scaling group resumes the processes the
   * reactor suspended, so that its health check cannot replace an instance that is still starting).
   * Idempotent: it is called on every observation of a running resource until the layer is done.
   */
  afterStarted?(targets: readonly RestoreTarget[]): Promise<void>;
}

import { KEY_ARN_TAG, type ManagedTag } from './contract';
import type { Layer, Observation, ResourceKind, RestoreState } from './model';

/**
 * The reactor's one decision: given the resources concerned (the registered ones on the way down, the
 * ledger's on the way up), what was observed of them, and where the key's state says they must go, what
 * to do with each and why. Pure: converge acts on it, `plan` and `status` print it, the sweep turns it
 * into drift, and `simulate` reports what converge did with it.
 */

/** Where a key's resources must go: stopped while the key is unusable, running once it is usable. */
export type Target = 'stopped' | 'running';

export type Verdict =
  /** Running or on its way up: remember how to restore it, then ask AWS to stop it. */
  | 'stop'
  /** Stopped, remembered by the ledger: ask AWS to start it. */
  | 'start'
  /** Running again: finish the way up (an Auto Scaling group resumes its processes). */
  | 'finish'
  /** On its way somewhere: nothing to do now, checked again until it settles. */
  | 'wait'
  /** Already where it must be; `remember` may still be set (AWS took it down because of the key). */
  | 'settled'
  /** The reactor cannot or may not act on it: reported, not waited for. */
  | 'skip';

/** A resource the decision concerns, as the registry or the ledger names it. */
export interface Member {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly layer: Layer;
  /** On the way up: what the ledger remembered. */
  readonly restore?: RestoreState;
}

/** What was seen of a resource: a driver's observation, or why it could not be looked at. */
export type Seen = Observation | { readonly resourceArn: string; readonly error: string };

export interface Decision<M extends Member = Member> {
  readonly member: M;
  readonly observation?: Observation;
  readonly verdict: Verdict;
  /** One phrase for logs, emails and the CLI. */
  readonly why: string;
  /** On the way down: what the ledger must hold before the stop call. */
  readonly remember?: RestoreState;
  /** Still short of the target: the layer is not done while any decision is pending. */
  readonly pending: boolean;
}

export interface DecisionInput<M extends Member> {
  readonly target: Target;
  readonly members: readonly M[];
  readonly seen: ReadonlyMap<string, Seen>;
  /** Only for the wording of a skip. */
  readonly managedTag: ManagedTag;
  /**
   * The run's key: the key role acts only on resources whose `key-reactor:key-arn` tag is this key, and
   * one other resource in a batched call (a StopInstances) would fail the whole call with AccessDenied.
   */
  readonly keyArn: string;
}

/** One decision per member, in the members' order. */
export function decide<M extends Member>({
  target,
  members,
  seen,
  managedTag,
  keyArn,
}: DecisionInput<M>): Decision<M>[] {
  return members.map((member) => {
    const found = seen.get(member.resourceArn);
    if (!found) return { member, verdict: 'skip', why: 'not observed', pending: false };
    if ('error' in found) {
      return { member, verdict: 'skip', why: `state unknown: ${found.error}`, pending: false };
    }
    const decided = target === 'stopped' ? onTheWayDown(found) : onTheWayUp(found);
    return { member, observation: found, ...decided };
  });

  function skipped(observation: Observation): Omit<Decision, 'member'> | undefined {
    if (observation.state === 'not-managed') {
      const why = `not tagged ${managedTag.key}=${managedTag.value}, so the reactor may not touch it`;
      return { verdict: 'skip', why, pending: false };
    }
    if (observation.state === 'not-found') {
      return { verdict: 'skip', why: 'not found: it was deleted or its ARN is wrong', pending: false };
    }
    // A legacy row (a registration made before the tag was), or a tag removed or changed since: the key
    // role may not touch it. Skipped both ways; on the way up its ledger entry stays until it is tagged.
    if (observation.keyTag !== keyArn) {
      const now = observation.keyTag === undefined ? 'untagged' : `tagged for ${observation.keyTag}`;
      const why =
        `not tagged ${KEY_ARN_TAG}=${keyArn} (${now}), so the key's role may not touch it: ` +
        '`key-reactor migrate` (or `register`) tags it';
      return { verdict: 'skip', why, pending: false };
    }
    return undefined;
  }

  function onTheWayDown(observation: Observation): Omit<Decision, 'member'> {
    const skip = skipped(observation);
    if (skip) return skip;
    const { state, restore, detail } = observation;
    if (restore !== undefined) {
      // Up, or on its way up: stop it now and remember what it was heading for. Down already because
      // of the key (an RDS database that lost its key): remember it, no stop call.
      return state === 'stopped'
        ? { verdict: 'settled', why: `already stopped (${detail})`, remember: restore, pending: false }
        : {
            verdict: 'stop',
            why: state === 'running' ? 'running' : `starting up (${detail})`,
            remember: restore,
            pending: true,
          };
    }
    if (state === 'stopped') return { verdict: 'settled', why: 'already stopped', pending: false };
    // A read replica busy with a backup would never come to a state AWS lets the reactor stop.
    if (observation.cannotStop !== undefined && state === 'transitioning') {
      return {
        verdict: 'skip',
        why: `AWS cannot stop it: ${detail} (${observation.cannotStop})`,
        pending: false,
      };
    }
    if (state === 'running') {
      // AWS refuses to stop it (a cluster member, a read replica): waiting would never end.
      return { verdict: 'skip', why: `AWS cannot stop it: ${detail}`, pending: false };
    }
    return {
      verdict: 'wait',
      why: `on its way somewhere (${detail}): checked again until it settles`,
      pending: true,
    };
  }

  function onTheWayUp(observation: Observation): Omit<Decision, 'member'> {
    const skip = skipped(observation);
    if (skip) return skip;
    switch (observation.state) {
      case 'running':
        return { verdict: 'finish', why: 'running again', pending: false };
      case 'stopped':
        return { verdict: 'start', why: `stopped by the reactor (${observation.detail})`, pending: true };
      default:
        return { verdict: 'wait', why: `on its way somewhere (${observation.detail})`, pending: true };
    }
  }
}

/** The decisions of one verdict. */
export function withVerdict<M extends Member>(
  decisions: readonly Decision<M>[],
  verdict: Verdict,
): Decision<M>[] {
  return decisions.filter((decision) => decision.verdict === verdict);
}

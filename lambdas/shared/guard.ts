import type { Clock } from './clock';
import { LIMITS } from './contract';
import type { Notifier } from './notifier';
import type { Store } from './store';
import type { GuardRecord, PauseReason } from './store/guard-state';

export type { PauseReason } from './store/guard-state';

/** Why a run that could act does not: the reactor is paused, or the circuit breaker tripped. */
export type HeldBack = 'paused' | 'breaker';

/** Whether the reactor is paused, by whom, since when, and why. */
export type GuardStatus = GuardRecord;

/** The answer to a shutdown about to happen. */
export interface Admission {
  readonly act: boolean;
  readonly reason?: HeldBack;
  /** This very call tripped the breaker: the caller pages the operators (once per trip). */
  readonly tripped?: boolean;
  /** Keys counted in the window, and the limit they were held to (when the breaker was consulted). */
  readonly counted?: number;
  readonly limit?: number;
}

/** Someone to page: the operators' SNS topic, which does not depend on SES (lambdas/shared/notifier.ts). */
export type Pager = Pick<Notifier, 'page'>;

export interface GuardOptions {
  /**
   * How many keys may turn unusable within the window before new shutdowns wait. Undefined for the
   * default: the larger of LIMITS.breakerFloorKeys and LIMITS.breakerShareOfKeys of the registered keys.
   */
  readonly breakerLimit?: number;
  readonly clock: Clock;
  /**
   * How many keys have resources, tagged or in the table (key-resources.ts).
   * @default the keys with RESOURCE rows in the table alone
   */
  readonly keysWithResources?: () => Promise<number>;
}

/**
 * Bounds the blast radius of one bad change: a pause switch operators throw by hand, and a circuit
 * breaker that throws it itself when more keys turn unusable within an hour than the limit allows.
 * While paused, shutdowns and starts wait as alert-only; the sweep keeps reporting drift, so after
 * `resume` the next sweep acts on whatever drifted meanwhile.
 *
 * A breaker pause holds back shutdowns only: a start acts on a key confirmed Enabled, and holding it back
 * would lengthen the very outage the breaker exists to bound. An operator's pause holds back both.
 */
export class Guard {
  constructor(
    private readonly store: Store,
    private readonly options: GuardOptions,
  ) {}

  status(): Promise<GuardStatus> {
    return this.store.guard.read();
  }

  async pause(by: string, why: string): Promise<GuardStatus> {
    return this.store.guard.pause({ reason: 'operator', by, why });
  }

  /** Lifts the pause; returns what was lifted. Keys counted before it no longer count towards the breaker. */
  async resume(by: string): Promise<GuardStatus> {
    return this.store.guard.resume(by);
  }

  /** Whether the enable run of a key may start its resources, or why it waits. */
  async admitStart(): Promise<{ readonly act: boolean; readonly reason?: HeldBack }> {
    const status = await this.status();
    return status.paused && status.reason !== 'breaker' ? { act: false, reason: 'paused' } : { act: true };
  }

  /**
   * Called by the disable run once the key is confirmed unusable and its policy says shutdown: counts the
   * key (once per window) and says whether the run may stop its resources. The count is written before it
   * is read, so of several runs crossing the limit at once, the last to write sees them all and trips.
   */
  async admitShutdown(keyArn: string): Promise<Admission> {
    const status = await this.status();
    if (status.paused) return { act: false, reason: heldBackBy(status.reason) };

    const now = this.options.clock();
    const windowStart = new Date(now.getTime() - LIMITS.breakerWindowSeconds * 1000);
    await this.store.guard.countShutdown(keyArn, windowStart);
    const resumedAt = Date.parse(status.resumedAt ?? '');
    const since = resumedAt > windowStart.getTime() ? new Date(resumedAt) : windowStart;
    const counted = await this.store.guard.shutdownsSince(since);

    const limit = await this.limit(counted);
    if (counted <= limit) return { act: true, counted, limit };
    const tripped = await this.store.guard.trip(
      `${counted} keys turned unusable within ${LIMITS.breakerWindowSeconds / 60} minutes, more than the limit of ${limit}`,
    );
    return { act: false, reason: 'breaker', tripped, counted, limit };
  }

  /** The breaker's limit; the registered keys are counted only when `counted` passes the floor. */
  private async limit(counted: number): Promise<number> {
    if (this.options.breakerLimit !== undefined) return this.options.breakerLimit;
    if (counted <= LIMITS.breakerFloorKeys) return LIMITS.breakerFloorKeys;
    const registered = this.options.keysWithResources
      ? await this.options.keysWithResources()
      : await this.store.guard.registeredKeys();
    return Math.max(LIMITS.breakerFloorKeys, Math.floor(registered * LIMITS.breakerShareOfKeys));
  }
}

function heldBackBy(reason: PauseReason | undefined): HeldBack {
  return reason === 'breaker' ? 'breaker' : 'paused';
}

import { observeAll } from '../lambdas/shared/converge';
import type { Seen } from '../lambdas/shared/decision';
import type { Observation, ResourceKind } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';

/**
 * Each resource's state through the reactor's own drivers (their `status` verb only: read-only), one
 * call per kind as the workflows make them. A kind whose describe fails is reported, not fatal.
 */
export function observe(
  reactor: Reactor,
  resources: readonly { readonly resourceArn: string; readonly kind: ResourceKind }[],
): Promise<Map<string, Seen>> {
  return observeAll(reactor.drivers, resources, { tolerate: true });
}

/** The driver's observation, if the resource could be looked at. */
export function observationOf(seen: Seen | undefined): Observation | undefined {
  return seen === undefined || 'error' in seen ? undefined : seen;
}

/** Why the resource could not be looked at, if it could not. */
export function errorOf(seen: Seen | undefined): string | undefined {
  return seen !== undefined && 'error' in seen ? seen.error : undefined;
}

/** `running (desired 2, running 2)`, or why the state is unknown. */
export function stateText(seen: Seen | undefined): string {
  if (!seen) return 'unknown';
  if ('error' in seen) return `unknown (${seen.error})`;
  const { state, detail } = seen;
  // not-found and not-managed say it all; AWS's own word adds to running, stopped and transitioning.
  return detail && detail !== state && state !== 'not-found' && state !== 'not-managed'
    ? `${state} (${detail})`
    : state;
}

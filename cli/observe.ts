import type { Observation, ResourceKind } from '../lambdas/shared/model';
import type { Reactor } from './context';

export interface Observed {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  /** What the driver saw, or why it could not look. */
  readonly observation?: Observation;
  readonly error?: string;
}

/**
 * Each resource's state through the reactor's own drivers (their `status` verb only: read-only), one
 * call per kind as the workflows make them. A kind whose describe fails is reported, not fatal.
 */
export async function observe(
  reactor: Reactor,
  resources: readonly { readonly resourceArn: string; readonly kind: ResourceKind }[],
): Promise<Map<string, Observed>> {
  const drivers = reactor.drivers.driversFor();
  const byKind = new Map<ResourceKind, string[]>();
  for (const { resourceArn, kind } of resources) byKind.set(kind, [...(byKind.get(kind) ?? []), resourceArn]);
  const observed = new Map<string, Observed>();
  await Promise.all(
    [...byKind].map(async ([kind, arns]) => {
      try {
        const seen = await drivers[kind].status(arns);
        for (const observation of seen) {
          observed.set(observation.resourceArn, { resourceArn: observation.resourceArn, kind, observation });
        }
      } catch (error) {
        const reason = `${(error as Error).name}: ${((error as Error).message ?? '').split('\n', 1)[0]}`;
        for (const resourceArn of arns) observed.set(resourceArn, { resourceArn, kind, error: reason });
      }
    }),
  );
  return observed;
}

/** `running (desired 2, running 2)`, or why the state is unknown. */
export function stateText(observed: Observed | undefined): string {
  if (!observed) return 'unknown';
  if (observed.error) return `unknown (${observed.error})`;
  const { state, detail } = observed.observation ?? { state: 'unknown', detail: '' };
  // not-found and not-managed say it all; AWS's own word adds to running, stopped and transitioning.
  return detail && detail !== state && state !== 'not-found' && state !== 'not-managed'
    ? `${state} (${detail})`
    : state;
}

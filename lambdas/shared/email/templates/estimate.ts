/**
 * How long a large fleet takes to stop or start, by the rate model (pacing/plan.ts), for the emails
 * that come before the work: said only when AWS's rate limits, not the resources themselves, make it long.
 */

import type { Target } from '../../decision';
import { LAYERS, type ResourceKind } from '../../model';
import { estimateLayer, type KindCounts } from '../../pacing/plan';
import { DEFAULT_TIME_BOX } from '../../time-box';
import { type Block, heading, paragraph } from '../blocks';
import type { RateBound, Wording } from '../i18n';
import type { EmailResource } from '../types';

/** Rate-bound seconds past which an email says how long: below it the work ends within a few minutes. */
export const ESTIMATE_THRESHOLD_SECONDS = 120;

export interface FleetEstimate {
  /** Both layers, one after the other, each issued and then settled, in seconds. */
  readonly totalSeconds: number;
  /** The part of it spent waiting for AWS's rate limits. */
  readonly rateSeconds: number;
  /** The call whose limit binds longest, if any does. */
  readonly bound?: RateBound;
}

/** The time the rate model gives the resources, layer after layer, as the workflow takes them. */
export function estimateFleet(resources: readonly EmailResource[], target: Target): FleetEstimate {
  let totalSeconds = 0;
  let rateSeconds = 0;
  let bound: RateBound | undefined;
  let boundSeconds = 0;
  for (const layer of LAYERS) {
    const counts: Partial<Record<ResourceKind, number>> = {};
    for (const resource of resources.filter((r) => r.layer === layer))
      counts[resource.kind] = (counts[resource.kind] ?? 0) + 1;
    if (Object.keys(counts).length === 0) continue;
    const layerEstimate = estimateLayer(counts as KindCounts, target, {
      batchSize: DEFAULT_TIME_BOX.batchSize,
    });
    totalSeconds += layerEstimate.totalSeconds;
    rateSeconds += layerEstimate.seconds;
    if (layerEstimate.operation && layerEstimate.seconds > boundSeconds) {
      boundSeconds = layerEstimate.seconds;
      bound = {
        operation: layerEstimate.operation,
        burst: layerEstimate.burst ?? 0,
        perSecond: layerEstimate.refillPerSecond ?? 0,
        perResource: layerEstimate.operation.endsWith('Instances'),
      };
    }
  }
  return { totalSeconds, rateSeconds, ...(bound ? { bound } : {}) };
}

/** The section, when the rate limits make the work long; nothing otherwise. */
export function estimateSection(
  w: Wording,
  resources: readonly EmailResource[],
  target: Target,
): readonly Block[] {
  const estimate = estimateFleet(resources, target);
  if (!estimate.bound || estimate.rateSeconds < ESTIMATE_THRESHOLD_SECONDS) return [];
  // Whole minutes, rounded up: an estimate, not a promise to the second.
  const took = w.duration(Math.ceil(estimate.totalSeconds / 60) * 60);
  const say = target === 'stopped' ? w.estimate.stopping : w.estimate.starting;
  return [heading(w.estimate.heading), paragraph(say(took, estimate.bound))];
}

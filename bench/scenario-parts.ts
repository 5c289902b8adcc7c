import { randomUUID } from 'node:crypto';
import { keyIdOf } from '../lambdas/shared/arn';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import type { PacingMode } from '../lambdas/shared/settings';
import type { LocalPlace } from '../sandbox/local-workflows';

/** The settings of a scenario's sides in modelled runs, and the key events the reactor's runs start from. */

/**
 * The reactor's pacing in modelled runs. Deployed functions use 'shared'; a modelled run with 'shared'
 * stalls (bench/model/README.md, known bug), and one process is one container's buckets here anyway.
 * Switch to 'shared' once that stall is fixed.
 */
export const MODELLED_PACING: PacingMode = 'local';

/** How long, modelled, a baseline polls for its fleet to reach its end state before giving up. */
export const BASELINE_PATIENCE_MS = 2 * 60 * 60 * 1000;

/** SDK attempts per call of the baselines in modelled runs (standard retry mode, jittered backoff). */
export const BASELINE_MAX_ATTEMPTS = 10;

export function keyEvent(place: LocalPlace, keyArn: string, workflow: Workflow): KeyEvent {
  return {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: place.account,
    region: place.region,
    trigger: workflow === 'disable' ? 'DisableKey' : 'EnableKey',
    workflow,
    urgent: false,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    actor: { arn: `arn:aws:iam::${place.account}:user/bench`, sourceIp: '203.0.113.10', userAgent: 'bench' },
  };
}

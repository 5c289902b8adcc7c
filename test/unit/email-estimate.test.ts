import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { renderEmail } from '../../lambdas/shared/email/render';
import { ESTIMATE_THRESHOLD_SECONDS, estimateFleet } from '../../lambdas/shared/email/templates/estimate';
import type { EmailContext, EmailTemplate } from '../../lambdas/shared/email/types';
import { sample } from '../support/samples';

const NOW = new Date('2026-11-22T15:22:40Z');
const EXECUTION_ARN =
  'arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:disable-1234abcd-20261122T152233Z-3f1b8c9e';

/** One key's fleet of `n`: 10 % ECS services in one cluster, 80 % EC2 instances, 10 % RDS instances. */
function fleetOf(n: number): EmailContext['resources'] {
  const account = 'arn:aws:ec2:us-east-1:111122223333';
  return [
    ...Array.from({ length: n / 10 }, (_, i) => ({
      resourceArn: `arn:aws:ecs:us-east-1:111122223333:service/prod/api-${i}`,
      kind: 'ecs-service' as const,
      layer: 'service' as const,
    })),
    ...Array.from({ length: (n * 8) / 10 }, (_, i) => ({
      resourceArn: `${account}:instance/i-${i.toString(16).padStart(17, '0')}`,
      kind: 'ec2-instance' as const,
      layer: 'server' as const,
    })),
    ...Array.from({ length: n / 10 }, (_, i) => ({
      resourceArn: `arn:aws:rds:us-east-1:111122223333:db:orders-${i}`,
      kind: 'rds-instance' as const,
      layer: 'server' as const,
    })),
  ];
}

function contextFor(template: EmailTemplate, resources: EmailContext['resources']): EmailContext {
  return {
    template,
    event: parseKeyEvent(sample('disable-key-cli.json'), { allowedAccounts: [] }),
    resources,
    executionArn: EXECUTION_ARN,
    now: NOW,
    audience: 'administrators',
    ...(template === 'grace-started' ? { graceSeconds: 600 } : { skipped: [] }),
  };
}

describe('the estimate of a fleet under the rate limits', () => {
  it('adds each layer issued, then settled, and names the call that binds', () => {
    // Stopping 10,000: services 190 s of UpdateService + 30 s; servers side by side, 350 s of
    // StopInstances (the RDS lane's 196 s within it) + 240 s for the databases to stop.
    expect(estimateFleet(fleetOf(10_000), 'stopped')).toEqual({
      totalSeconds: 190 + 30 + 350 + 240,
      rateSeconds: 190 + 350,
      bound: { operation: 'StopInstances', burst: 1_000, perSecond: 20, perResource: true },
    });
    // Starting them: StartInstances lets 2 a second past the first 1,000.
    expect(estimateFleet(fleetOf(10_000), 'running')).toMatchObject({
      totalSeconds: 3_500 + 360 + 190 + 60,
      bound: { operation: 'StartInstances', perSecond: 2 },
    });
  });

  it('finds nothing rate-bound in a fleet of 1,000: every kind fits its bursts but a few seconds', () => {
    expect(estimateFleet(fleetOf(1_000), 'stopped').rateSeconds).toBeLessThan(ESTIMATE_THRESHOLD_SECONDS);
    expect(estimateFleet(fleetOf(1_000), 'running').rateSeconds).toBeLessThan(ESTIMATE_THRESHOLD_SECONDS);
  });
});

describe('the emails of a large fleet', () => {
  it('say in the grace email how long stopping will take, and why', () => {
    const { text, html } = renderEmail(contextFor('grace-started', fleetOf(10_000)));

    expect(text).toContain('How long it will take');
    expect(text).toContain('stopping all of these resources will take about 14 minutes');
    expect(text).toContain(
      'AWS limits how fast an account may call StopInstances: 1,000 resources at once, then 20 a second',
    );
    expect(html).toContain('stopping all of these resources will take about 14 minutes');
  });

  it('say in the shutdown email how long starting will take once the key is back', () => {
    const { text } = renderEmail(contextFor('shutdown-complete', fleetOf(10_000)));

    // 4,110 s, rounded up to whole minutes.
    expect(text).toContain('starting all of these resources will take about 69 minutes');
    expect(text).toContain('call StartInstances: 1,000 resources at once, then 2 a second');
  });

  it("say it in the key's language", () => {
    const { text } = renderEmail({ ...contextFor('grace-started', fleetOf(10_000)), language: 'ja' });

    expect(text).toContain('かかる時間');
    expect(text).toContain('約14分かかります');
  });

  it('say nothing of it for a small fleet, nor for an alert-only key, which stops nothing', () => {
    const small = renderEmail(contextFor('grace-started', fleetOf(1_000)));
    const alertOnly = renderEmail({ ...contextFor('grace-started', fleetOf(10_000)), action: 'alert-only' });

    expect(small.text).not.toContain('How long it will take');
    expect(alertOnly.text).not.toContain('How long it will take');
  });
});

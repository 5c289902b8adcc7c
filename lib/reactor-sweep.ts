import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contract';
import { SWEEP_FUNCTION } from './catalog';
import type { PlatformEventBus } from './platform-bus';
import { ReactorFunction } from './reactor-function';
import type { ReactorPermissions } from './reactor-permissions';
import { inWords } from './reactor-props';
import type { ReactorSettings } from './reactor-settings';
import { emailEnvironment } from './reactor-steps';

/**
 * The scheduled safety net (lambdas/sweep): reads every registered key, puts a drift event on the
 * platform bus for a key whose resources do not match it, and warns ahead of material expiry and
 * deletion. Its asynchronous invocations are not retried: the next scheduled sweep is the retry, and a
 * failed one raises the SweepErrors alarm.
 */
export function createSweep(
  scope: Construct,
  options: {
    readonly settings: ReactorSettings;
    readonly environment: Readonly<Record<string, string>>;
    readonly platformBus: PlatformEventBus;
    readonly permissions: ReactorPermissions;
  },
): ReactorFunction {
  const { settings, platformBus } = options;
  // Shorter than the interval, so sweeps do not pile up; at most 5 minutes.
  const timeout = Duration.seconds(Math.min(300, Math.max(50, settings.sweepInterval.toSeconds() - 10)));
  const sweep = new ReactorFunction(scope, 'SweepFunction', {
    folder: SWEEP_FUNCTION,
    description:
      'Every few minutes: reads every registered key, warns ahead of material expiry and deletion, and puts a drift event for keys whose resources do not match',
    logRetention: settings.logRetention,
    timeout,
    memorySize: 512,
    environment: {
      ...options.environment,
      [ENV.eventBusName]: platformBus.bus.eventBusName,
      ...(settings.warningDays ? { [ENV.warningDays]: settings.warningDays.join(',') } : {}),
      ...emailEnvironment(settings),
    },
  });
  options.permissions.grantSweep(sweep);
  platformBus.bus.grantPutEventsTo(sweep);
  new events.Rule(scope, 'SweepSchedule', {
    description: `Runs the sweep every ${inWords(settings.sweepInterval.toSeconds())}`,
    schedule: events.Schedule.rate(settings.sweepInterval),
    targets: [new targets.LambdaFunction(sweep, { retryAttempts: 0 })],
  });
  return sweep;
}

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DIGEST_REQUEST, ENV } from '../lambdas/shared/contract';
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
 * deletion, and counts down RDS databases waiting for their key; once a week it sends the operators'
 * digest. Its asynchronous invocations are not retried: the next scheduled sweep is the retry, and a
 * failed one raises the SweepErrors alarm.
 */
export function createSweep(
  scope: Construct,
  options: {
    readonly settings: ReactorSettings;
    readonly environment: Readonly<Record<string, string>>;
    readonly platformBus: PlatformEventBus;
    readonly permissions: ReactorPermissions;
    /** The two workflows: the weekly digest lists their failed runs. */
    readonly stateMachines: Readonly<Record<'disable' | 'enable', sfn.IStateMachine>>;
  },
): ReactorFunction {
  const { settings, platformBus, stateMachines } = options;
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
      [ENV.disableStateMachineArn]: stateMachines.disable.stateMachineArn,
      [ENV.enableStateMachineArn]: stateMachines.enable.stateMachineArn,
    },
  });
  options.permissions.grantSweep(sweep);
  platformBus.bus.grantPutEventsTo(sweep);
  new events.Rule(scope, 'SweepSchedule', {
    description: `Runs the sweep every ${inWords(settings.sweepInterval.toSeconds())}`,
    schedule: events.Schedule.rate(settings.sweepInterval),
    targets: [new targets.LambdaFunction(sweep, { retryAttempts: 0 })],
  });
  createDigestSchedule(scope, sweep, stateMachines);
  return sweep;
}

/**
 * The operators' weekly digest (lambdas/shared/sweep/digest.ts): the sweep function, given
 * `{"digest": true}`, every Monday at 08:00 UTC. It lists the workflows' failed runs of the week, so it
 * may list the executions of those two state machines, and no other.
 */
function createDigestSchedule(
  scope: Construct,
  sweep: ReactorFunction,
  stateMachines: Readonly<Record<'disable' | 'enable', sfn.IStateMachine>>,
): void {
  sweep.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['states:ListExecutions'],
      resources: [stateMachines.disable.stateMachineArn, stateMachines.enable.stateMachineArn],
    }),
  );
  new events.Rule(scope, 'DigestSchedule', {
    description: "Sends the operators' weekly digest of the keys at risk, Mondays at 08:00 UTC",
    schedule: events.Schedule.cron({ weekDay: 'MON', hour: '8', minute: '0' }),
    targets: [
      new targets.LambdaFunction(sweep, {
        event: events.RuleTargetInput.fromObject(DIGEST_REQUEST),
        retryAttempts: 0,
      }),
    ],
  });
}

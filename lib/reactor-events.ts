import { Arn, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contract';
import { REACTOR_EVENT_SOURCE } from '../lambdas/shared/reactor-events';
import type { PlatformEventBus } from './platform-bus';
import type { ReactorFunction } from './reactor-function';

/**
 * The reactor's own events (lambdas/shared/reactor-events.ts, docs/events.md): the functions that email
 * also put the news on the platform bus, and with `customerEvents` a rule per customer account forwards
 * the events of that account's keys to its default bus.
 */

/** Lets `publishers` put events on the platform bus, and only there, and tells them its name. */
export function grantReactorEvents(
  platformBus: PlatformEventBus,
  publishers: readonly ReactorFunction[],
): void {
  for (const fn of publishers) {
    platformBus.bus.grantPutEventsTo(fn);
    fn.addEnvironment(ENV.eventBusName, platformBus.bus.eventBusName);
  }
}

/** The pattern of the events of the keys an account owns. */
export function customerEventPattern(account: string): events.EventPattern {
  return { source: [REACTOR_EVENT_SOURCE], detail: { keyAccount: [account] } };
}

/**
 * One rule per customer account on the platform bus, targeting the account's default bus: rule targets
 * are static, and a rule may target an event bus of another account (same Region) with a role, where a
 * function's PutEvents may not. The customer's default bus must admit this account
 * (CustomerKeyForwarder's `acceptReactorEvents`, docs/events.md). One role, which each target lets put
 * on its bus alone.
 */
export function forwardCustomerEvents(
  scope: Construct,
  platformBus: PlatformEventBus,
  customerAccounts: readonly string[],
): events.Rule[] {
  if (customerAccounts.length === 0) return [];
  const stack = Stack.of(scope);
  const busArns = customerAccounts.map((account) =>
    Arn.format({ service: 'events', account, resource: 'event-bus', resourceName: 'default' }, stack),
  );
  const role = new iam.Role(scope, 'CustomerEventsRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    description:
      "Lets EventBridge put the reactor's events on the customer accounts' default buses, and nothing else",
  });
  return customerAccounts.map((account, index) => {
    const id = Token.isUnresolved(account) ? `CustomerEvents${index + 1}` : `CustomerEvents${account}`;
    const busArn = busArns[index] as string;
    return new events.Rule(scope, id, {
      description: `Forwards the reactor's events about the keys of account ${account} to its default bus`,
      eventBus: platformBus.bus,
      eventPattern: customerEventPattern(account),
      targets: [new targets.EventBus(events.EventBus.fromEventBusArn(scope, `${id}Bus`, busArn), { role })],
    });
  });
}

import { createDescribeKeyHandler } from '../lambdas/describe-key/describe-key-handler';
import { createDispatcherHandler } from '../lambdas/dispatcher/dispatcher-handler';
import { createLeaseHandler } from '../lambdas/lease/lease-handler';
import { createLedgerHandler } from '../lambdas/ledger/ledger-handler';
import { createListResourcesHandler } from '../lambdas/list-resources/list-resources-handler';
import { createNotifyHandler } from '../lambdas/notify/notify-handler';
import type { Direction } from '../lambdas/shared/parts';
import type { Reactor } from '../lambdas/shared/reactor';
import { timeBoxOf } from '../lambdas/shared/time-box';
import { createStartHandler } from '../lambdas/start-resources/start-resources-handler';
import { createStopHandler } from '../lambdas/stop-resources/stop-resources-handler';
import { createSweepHandler } from '../lambdas/sweep/sweep-handler';
import { DISPATCHER_FUNCTION, STEP_FUNCTIONS, SWEEP_FUNCTION } from '../lib/catalog';
import type { LambdaHandler } from './local-workflows';

/**
 * Every function the construct deploys, by its folder under lambdas/, built in-process from the handler
 * factories with the local reactor's parts: the same code the Lambda entry points run, with the parts
 * pointed at moto.
 */
export function localHandlers(reactor: Reactor): Record<string, LambdaHandler> {
  const converging = (direction: Direction) => ({
    store: reactor.store,
    resources: reactor.resources,
    keys: reactor.keys,
    driversFor: reactor.keyDrivers(direction),
    managedTag: reactor.settings.managedTag,
    clock: reactor.clock,
    timeBox: timeBoxOf(reactor.settings),
  });
  const handlers: Record<string, unknown> = {
    [DISPATCHER_FUNCTION]: createDispatcherHandler(reactor),
    [SWEEP_FUNCTION]: createSweepHandler(reactor),
    [STEP_FUNCTIONS.Lease]: createLeaseHandler(reactor),
    [STEP_FUNCTIONS.DescribeKey]: createDescribeKeyHandler(reactor),
    [STEP_FUNCTIONS.ListResources]: createListResourcesHandler(reactor),
    [STEP_FUNCTIONS.StopResources]: createStopHandler(converging('stop')),
    [STEP_FUNCTIONS.StartResources]: createStartHandler(converging('start')),
    [STEP_FUNCTIONS.Notify]: createNotifyHandler(reactor),
    [STEP_FUNCTIONS.Ledger]: createLedgerHandler(reactor),
  };
  return handlers as Record<string, LambdaHandler>;
}

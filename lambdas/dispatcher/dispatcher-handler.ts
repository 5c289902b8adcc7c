/** The target of the EventBridge rules: one KMS event in, at most one workflow execution started. */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { parseArn } from '../shared/arn';
import { ENV } from '../shared/contract';
import { RejectedEventError } from '../shared/errors';
import { ACCESS_API_CALLS, type KeyEvent, type Workflow } from '../shared/model';
import { logger, metrics, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { required } from '../shared/settings';
import { type AccessParts, reportKeyStoreCall, routeAccessCall } from './access-check';
import { executionName, parseKeyEvent, parseKeyStoreEvent } from './key-event';

/** A start date older than this before our call belongs to an execution started by an earlier delivery. */
const CLOCK_SKEW_MS = 5_000;

export type DispatchResult =
  | { readonly accepted: false; readonly reason: string }
  | {
      readonly accepted: true;
      readonly executionName: string;
      readonly executionArn: string;
      /** The execution already existed: this delivery repeated one already acted on. */
      readonly duplicate: boolean;
    };

/** The account this function runs in, which Lambda gives only through the function's own ARN. */
function ownAccount(context: Context | undefined): string | undefined {
  return parseArn(context?.invokedFunctionArn ?? '')?.account;
}

/**
 * ALLOWED_ACCOUNTS plus the account this function runs in. With neither (a test or a local run without
 * a function ARN), or with an allowed organization (whose membership only the bus policy can check), the
 * list is empty and the parser's own rule still holds: the key must belong to the account the event
 * came from.
 */
function allowedAccounts(settings: ReactorParts['settings'], context: Context | undefined): string[] {
  if (settings.allowedOrganization) return [];
  const configured = [...settings.allowedAccounts];
  const own = ownAccount(context);
  return own && !configured.includes(own) ? [...configured, own] : configured;
}

/** arn:aws:states:r:a:stateMachine:M -> arn:aws:states:r:a:execution:M:name, as Step Functions builds it. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** An envelope field of a rejected event, for the log line: a short string or nothing. */
function envelopeField(event: unknown, field: 'id' | 'detail-type'): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const value = (event as Record<string, unknown>)[field];
  return typeof value === 'string' ? value.slice(0, 128) : undefined;
}

/** An access call (PutKeyPolicy, RevokeGrant, RetireGrant): the dispatcher probes before it starts anything. */
function isAccessCall(event: KeyEvent): boolean {
  return (ACCESS_API_CALLS as readonly string[]).includes(event.trigger);
}

export function createDispatcherHandler({
  settings,
  stepFunctions,
  store,
  keys,
  notifier,
}: Pick<ReactorParts, 'settings' | 'stepFunctions' | 'store'> & AccessParts) {
  const stateMachineArn = (workflow: Workflow): string =>
    workflow === 'disable'
      ? required(settings.stateMachineArns.disable, ENV.disableStateMachineArn)
      : required(settings.stateMachineArns.enable, ENV.enableStateMachineArn);

  const lambdaHandler = async (event: unknown, context: Context): Promise<DispatchResult> => {
    let keyEvent: KeyEvent;
    let actorNotes: readonly string[] = [];
    try {
      const keyStoreEvent = parseKeyStoreEvent(event);
      if (keyStoreEvent)
        return { accepted: false, reason: await reportKeyStoreCall(notifier, keyStoreEvent) };
      keyEvent = parseKeyEvent(event, {
        allowedAccounts: allowedAccounts(settings, context),
        ownAccount: ownAccount(context),
        onActorNotes: (notes) => {
          actorNotes = notes;
        },
      });
    } catch (error) {
      if (!(error instanceof RejectedEventError)) throw error;
      // Returned, not thrown: retrying a malformed, forged or denied event could never make it acceptable.
      logger.warn('Event rejected', {
        reason: error.message,
        eventId: envelopeField(event, 'id'),
        detailType: envelopeField(event, 'detail-type'),
      });
      metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
      return { accepted: false, reason: error.message };
    }

    if (isAccessCall(keyEvent)) {
      const route = await routeAccessCall({ keys, store, notifier }, keyEvent);
      if (!route.start) {
        logger.info('Access call checked: nothing to start', {
          keyArn: keyEvent.keyArn,
          reason: route.reason,
        });
        return { accepted: false, reason: route.reason };
      }
      keyEvent = route.event;
    }

    const name = executionName(keyEvent);
    logger.appendKeys({ keyArn: keyEvent.keyArn, executionName: name });
    if (actorNotes.length > 0) {
      // Informational fields chosen by whoever called KMS: no reason to ignore a real key change.
      logger.warn('Event accepted with untrusted actor fields made safe', {
        notes: actorNotes,
        eventId: keyEvent.eventId,
      });
    }
    const machineArn = stateMachineArn(keyEvent.workflow);
    // Before the start, so the run finds it: the run of the key's newest change acts, older ones exit.
    const newest = await store.keyEvents.noteChange(keyEvent.keyArn, {
      eventTime: keyEvent.eventTime,
      executionName: name,
    });
    if (!newest) logger.info('A newer change of the key was seen already: this run will exit without acting');
    const input = JSON.stringify(keyEvent);
    // Wall time, not the reactor's clock: it is compared with the start date Step Functions reports.
    const sentAt = Date.now();
    let executionArn: string;
    let duplicate: boolean;
    try {
      const output = await stepFunctions.send(
        new StartExecutionCommand({ stateMachineArn: machineArn, name, input }),
      );
      executionArn = output.executionArn ?? executionArnOf(machineArn, name);
      // A Standard workflow answers a repeated name and input with the running execution's own response
      // (ExecutionAlreadyExists comes only once it has ended): its start date gives the repeat away.
      duplicate = output.startDate !== undefined && output.startDate.getTime() < sentAt - CLOCK_SKEW_MS;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ExecutionAlreadyExists')) throw error;
      executionArn = executionArnOf(machineArn, name);
      duplicate = true;
    }

    if (duplicate) {
      // EventBridge delivers at least once; the name is the delivery's identity, so this one was handled.
      logger.info('Execution already exists: duplicate delivery ignored', {
        trigger: keyEvent.trigger,
        executionArn,
      });
      metrics.addMetric('DuplicateEvents', MetricUnit.Count, 1);
    } else {
      logger.info('Execution started', {
        trigger: keyEvent.trigger,
        workflow: keyEvent.workflow,
        executionArn,
      });
      metrics.addMetric('ExecutionsStarted', MetricUnit.Count, 1);
    }
    return { accepted: true, executionName: name, executionArn, duplicate };
  };

  return middy(lambdaHandler).use(observability());
}

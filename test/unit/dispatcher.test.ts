import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  ExecutionAlreadyExists,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDispatcherHandler, type DispatchResult } from '../../lambdas/dispatcher/dispatcher-handler';
import { parseKeyEvent } from '../../lambdas/dispatcher/key-event';
import { ENV } from '../../lambdas/shared/contract';
import { ThrottlingError } from '../../lambdas/shared/errors';
import { KeyReader } from '../../lambdas/shared/key-reader';
import { logger, metrics } from '../../lambdas/shared/observability';
import { settingsFromEnvironment } from '../../lambdas/shared/settings';
import { lambdaContext } from '../support/lambda-context';
import { sample } from '../support/samples';
import { mockedStore } from './mocked-store';

const DISABLE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:KeyDisabled';
const ENABLE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:KeyEnabled';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Sample-style events for the calls the shared samples do not have (test/support/events). */
const EVENTS = path.resolve(__dirname, '../support/events');
const sfnMock = mockClient(SFNClient);
const kmsMock = mockClient(KMSClient);
const notifier = { page: jest.fn(async () => true) };
// The dispatcher records each key's newest change in the table before it starts the run.
const { documents, store } = mockedStore();

/** The dispatcher as its entry point builds it, from its environment: the two workflows, and `more`. */
function dispatcher(more: Readonly<Record<string, string>> = {}) {
  return createDispatcherHandler({
    settings: settingsFromEnvironment({
      [ENV.disableStateMachineArn]: DISABLE_MACHINE,
      [ENV.enableStateMachineArn]: ENABLE_MACHINE,
      ...more,
    }),
    stepFunctions: new SFNClient({}),
    store,
    keys: new KeyReader(new KMSClient({})),
    notifier,
  });
}

let handler: ReturnType<typeof dispatcher>;

function invoke(event: unknown, context = lambdaContext('dispatcher')): Promise<DispatchResult> {
  return handler(event, context);
}

function awsError<T extends SFNServiceException>(ErrorClass: new (options: never) => T, message: string): T {
  return new ErrorClass({ message, $metadata: { httpStatusCode: 400 } } as never);
}

beforeEach(() => {
  sfnMock.reset();
  kmsMock.reset();
  notifier.page.mockClear();
  jest.restoreAllMocks();
  handler = dispatcher();
});

describe('dispatcher', () => {
  it("records the key's newest change before it starts the run, so older runs of the key exit", async () => {
    // Prepare
    const order: string[] = [];
    documents.on(UpdateCommand).callsFake(() => {
      order.push('UpdateItem');
      return {};
    });
    sfnMock.on(StartExecutionCommand).callsFake(() => {
      order.push('StartExecution');
      return { executionArn: 'arn:x', startDate: new Date() };
    });

    // Act
    await invoke(sample('disable-key-cli.json'));

    // Assess
    const [update] = documents.commandCalls(UpdateCommand);
    expect(update?.args[0].input).toMatchObject({
      Key: { pk: `KEY#${KEY_ARN}`, sk: 'STATE' },
      ConditionExpression: 'attribute_not_exists(latestChange) OR latestChange.eventTime <= :time',
      ExpressionAttributeValues: {
        ':change': {
          eventTime: '2026-11-22T15:22:33.000Z',
          executionName: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
        },
      },
    });
    expect(order).toEqual(['UpdateItem', 'StartExecution']);
  });

  it('starts the disable workflow with the execution name and the normalised event as input', async () => {
    // Prepare
    const executionArn = `arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:disable-1234abcd-20261122T152233Z-3f1b8c9e`;
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const appendKeys = jest.spyOn(logger, 'appendKeys');
    const event = sample('disable-key-cli.json');

    // Act
    const result = await invoke(event);

    // Assess
    expect(result).toEqual({
      accepted: true,
      executionName: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
      executionArn,
      duplicate: false,
    });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: DISABLE_MACHINE,
      name: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
      input: JSON.stringify(parseKeyEvent(sample('disable-key-cli.json'), { allowedAccounts: [] })),
    });
    expect(appendKeys).toHaveBeenCalledWith({
      keyArn: KEY_ARN,
      executionName: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
    });
    expect(addMetric).toHaveBeenCalledWith('ExecutionsStarted', 'Count', 1);
  });

  it('starts the enable workflow for EnableKey', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    const result = await invoke(sample('enable-key-console.json'));

    expect(result).toMatchObject({
      accepted: true,
      executionName: 'enable-1234abcd-20261122T152905Z-7c2e9d0f',
    });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: ENABLE_MACHINE,
      name: 'enable-1234abcd-20261122T152905Z-7c2e9d0f',
    });
  });

  it('starts the disable workflow for a native KMS event', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    await invoke(sample('kms-cmk-deletion.json'));

    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: DISABLE_MACHINE,
      name: 'disable-1234abcd-20261129T160241Z-e9ce3425',
    });
  });

  it('counts ExecutionAlreadyExists as a duplicate delivery, not a failure', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(awsError(ExecutionAlreadyExists, 'Execution Already Exists: disable-1234abcd-...'));
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const info = jest.spyOn(logger, 'info');

    const result = await invoke(sample('disable-key-cli.json'));

    expect(result).toEqual({
      accepted: true,
      executionName: 'disable-1234abcd-20261122T152233Z-3f1b8c9e',
      executionArn:
        'arn:aws:states:us-east-1:111122223333:execution:KeyDisabled:disable-1234abcd-20261122T152233Z-3f1b8c9e',
      duplicate: true,
    });
    expect(addMetric).toHaveBeenCalledWith('DuplicateEvents', 'Count', 1);
    expect(addMetric).not.toHaveBeenCalledWith('ExecutionsStarted', 'Count', 1);
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/duplicate/i), expect.anything());
  });

  it('counts the running execution Step Functions returns for a repeated name and input as a duplicate', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:x', startDate: new Date(Date.now() - 60_000) });

    const result = await invoke(sample('disable-key-cli.json'));

    expect(result).toMatchObject({ accepted: true, executionArn: 'arn:x', duplicate: true });
  });

  it('rejects a denied call without starting anything, with one warning', async () => {
    const event = sample('disable-key-cli.json');
    event.detail.errorCode = 'AccessDenied';
    const warn = jest.spyOn(logger, 'warn');
    const addMetric = jest.spyOn(metrics, 'addMetric');

    const result = await invoke(event);

    const reason = 'DisableKey was denied (AccessDenied): the key did not change';
    expect(result).toEqual({ accepted: false, reason });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('Event rejected', {
      reason,
      eventId: '3f1b8c9e-6d2a-4e0b-9a51-2c7d4e8f1a01',
      detailType: 'AWS API Call via CloudTrail',
    });
    expect(addMetric).toHaveBeenCalledWith('EventsRejected', 'Count', 1);
  });

  it.each([
    ['null', null],
    ['a string', 'not an event'],
    ['an empty object', {}],
  ])('returns a rejection for %s instead of throwing', async (_, event) => {
    await expect(invoke(event)).resolves.toMatchObject({ accepted: false });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("rejects another account's key when ALLOWED_ACCOUNTS is empty: only the function's own account is served", async () => {
    const event = sample('disable-key-cli.json');
    event.account = '444455556666';
    event.detail.resources[0].ARN = KEY_ARN.replace('111122223333', '444455556666');

    const result = await invoke(event);

    expect(result).toEqual({
      accepted: false,
      reason: 'Account 444455556666 is not one the reactor serves (allowed: 111122223333)',
    });
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('outside Lambda, with no function ARN and no ALLOWED_ACCOUNTS, acts on any account that owns its key', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const event = sample('disable-key-cli.json');
    event.account = '444455556666';
    event.detail.resources[0].ARN = KEY_ARN.replace('111122223333', '444455556666');

    await expect(
      invoke(event, { ...lambdaContext('dispatcher'), invokedFunctionArn: '' }),
    ).resolves.toMatchObject({
      accepted: true,
    });
  });

  it('acts on an account listed in ALLOWED_ACCOUNTS', async () => {
    handler = dispatcher({ [ENV.allowedAccounts]: '444455556666, 777788889999' });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const event = sample('disable-key-cli.json');
    event.account = '444455556666';
    event.detail.resources[0].ARN = KEY_ARN.replace('111122223333', '444455556666');

    await expect(invoke(event)).resolves.toMatchObject({ accepted: true });
  });

  it('lets throttling propagate, under the name the retries match', async () => {
    const throttled = new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    sfnMock.on(StartExecutionCommand).rejects(throttled);

    await expect(invoke(sample('disable-key-cli.json'))).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('lets any other Step Functions error propagate, so the delivery is retried and then dead-lettered', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(awsError(StateMachineDoesNotExist, 'State Machine Does Not Exist'));

    await expect(invoke(sample('disable-key-cli.json'))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});

describe('dispatcher: drift events from the sweep', () => {
  const CUSTOMER_KEY = 'arn:aws:kms:us-east-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321';

  function driftEvent(overrides: { account?: string; detail?: Record<string, unknown> } = {}) {
    return {
      version: '0',
      id: '7e5b1c2a-0d3f-4b6e-9a8c-1f2e3d4c5b6a',
      'detail-type': 'Key Drift Detected',
      source: 'key-reactor.sweep',
      account: overrides.account ?? '111122223333',
      time: '2026-11-23T10:05:00Z',
      region: 'us-east-1',
      resources: [CUSTOMER_KEY],
      detail: {
        keyArn: CUSTOMER_KEY,
        keyState: 'Disabled',
        workflow: 'disable',
        reason: 'the key is Disabled but 2 resources run',
        sweepId: 'c6af9ac6',
        ...overrides.detail,
      },
    };
  }

  beforeEach(() => {
    handler = dispatcher({ [ENV.allowedAccounts]: '444455556666' });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  });

  it("starts the workflow the sweep asked for, on a customer's key, under a readable name", async () => {
    const result = await invoke(driftEvent());

    expect(result).toMatchObject({
      accepted: true,
      executionName: 'disable-0987dcba-20261123T100500Z-7e5b1c2a',
    });
    const input = JSON.parse(String(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input));
    expect(input).toEqual({
      keyArn: CUSTOMER_KEY,
      keyId: '0987dcba-09fe-87dc-65ba-ab0987654321',
      account: '444455556666',
      region: 'us-east-1',
      trigger: 'KeyFoundUnusable',
      workflow: 'disable',
      urgent: false,
      eventId: '7e5b1c2a-0d3f-4b6e-9a8c-1f2e3d4c5b6a',
      eventTime: '2026-11-23T10:05:00Z',
      actor: null,
    });
  });

  it('starts the enable workflow for a key found usable again', async () => {
    await invoke(driftEvent({ detail: { workflow: 'enable', keyState: 'Enabled' } }));
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({
      stateMachineArn: ENABLE_MACHINE,
      input: expect.stringContaining('"trigger":"KeyFoundUsable"'),
    });
  });

  it.each([
    [
      'sent by a customer account the bus admits',
      driftEvent({ account: '444455556666' }),
      "Drift event from account 444455556666: only the reactor's own sweep (account 111122223333) may send them",
    ],
    [
      'about a key of an account the reactor does not serve',
      driftEvent({
        detail: { keyArn: 'arn:aws:kms:us-east-1:777788889999:key/0987dcba-09fe-87dc-65ba-ab0987654321' },
      }),
      'Account 777788889999 is not one the reactor serves (allowed: 444455556666, 111122223333)',
    ],
    [
      'about a key in another Region',
      driftEvent({
        detail: { keyArn: 'arn:aws:kms:eu-west-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321' },
      }),
      "is not in the reactor's Region (us-east-1)",
    ],
    [
      'asking for a workflow that does not exist',
      driftEvent({ detail: { workflow: 'terminate' } }),
      'Drift detail is malformed at workflow',
    ],
    [
      'with an alias instead of a key ARN',
      driftEvent({ detail: { keyArn: 'alias/customer' } }),
      'Drift detail is malformed at keyArn: must be a KMS key ARN',
    ],
  ])('rejects a drift event %s, and says why', async (_case, event, reason) => {
    const warn = jest.spyOn(logger, 'warn');

    const result = await invoke(event);

    expect(result).toEqual({ accepted: false, reason: expect.stringContaining(reason) });
    expect(warn).toHaveBeenCalledWith(
      'Event rejected',
      expect.objectContaining({ detailType: 'Key Drift Detected' }),
    );
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('accepts KMS events from any account of an allowed organization, leaving membership to the bus policy', async () => {
    handler = dispatcher({
      [ENV.allowedAccounts]: '444455556666',
      [ENV.allowedOrganization]: 'o-a1b2c3d4e5',
    });
    const event = sample('disable-key-cli.json');
    event.account = '777788889999';
    event.detail.recipientAccountId = '777788889999';
    event.resources = [];
    event.detail.resources = [];
    event.detail.requestParameters = { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' };

    const result = await invoke(event);

    expect(result).toMatchObject({ accepted: true });
    // A drift event still comes from the reactor's own account only.
    expect(await invoke(driftEvent({ account: '777788889999' }))).toMatchObject({ accepted: false });
  });
});

describe('dispatcher, after a call that may revoke the platform access (issue 15)', () => {
  const event = (name: string) => JSON.parse(readFileSync(path.join(EVENTS, name), 'utf8'));
  const enabled = { KeyId: KEY_ARN, KeyState: 'Enabled' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const };
  const started = () => sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    documents.onAnyCommand().resolves({});
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: enabled });
  });

  it.each(['put-key-policy.json', 'revoke-grant.json'])(
    '%s with the probe denied: records the first denial and starts the disable workflow, trigger KeyAccessRevoked',
    async (file) => {
      kmsMock.on(GenerateDataKeyWithoutPlaintextCommand).rejects(
        Object.assign(new Error('not authorized'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        }),
      );

      const result = await invoke(event(file));

      expect(result).toMatchObject({
        accepted: true,
        executionName: expect.stringMatching(/^disable-1234abcd-/),
      });
      const [input] = started();
      expect(input?.stateMachineArn).toBe(DISABLE_MACHINE);
      expect(JSON.parse(input?.input ?? '{}')).toMatchObject({
        keyArn: KEY_ARN,
        trigger: 'KeyAccessRevoked',
        workflow: 'disable',
        actor: { arn: 'arn:aws:iam::111122223333:user/alice' },
      });
      const updates = documents
        .commandCalls(UpdateCommand)
        .map((call) => call.args[0].input.UpdateExpression);
      expect(updates).toContainEqual(expect.stringContaining('if_not_exists(accessDeniedSince, :now)'));
    },
  );

  it('starts nothing when the probe succeeds and the reactor stopped nothing', async () => {
    kmsMock.on(GenerateDataKeyWithoutPlaintextCommand).resolves({ CiphertextBlob: new Uint8Array([1]) });
    documents.on(QueryCommand).resolves({ Items: [] });

    const result = await invoke(event('put-key-policy.json'));

    expect(result).toEqual({
      accepted: false,
      reason: expect.stringMatching(/probe after PutKeyPolicy succeeded/),
    });
    expect(started()).toEqual([]);
  });

  it('starts the enable workflow, trigger KeyAccessRestored, when access is back and the ledger holds what was stopped', async () => {
    kmsMock.on(GenerateDataKeyWithoutPlaintextCommand).resolves({ CiphertextBlob: new Uint8Array([1]) });
    documents.on(QueryCommand).resolves({
      Items: [
        { resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/c/api', layer: 'service', restore: {} },
      ],
    });

    await invoke(event('put-key-policy.json'));

    const [input] = started();
    expect(input?.stateMachineArn).toBe(ENABLE_MACHINE);
    expect(JSON.parse(input?.input ?? '{}')).toMatchObject({
      trigger: 'KeyAccessRestored',
      workflow: 'enable',
    });
  });

  it('takes throttling or a KMS error for an outage: nothing starts, the operators are paged, the alarm counts it', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    kmsMock.on(GenerateDataKeyWithoutPlaintextCommand).rejects(
      Object.assign(new Error('internal'), {
        name: 'KMSInternalException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    const result = await invoke(event('put-key-policy.json'));

    expect(result).toEqual({ accepted: false, reason: expect.stringMatching(/an outage, not a revocation/) });
    expect(started()).toEqual([]);
    expect(notifier.page).toHaveBeenCalledWith(
      expect.stringMatching(/KMS outage while checking a key, nothing stopped/),
      expect.stringContaining('KMSInternalException'),
    );
    expect(addMetric).toHaveBeenCalledWith('KmsOutages', 'Count', 1);
  });

  it('pages the operators for a disconnected custom key store, and starts nothing: an outage', async () => {
    const result = await invoke(event('disconnect-custom-key-store.json'));

    expect(result).toEqual({
      accepted: false,
      reason: expect.stringMatching(/cks-1234567890abcdef0 .*an outage/),
    });
    expect(started()).toEqual([]);
    expect(kmsMock.calls()).toHaveLength(0);
    expect(notifier.page).toHaveBeenCalledWith(
      expect.stringMatching(/custom key store was disconnected/),
      expect.any(String),
    );
  });

  it('rejects an access call CloudTrail recorded as refused, without probing', async () => {
    const refused = event('put-key-policy.json');
    refused.detail.errorCode = 'AccessDeniedException';

    const result = await invoke(refused);

    expect(result).toEqual({ accepted: false, reason: expect.stringMatching(/^PutKeyPolicy was denied/) });
    expect(kmsMock.calls()).toHaveLength(0);
  });
});

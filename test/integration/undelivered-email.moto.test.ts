import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { DeleteIdentityCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { createNotifyHandler } from '../../lambdas/notify/notify-handler';
import { keyIdOf } from '../../lambdas/shared/arn';
import type { EmailTemplate } from '../../lambdas/shared/email/types';
import type { KeyEvent } from '../../lambdas/shared/model';
import { Reactor } from '../../lambdas/shared/reactor';
import { createSweepHandler } from '../../lambdas/sweep/sweep-handler';
import { AwsCallLog, sentEmails } from '../../sandbox/aws-calls';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../sandbox/local-workflows';
import {
  type AwsClients,
  createCustomerKey,
  createReactorTable,
  DEMO,
  localSettings,
  operatorTopicArn,
  runManagedInstances,
  SANDBOX_CREDENTIALS,
  stockImageId,
  worldClients,
} from '../../sandbox/world';
import { lambdaContext } from '../support/lambda-context';
import { workerMoto } from '../support/moto';

/**
 * Email off the critical path against moto, whose SES refuses to send from an unverified identity
 * (MessageRejected) and whose SNS takes the operators' pages: the notify step and the sweep as the
 * deployed functions run them, on the reactor's own parts.
 */

const PLACE = { account: LOCAL_ACCOUNT, region: LOCAL_REGION };
const [OPERATOR] = DEMO.operators;
const [ADMIN] = DEMO.administrators;

let clients: AwsClients;
let calls: AwsCallLog;
let reactor: Reactor;
let keyArn: string;

beforeEach(async () => {
  const moto = await workerMoto();
  clients = worldClients(moto.endpoint, LOCAL_REGION);
  await createReactorTable(clients);
  calls = new AwsCallLog();
  reactor = new Reactor(localSettings(PLACE), {
    endpoint: moto.endpoint,
    region: LOCAL_REGION,
    credentials: SANDBOX_CREDENTIALS,
    instrument: [calls.instrument],
  });
  keyArn = await createCustomerKey(clients);
  const [instance] = await runManagedInstances(clients, {
    imageId: await stockImageId(clients.ec2),
    count: 1,
    account: LOCAL_ACCOUNT,
  });
  if (!instance) throw new Error('moto started no instance');
  await reactor.store.registry.register({ keyArn, resourceArn: instance.resourceArn, layer: 'server' });
  await reactor.store.registry.setAdministrators(keyArn, [ADMIN ?? '']);
  await clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
});

/** SES refuses every email: the sender is no longer a verified identity. */
const sesRefuses = () => clients.ses.send(new DeleteIdentityCommand({ Identity: DEMO.sender }));
const sesAccepts = () => clients.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: DEMO.sender }));

function notifyInput(executionName: string, template: EmailTemplate, extra: Record<string, unknown> = {}) {
  const event: KeyEvent = {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    trigger: 'DisableKey',
    workflow: 'disable',
    urgent: false,
    eventId: '9e2d7c1b-5a3f-4b8e-8c6d-1f0a2b3c4d01',
    eventTime: new Date().toISOString(),
    actor: {
      arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/customer-admin`,
      sourceIp: '203.0.113.10',
      userAgent: 'aws-cli/2',
    },
  };
  return {
    keyArn,
    executionName,
    executionArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:KeyDisabled:${executionName}`,
    template,
    event,
    ...extra,
  };
}

const notify = (input: ReturnType<typeof notifyInput>) =>
  createNotifyHandler(reactor)(input, lambdaContext('notify'));
const sweep = () =>
  createSweepHandler(reactor)({}, lambdaContext('sweep')) as Promise<Record<string, unknown>>;
const pages = () => calls.of('Publish').map(({ input }) => input);
const emails = () => sentEmails(calls).map(({ to, subject }) => ({ to, subject }));

it('keeps what SES refused, pages the operators, and lets a later sweep send the news that still matters once', async () => {
  await sesRefuses();

  // The grace period starts, then the fleet is stopped: SES refuses both emails, the workflow goes on.
  await expect(notify(notifyInput('disable-a', 'grace-started', { graceSeconds: 600 }))).resolves.toEqual(
    expect.objectContaining({ sent: 0, undelivered: ['administrators', 'operators'], paged: true }),
  );
  await expect(notify(notifyInput('disable-a', 'shutdown-complete'))).resolves.toEqual(
    expect.objectContaining({ sent: 0, undelivered: ['administrators', 'operators'], paged: true }),
  );
  expect(emails()).toEqual([]);
  expect(
    calls.calls.filter((call) => call.operation === 'SendEmail' && call.error === 'MessageRejected'),
  ).toHaveLength(4);
  expect(pages()).toEqual([
    expect.objectContaining({
      TopicArn: operatorTopicArn(PLACE),
      Subject: expect.stringMatching(/^Key reactor: email about key .* not delivered$/),
    }),
    expect.objectContaining({
      TopicArn: operatorTopicArn(PLACE),
      Message: expect.stringContaining('resource stopped'),
    }),
  ]);
  // The newer email took the older one's place: a grace period is no news once the fleet is down.
  expect(await reactor.store.news.read(keyArn)).toEqual([
    expect.objectContaining({
      template: 'shutdown-complete',
      pending: ['administrators', 'operators'],
      attempts: 1,
    }),
  ]);

  // A sweep while SES still refuses: the news waits, and the operators are not paged again.
  await expect(sweep()).resolves.toEqual(
    expect.objectContaining({ undeliveredResent: 0, undeliveredLeft: 1 }),
  );
  expect(pages()).toHaveLength(2);
  expect(await reactor.store.news.read(keyArn)).toEqual([expect.objectContaining({ attempts: 2 })]);

  // SES accepts again: the next sweep sends the shutdown report, to each audience apart, and only it.
  await sesAccepts();
  await expect(sweep()).resolves.toEqual(
    expect.objectContaining({ undeliveredResent: 1, undeliveredLeft: 0 }),
  );
  expect(emails()).toEqual([
    { to: [ADMIN], subject: expect.stringMatching(/disabled: 1 resource stopped$/) },
    { to: [OPERATOR], subject: expect.stringMatching(/disabled: 1 resource stopped$/) },
  ]);
  expect(await reactor.store.news.read(keyArn)).toEqual([]);

  // Exactly once: neither another sweep nor a retried step sends it again.
  await sweep();
  await expect(notify(notifyInput('disable-a', 'shutdown-complete'))).resolves.toEqual(
    expect.objectContaining({ sent: 0, suppressed: 'this execution sent it already (a retried step)' }),
  );
  expect(emails()).toHaveLength(2);
  expect(pages()).toHaveLength(2);
});

it("leaves a refused grace-period email's slot to the next run, which announces the change after all", async () => {
  await sesRefuses();
  await notify(notifyInput('disable-a', 'grace-started', { graceSeconds: 600 }));
  await sesAccepts();

  // The sweep's drift run for the same change: before, the first run's slot kept it silent.
  await expect(notify(notifyInput('disable-b', 'grace-started', { graceSeconds: 600 }))).resolves.toEqual(
    expect.objectContaining({ sent: 2 }),
  );
  expect(emails().map((email) => email.to)).toEqual([[ADMIN], [OPERATOR]]);
  // Sent by the newer attempt: the first run's undelivered notice is gone with it.
  expect(await reactor.store.news.read(keyArn)).toEqual([]);
  // And once sent, the episode's notice is not sent a third time.
  await expect(notify(notifyInput('disable-c', 'grace-started', { graceSeconds: 600 }))).resolves.toEqual(
    expect.objectContaining({ suppressed: 'disable-b sent it already while the key has been unusable' }),
  );
});

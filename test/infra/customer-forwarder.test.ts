import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CustomerForwarderStack,
  CustomerKeyForwarder,
  forwardedPatterns,
} from '../../lib/customer-forwarder';
import { type MotoServer, startMoto } from '../../sandbox/moto';

interface SampleEvent extends Record<string, unknown> {
  detail: { errorCode?: string; requestParameters: { keyId: string } };
}

const BUS = 'arn:aws:events:us-east-1:999999999999:event-bus/key-lifecycle-reactor';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const SAMPLES = path.resolve(__dirname, '../../../shared/samples/events');

function forwarderStack(context: Record<string, string> = { platformBusArn: BUS, keyArns: KEY }): Stack {
  const app = new App({ context });
  return new CustomerForwarderStack(app, 'CustomerForwarderStack', {
    env: { account: '111122223333', region: 'us-east-1' },
  });
}

describe('the customer forwarder', () => {
  it('forwards only the named keys, only successful calls, to the platform bus', () => {
    const template = Template.fromStack(forwarderStack());
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: Match.objectLike({
          errorCode: [{ exists: false }],
          requestParameters: { keyId: [KEY, '1234abcd-12ab-34cd-56ef-1234567890ab'] },
        }),
      },
      Targets: [
        Match.objectLike({ Arn: BUS, RoleArn: Match.anyValue(), DeadLetterConfig: Match.anyValue() }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'],
        resources: [KEY],
      },
    });
  });

  it('gives EventBridge a role that may only put events on the platform bus', () => {
    const template = Template.fromStack(forwarderStack());
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS }]);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const app = new App({ context: { platformBusArn: BUS, keyArns: KEY } });
    new CustomerForwarderStack(app, 'CustomerForwarderStack', {
      env: { account: '111122223333', region: 'us-east-1' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it.each([
    [{ platformBusArn: 'arn:aws:sqs:us-east-1:999999999999:q', keyArns: KEY }, /not an event bus ARN/],
    [{ platformBusArn: BUS, keyArns: 'alias/customer' }, /not a KMS key ARN/],
    [{ platformBusArn: BUS, keyArns: KEY.replace('us-east-1', 'eu-west-1') }, /one forwarder per Region/],
    [{ keyArns: KEY }, /-c platformBusArn=/],
  ])('refuses bad settings with a clear message (%o)', (context, message) => {
    expect(() => forwarderStack(context as Record<string, string>)).toThrow(message);
  });

  it('rejects an empty key list', () => {
    expect(() => new CustomerKeyForwarder(new Stack(), 'F', { platformBusArn: BUS, keyArns: [] })).toThrow(
      /keyArns is empty/,
    );
  });
});

describe('the forwarded patterns, matched by moto EventBridge', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('match the named key in every sample, by ARN or key ID, and not another key or a denied call', async () => {
    const config = { endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 };
    const bus = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'forwarded' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    for (const [index, pattern] of forwardedPatterns([KEY]).entries()) {
      await bus.send(new PutRuleCommand({ Name: `forward-${index}`, EventPattern: JSON.stringify(pattern) }));
      await bus.send(
        new PutTargetsCommand({
          Rule: `forward-${index}`,
          Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }],
        }),
      );
    }
    const forwarded = async (event: Record<string, unknown>): Promise<boolean> => {
      await bus.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: event.source as string,
              DetailType: event['detail-type'] as string,
              Detail: JSON.stringify(event.detail),
              Resources: event.resources as string[],
            },
          ],
        }),
      );
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages?.length) {
        const { DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
        for (const message of Messages)
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return (Messages?.length ?? 0) > 0;
    };
    const sample = (name: string) =>
      JSON.parse(readFileSync(path.join(SAMPLES, name), 'utf8')) as SampleEvent;

    // disable-key-cli names the key by ID, enable-key-console by ARN.
    for (const name of [
      'disable-key-cli.json',
      'enable-key-console.json',
      'schedule-key-deletion.json',
      'kms-cmk-deletion.json',
    ]) {
      expect({ name, forwarded: await forwarded(sample(name)) }).toEqual({ name, forwarded: true });
    }
    // The expiration sample is for another key: not forwarded.
    expect(await forwarded(sample('kms-imported-key-material-expiration.json'))).toBe(false);
    const denied = sample('disable-key-cli.json');
    denied.detail.errorCode = 'AccessDenied';
    expect(await forwarded(denied)).toBe(false);
    const otherKey = sample('disable-key-cli.json');
    otherKey.detail.requestParameters.keyId = OTHER_KEY;
    expect(await forwarded(otherKey)).toBe(false);
  });
});

import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CustomerForwarderStack,
  CustomerKeyForwarder,
  forwardedPatterns,
} from '../../lib/customer-forwarder';
import type { EventBridgeEvent } from '../../sandbox/cloudtrail';
import { LocalEventBus } from '../../sandbox/event-bus';
import { testApp } from '../support/cdk';
import { workerMoto } from '../support/moto';
import { sample } from '../support/samples';

const BUS = 'arn:aws:events:us-east-1:999999999999:event-bus/key-lifecycle-reactor';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

function forwarderStack(context: Record<string, string> = { platformBusArn: BUS, keyArns: KEY }): Stack {
  return new CustomerForwarderStack(testApp(context), 'CustomerForwarderStack', {
    env: { account: '111122223333', region: 'us-east-1' },
  });
}

describe('the customer forwarder', () => {
  /** The forwarder for one key, synthesized once for the tests that only read it. */
  const template = Template.fromStack(forwarderStack());

  it('forwards only the named keys, only successful calls, to the platform bus', () => {
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
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS }]);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const app = forwarderStack().node.root as App;
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
  it('match the named key in every sample, by ARN or key ID, and not another key or a denied call', async () => {
    // moto's EventBridge with the forwarder's rules, exactly as the stack writes them, and nothing else.
    const rules = forwardedPatterns([KEY]).map((pattern, index) => ({
      id: `forward-${index}`,
      description: 'the customer forwarder',
      pattern,
    }));
    const bus = await LocalEventBus.create((await workerMoto()).endpoint, 'us-east-1', '123456789012', rules);
    const forwarded = async (event: EventBridgeEvent): Promise<boolean> => {
      await bus.put(event);
      return (await bus.drain()).length > 0;
    };
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

import { Arn, ArnFormat, Duration, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isKeyArn, keyIdOf } from '../lambdas/shared/arn';
import { REACTOR_EVENT_SOURCE } from '../lambdas/shared/reactor-events';
import { KMS_EVENT_PATTERNS, type RawEventPattern } from './event-patterns';
import { ContextReader } from './reactor-stack';

/**
 * What a customer deploys in their own account: in BYOK the key lives there, so its CloudTrail and
 * native KMS events land on the customer's default bus, not the platform's. This forwards the events of
 * the keys the customer names (and only those) to the platform's event bus.
 */
export interface CustomerKeyForwarderProps {
  /** The platform's event bus, as the platform gave it: arn:aws:events:<region>:<account>:event-bus/<name>. */
  readonly platformBusArn: string;
  /** The customer's keys whose events are forwarded, by ARN; no other key's events leave the account. */
  readonly keyArns: readonly string[];
  /**
   * Lets the platform's account put the reactor's events about this account's keys on this account's
   * default bus (a bus policy statement: `events:PutEvents` from that account, with source
   * `key-reactor` only), for a platform that deploys the reactor with `customerEvents`.
   * @default false - the default bus admits no other account
   */
  readonly acceptReactorEvents?: boolean;
  // No retry settings: an event-bus target takes none (EventBridge retries with its own policy, 24 hours
  // and 185 attempts, then the dead-letter queue).
}

/** The reactor's own patterns, narrowed to the named keys. */
export function forwardedPatterns(keyArns: readonly string[]): RawEventPattern[] {
  const keyIds = keyArns.map(keyIdOf);
  return KMS_EVENT_PATTERNS.map(({ pattern }) =>
    pattern.detail
      ? // CloudTrail records the key as the caller named it: by ARN or by key ID.
        { ...pattern, detail: { ...pattern.detail, requestParameters: { keyId: [...keyArns, ...keyIds] } } }
      : { ...pattern, resources: [...keyArns] },
  );
}

export class CustomerKeyForwarder extends Construct {
  public readonly rules: readonly events.Rule[];
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  /** With `acceptReactorEvents`, the default bus's statement that admits the platform's events. */
  public readonly reactorEventsPolicy?: events.CfnEventBusPolicy;

  constructor(scope: Construct, id: string, props: CustomerKeyForwarderProps) {
    super(scope, id);
    validate(Stack.of(this), props);

    this.role = new iam.Role(this, 'ForwardingRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description:
        'Lets EventBridge put the named KMS keys events on the platform event bus, and nothing else',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.platformBusArn] }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'UndeliveredEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the forwarding rules: nothing is behind it.',
    });

    const bus = events.EventBus.fromEventBusArn(this, 'PlatformBus', props.platformBusArn);
    const patterns = forwardedPatterns(props.keyArns);
    this.rules = KMS_EVENT_PATTERNS.map(({ id, description }, index) => {
      const pattern = patterns[index] as RawEventPattern;
      return new events.Rule(this, `Forward${id}`, {
        description: `Forwards to the platform: ${description}`,
        eventPattern: {
          source: [...pattern.source],
          detailType: [...pattern['detail-type']],
          ...(pattern.detail ? { detail: pattern.detail as Record<string, unknown> } : {}),
          ...(pattern.resources ? { resources: [...pattern.resources] } : {}),
        },
        targets: [
          new targets.EventBus(bus, {
            role: this.role,
            deadLetterQueue: this.deadLetterQueue,
          }),
        ],
      });
    });
    if (props.acceptReactorEvents) this.reactorEventsPolicy = acceptReactorEvents(this, props.platformBusArn);
  }
}

/** The customer's default bus admits the reactor's events from the platform's account, and nothing else of it. */
function acceptReactorEvents(scope: Construct, platformBusArn: string): events.CfnEventBusPolicy {
  const stack = Stack.of(scope);
  const platformAccount = Arn.split(platformBusArn, ArnFormat.SLASH_RESOURCE_NAME).account;
  return new events.CfnEventBusPolicy(scope, 'AcceptReactorEvents', {
    eventBusName: 'default',
    statementId: 'KeyReactorEvents',
    statement: {
      Sid: 'KeyReactorEvents',
      Effect: 'Allow',
      Principal: {
        AWS: stack.formatArn({ service: 'iam', region: '', account: platformAccount, resource: 'root' }),
      },
      Action: 'events:PutEvents',
      Resource: stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
      Condition: { StringEquals: { 'events:source': REACTOR_EVENT_SOURCE } },
    },
  });
}

function validate(stack: Stack, props: CustomerKeyForwarderProps): void {
  if (!Token.isUnresolved(props.platformBusArn)) {
    const parts = Arn.split(props.platformBusArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (parts.service !== 'events' || parts.resource !== 'event-bus' || !parts.resourceName) {
      throw new Error(
        `platformBusArn "${props.platformBusArn}" is not an event bus ARN: ask the platform for its bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)`,
      );
    }
  }
  if (props.keyArns.length === 0) {
    throw new Error(
      'keyArns is empty: name at least one key whose events the platform needs (-c keyArns=arn:aws:kms:...)',
    );
  }
  for (const keyArn of props.keyArns) {
    if (Token.isUnresolved(keyArn)) continue;
    if (!isKeyArn(keyArn))
      throw new Error(`keyArns: "${keyArn}" is not a KMS key ARN (an alias or key ID will not do)`);
    const region = keyArn.split(':')[3];
    if (!Token.isUnresolved(stack.region) && region !== stack.region) {
      throw new Error(
        `keyArns: ${keyArn} is in ${region} but this stack deploys to ${stack.region}; KMS events stay in their Region, so deploy one forwarder per Region`,
      );
    }
  }
}

/** `npx cdk deploy CustomerForwarderStack -c platformBusArn=... -c keyArns=arn1,arn2` in the customer's account. */
export class CustomerForwarderStack extends Stack {
  public readonly forwarder: CustomerKeyForwarder;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: "Forwards the named KMS keys' events to the platform's key-lifecycle reactor",
      ...props,
    });
    const context = new ContextReader(this);
    this.forwarder = new CustomerKeyForwarder(this, 'Forwarder', {
      platformBusArn: context.requiredString(
        'platformBusArn',
        'arn:aws:events:us-east-1:999999999999:event-bus/key-lifecycle-reactor',
      ),
      keyArns: context.requiredList(
        'keyArns',
        'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
      acceptReactorEvents: context.optionalBoolean('acceptReactorEvents'),
    });
  }
}

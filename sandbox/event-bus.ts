import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { REACTOR_EVENT_SOURCE, type ReactorEvent } from '../lambdas/shared/reactor-events';
import { DRIFT_EVENT_PATTERN, KMS_EVENT_PATTERNS, type NamedEventPattern } from '../lib/event-patterns';
import type { EventBridgeEvent } from './cloudtrail';
import { SANDBOX_CREDENTIALS } from './world';

/** The envelope fields a rehearsal must deliver as they were recorded. */
type Envelope = Pick<EventBridgeEvent, 'id' | 'account' | 'region' | 'time' | 'source'>;

/**
 * moto's EventBridge with the reactor's rules: the exact patterns the CDK stack deploys
 * (lib/event-patterns.ts), the KMS ones and the sweep's drift one, all on the default bus, each targeting an SQS queue the sandbox drains into the dispatcher. So
 * whether an event matches is decided by moto's pattern matching, not by ours.
 *
 * moto delivers a put event with an envelope of its own: a new `id`, its own Region, no `account`. A
 * rehearsal of a recorded event must deliver what was recorded (an event forged with another account
 * is refused by the dispatcher for that very account), so the envelope of each event put here is kept
 * by the event ID moto answered PutEvents with, which its delivery carries, and restored on delivery.
 * Events put by others (the sweep's drift events) get what EventBridge gives them: the bus owner's account.
 *
 * One more rule, not the reactor's, stands in for a subscriber (a pager's API destination, a customer's
 * bus): it catches the reactor's own events (source `key-reactor`) into a queue of their own, so the
 * scenario output lists what was published, and a test can see that no reactor rule took them.
 */
export class LocalEventBus {
  private readonly envelopes = new Map<string, Envelope>();
  /** The reactor's events caught so far, in the order the queue gave them. */
  private readonly caught: ReactorEvent[] = [];

  private constructor(
    private readonly events: EventBridgeClient,
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly publishedQueueUrl: string,
    private readonly account: string,
  ) {}

  /**
   * The bus with `patterns` as its rules (by default the reactor's KMS and drift rules), each delivering
   * to one queue the sandbox drains.
   */
  static async create(
    endpoint: string,
    region: string,
    account: string,
    patterns: readonly NamedEventPattern[] = [...KMS_EVENT_PATTERNS, DRIFT_EVENT_PATTERN],
  ): Promise<LocalEventBus> {
    const config = { endpoint, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
    const events = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    const inbox = await createQueue(sqs, 'key-reactor-dispatcher-inbox');
    for (const { id, description, pattern } of patterns) {
      await events.send(
        new PutRuleCommand({ Name: id, Description: description, EventPattern: JSON.stringify(pattern) }),
      );
      await events.send(new PutTargetsCommand({ Rule: id, Targets: [{ Id: 'dispatcher', Arn: inbox.arn }] }));
    }
    const published = await createQueue(sqs, 'key-reactor-published');
    await events.send(
      new PutRuleCommand({
        Name: 'ReactorEventSubscriber',
        Description: "A subscriber to the reactor's own events, as a pager or a customer's bus would be",
        EventPattern: JSON.stringify({ source: [REACTOR_EVENT_SOURCE] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'ReactorEventSubscriber',
        Targets: [{ Id: 'subscriber', Arn: published.arn }],
      }),
    );
    return new LocalEventBus(events, sqs, inbox.url, published.url, account);
  }

  /** Every reactor event the subscriber rule caught so far, in order: `detail-type` and `detail`. */
  async published(): Promise<readonly ReactorEvent[]> {
    const delivered = await this.receiveAll(this.publishedQueueUrl);
    this.caught.push(
      ...delivered.map((event) => ({
        'detail-type': event['detail-type'] as ReactorEvent['detail-type'],
        detail: event.detail as unknown as ReactorEvent['detail'],
      })),
    );
    return [...this.caught];
  }

  /**
   * Puts the event on the default bus, as AWS would for the call it records; its deliveries carry its
   * envelope (`id`, `account`, `region`, `time`, `source`) as given, where given.
   */
  async put(event: EventBridgeEvent): Promise<void> {
    const { FailedEntryCount, Entries } = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Resources: [...event.resources],
            Time: new Date(event.time),
          },
        ],
      }),
    );
    if (FailedEntryCount) throw new Error(`EventBridge refused the event: ${Entries?.[0]?.ErrorMessage}`);
    const putId = Entries?.[0]?.EventId;
    if (putId) {
      const { id, account, region, time, source } = event;
      this.envelopes.set(putId, { id, account, region, time, source });
    }
  }

  /** Every event the rules delivered so far, removed from the queue. */
  async drain(): Promise<EventBridgeEvent[]> {
    return (await this.receiveAll(this.queueUrl)).map((event) => this.restore(event));
  }

  /** Every event in the queue, removed from it. */
  private async receiveAll(queueUrl: string): Promise<EventBridgeEvent[]> {
    const delivered: EventBridgeEvent[] = [];
    for (;;) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages?.length) return delivered;
      for (const message of Messages) delivered.push(JSON.parse(message.Body ?? '{}') as EventBridgeEvent);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }

  /** The delivered copy with the envelope it was put with; moto's own fields only where none was given. */
  private restore(delivered: EventBridgeEvent): EventBridgeEvent {
    const recorded = this.envelopes.get(delivered.id);
    // moto's delivery leaves out `account`, which EventBridge sets to the bus owner's account.
    const restored = { ...delivered, account: delivered.account ?? this.account };
    if (!recorded) return restored;
    for (const field of ['id', 'account', 'region', 'time', 'source'] as const) {
      if (recorded[field] !== undefined) Object.assign(restored, { [field]: recorded[field] });
    }
    return restored;
  }
}

async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string | undefined }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error('moto returned no queue URL');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes?.QueueArn };
}

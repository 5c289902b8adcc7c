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
import { DRIFT_EVENT_PATTERN, KMS_EVENT_PATTERNS } from '../lib/event-patterns';
import type { EventBridgeEvent } from './cloudtrail';
import { SANDBOX_CREDENTIALS } from './world';

/**
 * moto's EventBridge with the reactor's rules: the exact patterns the CDK stack deploys
 * (lib/event-patterns.ts), the KMS ones and the sweep's drift one, all on the default bus, each targeting an SQS queue the sandbox drains into the dispatcher. So
 * whether an event matches is decided by moto's pattern matching, not by ours.
 */
export class LocalEventBus {
  private constructor(
    private readonly events: EventBridgeClient,
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly account: string,
  ) {}

  static async create(endpoint: string, region: string, account: string): Promise<LocalEventBus> {
    const config = { endpoint, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
    const events = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'key-reactor-dispatcher-inbox' }),
    );
    if (!QueueUrl) throw new Error('moto returned no queue URL');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    for (const { id, description, pattern } of [...KMS_EVENT_PATTERNS, DRIFT_EVENT_PATTERN]) {
      await events.send(
        new PutRuleCommand({ Name: id, Description: description, EventPattern: JSON.stringify(pattern) }),
      );
      await events.send(
        new PutTargetsCommand({ Rule: id, Targets: [{ Id: 'dispatcher', Arn: Attributes?.QueueArn }] }),
      );
    }
    return new LocalEventBus(events, sqs, QueueUrl, account);
  }

  /** Puts the event on the default bus, as AWS would for the call it records. */
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
  }

  /** Every event the rules delivered so far, removed from the queue. */
  async drain(): Promise<EventBridgeEvent[]> {
    const delivered: EventBridgeEvent[] = [];
    for (;;) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages?.length) return delivered;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as EventBridgeEvent;
        // moto's delivery leaves out `account`, which EventBridge sets to the bus owner's account.
        delivered.push({ ...event, account: event.account ?? this.account });
      }
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }
}

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { chunk } from './concurrency';
import { NOT_PUBLISHED_METRIC } from './contract';
import { logger, metrics } from './observability';
import { REACTOR_EVENT_SOURCE, type ReactorEvent } from './reactor-events';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_LIMIT = 10;
/**
 * The longest a publish may hold up its step. A stop or a start never waits on it (the steps that
 * publish only tell), but a hung connection must not eat the step's Lambda timeout either.
 */
const PUBLISH_TIMEOUT_MS = 3000;

export interface EventPublisherOptions {
  /** The platform bus. Without one (the CLI, some tests) an event is logged at debug level and not put. */
  readonly eventBusName?: string;
  /** @default PUBLISH_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** What became of the events of one `publish`. */
export interface PublishReport {
  readonly published: number;
  readonly failed: number;
}

/**
 * Puts the reactor's events (reactor-events.ts) on the platform bus, for pagers, chats and the
 * customers' own accounts. A side channel: it never throws, so a failure to publish cannot fail, retry
 * or delay beyond its timeout the step that tells; it is logged at error level and counted in the
 * ReactorEventsNotPublished metric, which raises an alarm.
 */
export class EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly options: EventPublisherOptions,
  ) {}

  async publish(events: readonly ReactorEvent[]): Promise<PublishReport> {
    const { eventBusName } = this.options;
    if (events.length === 0) return { published: 0, failed: 0 };
    if (!eventBusName) {
      logger.debug('Reactor events not published: no event bus is configured', { count: events.length });
      return { published: 0, failed: 0 };
    }
    let published = 0;
    for (const batch of chunk(events, PUT_EVENTS_LIMIT)) published += await this.put(eventBusName, batch);
    const failed = events.length - published;
    if (failed > 0) metrics.addMetric(NOT_PUBLISHED_METRIC, MetricUnit.Count, failed);
    return { published, failed };
  }

  /** Puts one batch; returns how many EventBridge took. */
  private async put(eventBusName: string, batch: readonly ReactorEvent[]): Promise<number> {
    try {
      const { Entries = [] } = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: eventBusName,
            Source: REACTOR_EVENT_SOURCE,
            DetailType: event['detail-type'],
            // The key, so that a subscriber can match one key with `resources` as well as `detail.keyArn`.
            Resources: [event.detail.keyArn],
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.detail.occurredAt),
          })),
        }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs ?? PUBLISH_TIMEOUT_MS) },
      );
      let taken = 0;
      batch.forEach((event, index) => {
        const entry = Entries[index];
        if (entry?.EventId) {
          taken += 1;
          return;
        }
        logger.error('EventBridge did not take a reactor event', {
          detailType: event['detail-type'],
          keyArn: event.detail.keyArn,
          errorCode: entry?.ErrorCode,
          errorMessage: entry?.ErrorMessage,
        });
      });
      return taken;
    } catch (error) {
      logger.error('Reactor events not published: PutEvents failed', {
        detailTypes: batch.map((event) => event['detail-type']),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return 0;
    }
  }
}

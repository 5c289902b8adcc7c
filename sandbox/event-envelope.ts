import { z } from 'zod';
import type { EventBridgeEvent } from './cloudtrail';

/**
 * What `simulate` needs of an event file: the envelope EventBridge wraps every event in. The rules
 * match on it and the dispatcher reads it, so anything less would end in a TypeError deep inside the
 * sandbox; a file without it gets one line saying what it lacks.
 */

const ENVELOPE = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit account ID'),
  time: z.string().min(1),
  region: z.string().min(1),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});

const REQUIRED =
  'id, detail-type, source, account, time, region, resources (an array) and detail (an object)';

/** The event file does not hold an EventBridge event. */
export class EventShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventShapeError';
  }
}

/** A CloudTrail record as CloudTrail writes it, before EventBridge wraps it as `detail`. */
function isBareCloudTrailRecord(value: Record<string, unknown>): boolean {
  return 'eventName' in value && 'eventSource' in value && !('detail-type' in value);
}

/** The event, checked; or EventShapeError naming what an EventBridge event must have. */
export function eventBridgeEvent(value: unknown, file: string): EventBridgeEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventShapeError(
      `${file} holds neither a scenario (an object with "steps") nor an EventBridge event (an object with ${REQUIRED})`,
    );
  }
  if (isBareCloudTrailRecord(value as Record<string, unknown>)) {
    throw new EventShapeError(
      `${file} is a bare CloudTrail record: simulate takes it as EventBridge delivers it, inside an envelope with ${REQUIRED}, the record being "detail" (see ../shared/samples/events/)`,
    );
  }
  const result = ENVELOPE.safeParse(value);
  if (!result.success) {
    const wrong = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? '?')))];
    throw new EventShapeError(
      `${file} is not an EventBridge event (${wrong.join(', ')} missing or wrong): an event needs ${REQUIRED}`,
    );
  }
  return value as EventBridgeEvent;
}

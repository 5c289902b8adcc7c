import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { epochSeconds, isConditionFailure, type Table } from './table';

/**
 * Which emails were sent, so that a duplicate event, a second trail's copy of the same CloudTrail record,
 * a reordered event or a retried step sends no second email. Two records, both written with conditions:
 *
 * - per execution and template (`EMAIL#<execution>#<template>`): `sending` before the SES call, `sent`
 *   once SES accepted it, `refused` when it did not. A retried notify step finds `sent` and sends
 *   nothing; finding `sending`, it cannot know whether SES took the first attempt, and sends (at least
 *   once rather than never); finding `refused`, it sends again, as the sweep's retry does.
 * - per episode, on the key's STATE item: the execution that sent each of `grace-started`,
 *   `shutdown-complete` and `alert-only` while the key has been unusable. A second disable workflow for
 *   the same change finds them taken and stays silent. A refused email gives its slot back, so that
 *   nobody stays silent over an email nobody got. The episode ends (the marks are removed) whenever
 *   a workflow's DescribeKey sees the key usable (`keySeenUsable`), which also records when.
 *
 * A grace-period email is also not sent for a key that is usable again and that the reactor has seen
 * usable since the event happened: the event is late, repeated or reordered (its enable was handled).
 * A key usable again but not seen so yet (disabled and enabled at once, both events still on their way)
 * still gets it, and the "usable again" email at the end of the grace period.
 *
 * So between two grace-period emails the reactor has seen the key usable, and the second one follows a
 * change that made the key unusable after that: at most one grace-period email per real change, and
 * likewise for the shutdown emails (workflows hold the key's lease, so their observations are ordered).
 */

export const ONCE_PER_EPISODE = ['grace-started', 'shutdown-complete', 'alert-only'] as const;
export const EPISODE_ATTRIBUTE = (template: string): string => `episode:${template}`;
/** Per-execution records outlive any execution (a Standard workflow runs at most a year) by far enough. */
const RECORD_TTL_SECONDS = 400 * 24 * 60 * 60;

export type EmailDecision =
  | {
      readonly send: true;
      /** Marks the email sent; call it once SES has accepted it. */
      readonly sent: () => Promise<void>;
      /**
       * Marks the email refused (SES did not take it) and gives the episode's slot back: a later
       * attempt, by this execution's retry, the sweep or another execution, may send it.
       */
      readonly refused: (reason: string) => Promise<void>;
    }
  | { readonly send: false; readonly reason: string };

export interface EmailClaim {
  readonly keyArn: string;
  readonly executionName: string;
  readonly template: string;
  /** When the key changed (the event's time, ISO 8601). */
  readonly eventTime: string;
  /** Reads whether the key is usable now; asked for `grace-started` only. */
  readonly keyUsable: () => Promise<boolean>;
}

const recordKey = (keyArn: string, executionName: string, template: string) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.emailPrefix}${executionName}#${template}`,
});
const stateKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.state });

/** Which emails were sent for each key, so each is sent once per change of the key. */
export class EmailLog {
  constructor(private readonly table: Table) {}

  private async readRecord(keyArn: string, executionName: string, template: string) {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: recordKey(keyArn, executionName, template) }),
    );
    return Item as { status?: string } | undefined;
  }

  /** Gives the episode's slot back, if this execution holds it. */
  private async releaseEpisodeSlot(keyArn: string, executionName: string, template: string): Promise<void> {
    try {
      await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: stateKey(keyArn),
          UpdateExpression: 'REMOVE #slot',
          ConditionExpression: '#slot = :execution',
          ExpressionAttributeNames: { '#slot': EPISODE_ATTRIBUTE(template) },
          ExpressionAttributeValues: { ':execution': executionName },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Takes the episode's slot for `template` unless another execution holds it; returns that holder, if any. */
  private async takeEpisodeSlot(
    keyArn: string,
    executionName: string,
    template: string,
  ): Promise<string | null> {
    try {
      await this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: stateKey(keyArn),
          UpdateExpression: 'SET #type = :type, keyArn = :keyArn, #slot = :execution',
          ConditionExpression: 'attribute_not_exists(#slot) OR #slot = :execution',
          ExpressionAttributeNames: { '#type': 'type', '#slot': EPISODE_ATTRIBUTE(template) },
          ExpressionAttributeValues: { ':type': 'state', ':keyArn': keyArn, ':execution': executionName },
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.table.documents.send(
        new GetCommand({ TableName: this.table.name, Key: stateKey(keyArn) }),
      );
      return String(Item?.[EPISODE_ATTRIBUTE(template)] ?? 'another execution');
    }
  }

  /**
   * Decides whether this execution sends `template` for the key now, and if so records that it is sending.
   * Call `sent()` once SES accepted the email.
   */
  async claim({ keyArn, executionName, template, eventTime, keyUsable }: EmailClaim): Promise<EmailDecision> {
    const own = await this.readRecord(keyArn, executionName, template);
    if (own?.status === 'sent')
      return { send: false, reason: 'this execution sent it already (a retried step)' };

    if (!own) {
      if (
        template === 'key-usable-again' &&
        !(await this.readRecord(keyArn, executionName, 'grace-started'))
      ) {
        return {
          send: false,
          reason: 'this execution sent no grace-period email, so there is nothing to call off',
        };
      }
      if (template === 'grace-started' && (await keyUsable())) {
        const { Item } = await this.table.documents.send(
          new GetCommand({ TableName: this.table.name, Key: stateKey(keyArn) }),
        );
        const seenUsableAt = String(Item?.lastSeenUsableAt ?? '');
        if (Date.parse(seenUsableAt) > Date.parse(eventTime)) {
          return {
            send: false,
            reason: `the key is usable, and was seen usable at ${seenUsableAt}, after the event: a late, repeated or reordered event`,
          };
        }
      }
    }
    // Taken again by an attempt that follows a refusal (its slot was given back); the holder's own retry keeps it.
    const oncePerEpisode = (ONCE_PER_EPISODE as readonly string[]).includes(template);
    if (oncePerEpisode) {
      const holder = await this.takeEpisodeSlot(keyArn, executionName, template);
      if (holder !== null) {
        return { send: false, reason: `${holder} sent it already while the key has been unusable` };
      }
    }
    if (!own) {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...recordKey(keyArn, executionName, template),
            type: 'email',
            keyArn,
            executionName,
            template,
            status: 'sending',
            ttl: epochSeconds(this.table.clock()) + RECORD_TTL_SECONDS,
          },
        }),
      );
    }

    return {
      send: true,
      sent: async () => {
        await this.table.documents.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: recordKey(keyArn, executionName, template),
            UpdateExpression: 'SET #status = :sent, sentAt = :at',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent', ':at': this.table.clock().toISOString() },
          }),
        );
      },
      refused: async (reason: string) => {
        await this.table.documents.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: recordKey(keyArn, executionName, template),
            UpdateExpression: 'SET #status = :refused, refusedAt = :at, refusal = :reason',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':refused': 'refused',
              ':at': this.table.clock().toISOString(),
              ':reason': reason,
            },
          }),
        );
        if (oncePerEpisode) await this.releaseEpisodeSlot(keyArn, executionName, template);
      },
    };
  }

  /**
   * A workflow saw the key usable: whatever made it unusable is over, and the next change that makes it
   * unusable may be announced again. Records when, to tell late events apart.
   */
  async keySeenUsable(keyArn: string): Promise<void> {
    const at = this.table.clock();
    const names = Object.fromEntries(
      ONCE_PER_EPISODE.map((template, n) => [`#e${n}`, EPISODE_ATTRIBUTE(template)]),
    );
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKey(keyArn),
        UpdateExpression: `SET #type = :type, keyArn = :keyArn, lastSeenUsableAt = :at REMOVE ${Object.keys(names).join(', ')}`,
        ExpressionAttributeNames: { '#type': 'type', ...names },
        ExpressionAttributeValues: { ':type': 'state', ':keyArn': keyArn, ':at': at.toISOString() },
      }),
    );
  }
}

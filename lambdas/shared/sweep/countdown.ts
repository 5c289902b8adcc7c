import { parseArn } from '../arn';
import { type Drivers, observeAll } from '../converge';
import { RDS_RECOVERABLE_STATUS } from '../drivers/rds';
import { renderDatabaseWarning } from '../email/render';
import type { KeyDescription } from '../key-reader';
import type { RegisteredResource } from '../model';
import { warningEvent } from '../reactor-events';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import type { PendingWarning } from './emails';
import { databaseCountdown } from './warnings';

const DATABASE_KINDS = new Set(['rds-instance', 'rds-cluster']);

export interface CountdownParts {
  readonly store: Store;
  readonly drivers: Drivers;
}

/**
 * The 7-day countdown of RDS databases that lost their key: the sweep records when it first sees one
 * `inaccessible-encryption-credentials-recoverable`, clears that once it sees the database in any other
 * state, and from day 4 returns one warning a day with the date RDS makes it unrecoverable.
 *
 * The databases are described only when the key is unusable (RDS takes a database down only then) or a
 * countdown is still open (to close it once the key is back), so a healthy fleet costs nothing more.
 */
export class DatabaseCountdowns {
  constructor(private readonly parts: CountdownParts) {}

  async due(key: KeyInventory, described: KeyDescription, now: Date): Promise<PendingWarning[]> {
    const open = new Map((key.countdowns ?? []).map((countdown) => [countdown.resourceArn, countdown]));
    const databases = key.resources.filter((resource) => DATABASE_KINDS.has(resource.kind));
    if (described.usable && open.size === 0) return [];
    if (databases.length === 0 && open.size === 0) return [];

    const seen = await observeAll(this.parts.drivers, databases);
    const warnings: PendingWarning[] = [];
    for (const database of databases) {
      const observation = seen.get(database.resourceArn);
      if (!observation || 'error' in observation) continue;
      if (observation.detail !== RDS_RECOVERABLE_STATUS) {
        if (open.has(database.resourceArn))
          await this.parts.store.countdowns.clear(key.keyArn, database.resourceArn);
        continue;
      }
      const firstSeenAt =
        open.get(database.resourceArn)?.firstSeenAt ??
        (await this.parts.store.countdowns.firstSeen(key.keyArn, database.resourceArn, now));
      const warning = this.warningFor(key, database, firstSeenAt, now);
      if (warning) warnings.push(warning);
    }
    // A database no longer registered to the key: nobody to warn about it, nothing to count.
    const registered = new Set(databases.map((database) => database.resourceArn));
    for (const resourceArn of open.keys()) {
      if (!registered.has(resourceArn)) await this.parts.store.countdowns.clear(key.keyArn, resourceArn);
    }
    return warnings;
  }

  private warningFor(
    key: KeyInventory,
    database: RegisteredResource,
    firstSeenAt: Date,
    now: Date,
  ): PendingWarning | undefined {
    const countdown = databaseCountdown(firstSeenAt, now);
    if (!countdown) return undefined;
    return {
      record: {
        keyArn: key.keyArn,
        warning: 'database-unrecoverable',
        dueAt: countdown.unrecoverableAt,
        thresholdDays: countdown.daysLeft,
        about: database.resourceArn,
      },
      render: (copy) =>
        renderDatabaseWarning({
          keyArn: key.keyArn,
          region: parseArn(key.keyArn)?.region ?? '',
          database,
          unrecoverableAt: countdown.unrecoverableAt,
          day: countdown.day,
          now,
          ...copy,
        }),
      event: () =>
        warningEvent({
          warning: 'database-unrecoverable',
          dueAt: countdown.unrecoverableAt,
          thresholdDays: countdown.daysLeft,
          keyArn: key.keyArn,
          // The database alone is at risk of staying down for good, whatever the key's policy.
          resources: [{ arn: database.resourceArn, kind: database.kind, outcome: 'at-risk' }],
          occurredAt: now,
        }),
    };
  }
}

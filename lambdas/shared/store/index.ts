import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../clock';
import { Countdowns } from './countdowns';
import { EmailLog } from './email-log';
import { GuardState } from './guard-state';
import { type KeyInventory, readInventory } from './inventory';
import { KeyEvents } from './key-events';
import { Leases } from './lease';
import { Ledger } from './ledger';
import { NewsLog } from './news';
import { Outcomes } from './outcomes';
import { Registry } from './registry';
import { createTable, type Table } from './table';
import { Unstoppables } from './unstoppables';
import { WarningLog } from './warning-log';

export interface StoreOptions {
  readonly tableName: string;
  /** How long a workflow may hold a key's lease. */
  readonly leaseSeconds: number;
  readonly clock: Clock;
}

/** The reactor's table, by what is kept in it: one part per kind of item (see contract.ts). */
export class Store {
  readonly registry: Registry;
  readonly ledger: Ledger;
  readonly leases: Leases;
  readonly outcomes: Outcomes;
  readonly keyEvents: KeyEvents;
  readonly emailLog: EmailLog;
  readonly warningLog: WarningLog;
  /** Emails SES has not accepted yet, for the sweep to send again. */
  readonly news: NewsLog;
  /** When RDS databases were first seen waiting for their key, for the 7-day countdown. */
  readonly countdowns: Countdowns;
  /** The reactor-wide pause switch and the circuit breaker's count (lambdas/shared/guard.ts). */
  readonly guard: GuardState;
  /** What the sweep found the reactor cannot stop, per key, for the emails (cannot-stop.ts). */
  readonly unstoppables: Unstoppables;

  constructor(
    private readonly table: Table,
    leaseSeconds: number,
  ) {
    this.registry = new Registry(table);
    this.ledger = new Ledger(table);
    this.leases = new Leases(table, leaseSeconds);
    this.outcomes = new Outcomes(table);
    this.keyEvents = new KeyEvents(table);
    this.emailLog = new EmailLog(table);
    this.warningLog = new WarningLog(table);
    this.news = new NewsLog(table);
    this.guard = new GuardState(table);
    this.countdowns = new Countdowns(table);
    this.unstoppables = new Unstoppables(table);
  }

  /**
   * What the sweep knows of every key from the table alone: one paginated Scan. `alsoKeys` are kept even
   * with nothing in the table (the keys the tags name); key-resources.ts merges their resources in.
   */
  inventory(alsoKeys?: ReadonlySet<string>): Promise<KeyInventory[]> {
    return readInventory(this.table, alsoKeys);
  }
}

export function createStore(dynamodb: DynamoDBClient, options: StoreOptions): Store {
  return new Store(createTable(dynamodb, options.tableName, options.clock), options.leaseSeconds);
}

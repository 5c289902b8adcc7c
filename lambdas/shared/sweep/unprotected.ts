import { EmailNotAcceptedError, type Mailer, refusalOf, refusedAudiences } from '../email/mailer';
import { renderUnprotected } from '../email/render';
import {
  type DependentFinder,
  type EncryptedDependent,
  toUnstoppable,
  unprotected,
  unstoppable,
} from '../encrypted-dependents';
import { logger } from '../observability';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import { recordUnchanged } from '../store/unstoppables';
import type { WarningRecord } from '../store/warning-log';

/**
 * The warning log's date for a resource found unprotected. The record is about the resource, not a
 * date: this one never comes (DynamoDB's TTL ignores dates more than five years ahead), so each
 * resource is reported once for good, not once per sweep.
 */
const NEVER_DUE = new Date(Date.UTC(9999, 11, 31));
export const UNPROTECTED_WARNING = 'unprotected-dependent';

export interface SafetyNetParts {
  readonly store: Store;
  readonly mailer: Mailer;
  readonly dependents: DependentFinder;
  /** The key's alias, best effort, shown beside its ID. */
  readonly aliasOf?: (keyArn: string) => Promise<string | undefined>;
}

/** What the safety net found in one sweep. */
export interface SafetyNetOutcome {
  /** Resources encrypted with a swept key, of a kind the reactor stops, not tagged nor registered for it. */
  readonly unprotected: readonly EncryptedDependent[];
  /** Of those, reported to the operators by this sweep (found for the first time). */
  readonly reported: number;
}

/**
 * The sweep's safety net by encryption: one look at the account for every swept key (encrypted-dependents.ts),
 * and one email to the operators per key listing the resources found unprotected for the first time. It
 * also records, per key, what the reactor cannot stop (store/unstoppables.ts): the workflows' emails name
 * it from that one item, and never wait for ElastiCache, EFS or S3 on the shutdown path.
 */
export class SafetyNet {
  constructor(private readonly parts: SafetyNetParts) {}

  async check(keys: readonly KeyInventory[], now: Date): Promise<SafetyNetOutcome> {
    const found = await this.parts.dependents.findAll(keys.map(({ keyArn }) => ({ keyArn })));
    const all: EncryptedDependent[] = [];
    let reported = 0;
    for (const key of keys) {
      // A resource registered in the table by hand is the reactor's, tagged or not.
      const registered = new Set(key.resources.map((resource) => resource.resourceArn));
      const dependents = found.get(key.keyArn);
      if (!dependents) continue;
      const open = unprotected(dependents).filter((dependent) => !registered.has(dependent.resourceArn));
      all.push(...open);
      const cannotStop = toUnstoppable(unstoppable(dependents));
      if (!recordUnchanged(key.unstoppableFingerprint, cannotStop))
        await this.parts.store.unstoppables.record(key.keyArn, cannotStop);
      reported += await this.report(key.keyArn, open, now);
    }
    return { unprotected: all, reported };
  }

  /** Emails the operators the resources not reported before; returns how many it reported. */
  private async report(keyArn: string, open: readonly EncryptedDependent[], now: Date): Promise<number> {
    const { store, mailer } = this.parts;
    const claimed: { dependent: EncryptedDependent; record: WarningRecord }[] = [];
    for (const dependent of open) {
      const record = recordFor(keyArn, dependent);
      if (await store.warningLog.claim(record)) claimed.push({ dependent, record });
    }
    if (claimed.length === 0) return 0;
    const keyAlias = this.parts.aliasOf ? await this.parts.aliasOf(keyArn) : undefined;
    const email = renderUnprotected({
      keyArn,
      resources: claimed.map(({ dependent }) => dependent),
      now,
      ...(keyAlias ? { keyAlias } : {}),
    });
    const delivery = await mailer.deliver(
      { operators: email, administrators: email },
      { administrators: [], operators: true },
    );
    if (refusedAudiences(delivery).length === 0) {
      for (const { record } of claimed) await store.warningLog.markSent(record);
      logger.info('Unprotected resources reported', { keyArn, resources: claimed.length });
      return claimed.length;
    }
    const reason = refusalOf(delivery);
    // Refused records are claimed again by the next sweep, which sends the email again.
    for (const { record } of claimed) await store.warningLog.refused(record, reason);
    throw new EmailNotAcceptedError(
      `SES did not accept the unprotected-resources email for ${keyArn}: ${reason}`,
    );
  }
}

function recordFor(keyArn: string, dependent: EncryptedDependent): WarningRecord {
  return {
    keyArn,
    warning: UNPROTECTED_WARNING,
    dueAt: NEVER_DUE,
    thresholdDays: 0,
    about: dependent.resourceArn,
  };
}

/**
 * The reactor's single DynamoDB table: one partition per key, holding the key's registered resources,
 * its policy, its ledger, its lease and its state. No SDK import here: the CDK construct and the
 * sandbox create the table from these names.
 *
 *   pk = KEY#<keyArn>   sk = RESOURCE#<resourceArn>   a resource registered to the key
 *   pk = KEY#<keyArn>   sk = POLICY                   the key's administrators
 *   pk = KEY#<keyArn>   sk = LEDGER#<resourceArn>     a resource the reactor stopped, and how to restore it
 *   pk = KEY#<keyArn>   sk = LEASE                    which workflow acts on the key, until when
 *   pk = KEY#<keyArn>   sk = STATE                    the key's last outcome (shut down, restored, failed),
 *                                                     and which emails the current unusable episode has had
 *   pk = KEY#<keyArn>   sk = EMAIL#<execution>#<template>  an email an execution sent (store/email-log.ts)
 *   pk = KEY#<keyArn>   sk = WARNING#<warning>#<date>#<days>  an early warning the sweep sent (store/warning-log.ts)
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL removes expired leases. */
  timeToLiveAttribute: 'ttl',
} as const;

export const keyPartition = (keyArn: string): string => `KEY#${keyArn}`;

export const SORT_KEYS = {
  resourcePrefix: 'RESOURCE#',
  ledgerPrefix: 'LEDGER#',
  policy: 'POLICY',
  lease: 'LEASE',
  state: 'STATE',
  emailPrefix: 'EMAIL#',
  warningPrefix: 'WARNING#',
} as const;

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_MANAGED_TAG, LIMITS, type ManagedTag } from '../lambdas/shared/contract';
import { type KeyLifecycleReactorProps, validateProps } from './reactor-props';

/** The props once checked, with every default filled in: what the builders read. */
export interface ReactorSettings {
  readonly senderAddress: string;
  readonly operatorAddresses: readonly string[];
  readonly graceSeconds: number;
  readonly managedTag: ManagedTag;
  readonly logRetention: logs.RetentionDays;
  /** This account, then the allowed ones: whose keys the reactor may describe and grant on. */
  readonly keyAccounts: readonly string[];
  /** The allowed accounts but this one: whose forwarders may put events on the platform bus. */
  readonly customerAccounts: readonly string[];
  readonly organizationId?: string;
  readonly sweepInterval: Duration;
  readonly warningDays?: readonly number[];
  /** The circuit breaker's limit, or undefined for the default the functions compute (guard.ts). */
  readonly breakerKeys?: number;
  /** Whether each customer account's default bus gets the events of its keys. */
  readonly customerEvents: boolean;
  readonly removalPolicy: RemovalPolicy;
}

/** Checks the props (see validateProps) and fills in the defaults their docs promise. */
export function settingsOf(scope: Construct, props: KeyLifecycleReactorProps): ReactorSettings {
  validateProps(props);
  const account = Stack.of(scope).account;
  return {
    senderAddress: props.senderAddress,
    operatorAddresses: props.operatorAddresses,
    graceSeconds: (props.gracePeriod ?? Duration.seconds(LIMITS.defaultGraceSeconds)).toSeconds(),
    managedTag: props.managedTag ?? DEFAULT_MANAGED_TAG,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    keyAccounts: [...new Set([account, ...(props.allowedAccounts ?? [])])],
    customerAccounts: (props.allowedAccounts ?? []).filter((allowed) => allowed !== account),
    organizationId: props.allowedOrganizationId,
    sweepInterval: props.sweepInterval ?? Duration.minutes(LIMITS.defaultSweepMinutes),
    warningDays: props.warningDays,
    breakerKeys: props.breakerKeys,
    customerEvents: props.customerEvents ?? false,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  };
}

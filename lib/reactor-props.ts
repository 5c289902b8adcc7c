import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { DEFAULT_MANAGED_TAG, LIMITS, type ManagedTag, PATTERNS } from '../lambdas/shared/contract';

export type { ManagedTag } from '../lambdas/shared/contract';

export interface KeyLifecycleReactorProps {
  /**
   * The address the reactor's emails come from: an SES identity verified in this account and region
   * (the address itself, or its domain). The notify function may send from this address only.
   */
  readonly senderAddress: string;
  /**
   * The platform operators, at least one: the notify function emails them, and each address is subscribed
   * to the alarm topic (AWS sends a confirmation email that must be accepted before alarms arrive).
   */
  readonly operatorAddresses: readonly string[];
  /**
   * How long a disable workflow waits before stopping anything, so an accidental disable can be undone.
   * Whole seconds, from 0 to 24 hours.
   * @default Duration.minutes(10)
   */
  readonly gracePeriod?: Duration;
  /**
   * The tag a resource must carry for the reactor to stop or start it; the IAM policies enforce it.
   * @default { key: 'key-reactor:managed', value: 'true' }
   */
  readonly managedTag?: ManagedTag;
  /**
   * How long the functions' and the workflows' log groups keep their events.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The AWS accounts whose keys the reactor acts on (12 digits each). The account the reactor is
   * deployed in is always included.
   * @default - this account only
   */
  readonly allowedAccounts?: readonly string[];
  /**
   * An AWS Organization (`o-` and 10 to 32 letters or digits) every account of which may forward its
   * keys' events to the platform bus, beside `allowedAccounts`. The bus policy then admits the
   * organization's accounts, and the reactor may describe and grant on keys owned by them.
   * @default - no organization: only `allowedAccounts`
   */
  readonly allowedOrganizationId?: string;
  /**
   * How often the sweep reads every registered key and looks for resources that do not match it (missed
   * events, RDS databases AWS started by itself). From 1 minute to 1 day, in whole minutes.
   * @default Duration.minutes(5)
   */
  readonly sweepInterval?: Duration;
  /**
   * How many days ahead of imported key material expiring, or of a key's scheduled deletion, the sweep
   * emails the key's administrators: once per threshold. Whole days, at most 365.
   * @default [30, 7, 1]
   */
  readonly warningDays?: readonly number[];
  /**
   * The circuit breaker: when more keys than this turn unusable within an hour, new shutdowns wait as
   * alert-only and the operators are paged, until `key-reactor resume`. A whole number of keys, at least 1.
   * @default - the larger of 10 keys and 10 % of the keys with registered resources
   */
  readonly breakerKeys?: number;
  /**
   * Forwards the reactor's events (docs/events.md) about each customer account's keys to that account's
   * default event bus, so the customer can subscribe in their own account: one rule per account of
   * `allowedAccounts` but this one. Each customer's default bus must admit this account
   * (CustomerKeyForwarder's `acceptReactorEvents`). The events stay on the platform bus either way.
   * @default false - the events go to the platform bus only
   */
  readonly customerEvents?: boolean;
  /**
   * What happens to the registry table when it leaves the stack. The table also has deletion protection,
   * which must be turned off before DESTROY can take effect.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A prop that cannot work, found at synth time. */
export class KeyLifecycleReactorPropsError extends Error {
  constructor(message: string) {
    super(`KeyLifecycleReactor: ${message}`);
    this.name = 'KeyLifecycleReactorPropsError';
  }
}

/** IAM tag keys: letters, digits, spaces and _ . : / = + - @, at most 128, not starting with aws: */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Fails at synth time on a prop that cannot work, naming the prop and the fix. Tokens are not checked. */
export function validateProps(props: KeyLifecycleReactorProps): void {
  const fail = (message: string): never => {
    throw new KeyLifecycleReactorPropsError(message);
  };
  const isEmail = (value: string) => Token.isUnresolved(value) || PATTERNS.emailAddress.test(value);

  if (!isEmail(props.senderAddress)) {
    fail(
      `senderAddress "${props.senderAddress}" is not an email address. Set it to the address the reactor sends ` +
        'from, verified in SES in this account and region (for example reactor@example.com).',
    );
  }
  if (!Token.isUnresolved(props.operatorAddresses)) {
    if (props.operatorAddresses.length === 0) {
      fail(
        'operatorAddresses is empty. List at least one operator email address; the alarms and failure emails go there.',
      );
    }
    const invalid = props.operatorAddresses.filter((address) => !isEmail(address));
    if (invalid.length > 0) {
      fail(
        `operatorAddresses has ${invalid.map((address) => `"${address}"`).join(', ')}, which is not an email address. ` +
          'List plain addresses such as ops@example.com.',
      );
    }
  }

  const grace = props.gracePeriod;
  if (grace !== undefined) {
    if (grace.isUnresolved()) {
      fail(
        'gracePeriod must be a concrete Duration (it sets the workflow wait and the lease length at synth time).',
      );
    }
    const seconds = grace.toSeconds({ integral: false });
    if (seconds < 0 || seconds > LIMITS.maxGraceSeconds) {
      fail(
        `gracePeriod is ${inWords(seconds)}; it must be between 0 and ${inWords(LIMITS.maxGraceSeconds)} (for example Duration.minutes(10)).`,
      );
    }
    if (!Number.isInteger(seconds)) {
      fail(`gracePeriod is ${inWords(seconds)}; it must be a whole number of seconds.`);
    }
  }

  const tag = props.managedTag;
  if (tag !== undefined) {
    if (
      !Token.isUnresolved(tag.key) &&
      (!TAG_KEY.test(tag.key) || tag.key.toLowerCase().startsWith('aws:'))
    ) {
      fail(
        `managedTag.key "${tag.key}" is not a valid tag key. Use 1 to 128 letters, digits, spaces or _ . : / = + - @, ` +
          `not starting with "aws:" (the default is "${DEFAULT_MANAGED_TAG.key}").`,
      );
    }
    if (!Token.isUnresolved(tag.value) && !TAG_VALUE.test(tag.value)) {
      fail(
        `managedTag.value "${tag.value}" is not a valid tag value. Use at most 256 letters, digits, spaces or _ . : / = + - @ ` +
          `(the default is "${DEFAULT_MANAGED_TAG.value}").`,
      );
    }
  }

  const organization = props.allowedOrganizationId;
  if (
    organization !== undefined &&
    !Token.isUnresolved(organization) &&
    !PATTERNS.organizationId.test(organization)
  ) {
    fail(
      `allowedOrganizationId "${organization}" is not an AWS Organization ID. It looks like o-a1b2c3d4e5 ` +
        '(aws organizations describe-organization shows it).',
    );
  }

  const interval = props.sweepInterval;
  if (interval !== undefined) {
    if (interval.isUnresolved()) fail('sweepInterval must be a concrete Duration.');
    const seconds = interval.toSeconds({ integral: false });
    const longest = LIMITS.maxSweepMinutes * 60;
    if (seconds < 60 || seconds > longest || seconds % 60 !== 0) {
      fail(
        `sweepInterval is ${inWords(seconds)}; it must be whole minutes from 1 minute to ${inWords(longest)} (for example Duration.minutes(5)).`,
      );
    }
  }

  const days = props.warningDays;
  if (days !== undefined) {
    const most = LIMITS.maxWarningDays;
    if (days.length === 0 || days.some((day) => !Number.isInteger(day) || day < 1 || day > most)) {
      fail(
        `warningDays is [${days.join(', ')}]; list whole numbers of days from 1 to ${most}, for example [30, 7, 1].`,
      );
    }
  }

  const breaker = props.breakerKeys;
  if (breaker !== undefined && !Token.isUnresolved(breaker) && (!Number.isInteger(breaker) || breaker < 1)) {
    fail(
      `breakerKeys is ${breaker}; it must be a whole number of keys, at least 1 (for example 25), or left out ` +
        'for the larger of 10 and 10 % of the registered keys.',
    );
  }

  if (props.customerEvents === true && !props.allowedAccounts?.length) {
    fail(
      "customerEvents forwards the events of each customer account's keys to that account's default bus, and " +
        'needs the accounts: list them in allowedAccounts (an organization alone does not name them), or leave customerEvents out.',
    );
  }

  const accounts = props.allowedAccounts;
  if (accounts !== undefined && !Token.isUnresolved(accounts)) {
    if (accounts.length === 0) {
      fail(
        'allowedAccounts is empty. List the 12-digit accounts whose keys the reactor acts on, or leave it out for this account only.',
      );
    }
    const invalid = accounts.filter(
      (account) => !Token.isUnresolved(account) && !PATTERNS.account.test(account),
    );
    if (invalid.length > 0) {
      fail(
        `allowedAccounts has ${invalid.map((account) => `"${account}"`).join(', ')}; each must be a 12-digit AWS account ID ` +
          '(for example "123456789012", as a string, leading zeros kept).',
      );
    }
  }
}

/** A duration in its largest whole unit, for messages: `25 hours`, `90 minutes`, `1.5 seconds`. */
export function inWords(seconds: number): string {
  const [amount, unit] =
    seconds !== 0 && seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds !== 0 && seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

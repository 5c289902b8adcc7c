import { kindOf, parseArn } from '../lambdas/shared/arn';
import { PATTERNS } from '../lambdas/shared/contract';
import { RESOURCE_KINDS, type ResourceKind } from '../lambdas/shared/model';
import { UsageError } from './errors';

const MAX_GRACE_MINUTES = 24 * 60;

export interface ResourceArgument {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
}

/** A resource ARN of a kind the reactor has a driver for. */
export function resourceArgument(value: string): ResourceArgument {
  const parts = parseArn(value);
  if (!parts)
    throw new UsageError(
      `"${value}" is not an ARN (expected arn:aws:<service>:<region>:<account>:<resource>)`,
    );
  try {
    return { resourceArn: value, kind: kindOf(value) };
  } catch (error) {
    // kindOf's message lists what is supported; it grows with the drivers.
    const expected =
      /expected (.+)$/.exec((error as Error).message)?.[1] ?? `one of ${RESOURCE_KINDS.join(', ')}`;
    const type = parts.resource.split(/[/:]/, 1)[0] ?? '';
    throw new UsageError(
      `unsupported resource type "${parts.service}:${type}" in ${value}: expected ${expected}`,
    );
  }
}

/** Any ARN: unregister accepts whatever was registered, even of a kind no longer supported. */
export function anyArnArgument(value: string): string {
  if (!parseArn(value)) throw new UsageError(`"${value}" is not an ARN`);
  return value;
}

/** Services stop first and start last; everything else is a server. */
export { defaultLayer } from '../lambdas/shared/key-resources';

/** `--grace <minutes>`: 0 to 1440, in whole seconds. */
export function graceSecondsOption(value: string): number {
  const minutes = Number(value);
  if (value.trim() === '' || !Number.isFinite(minutes) || minutes < 0 || minutes > MAX_GRACE_MINUTES) {
    throw new UsageError(`--grace takes minutes from 0 to ${MAX_GRACE_MINUTES} (24 hours), got "${value}"`);
  }
  return Math.round(minutes * 60);
}

export function emailOption(value: string): string {
  if (!PATTERNS.emailAddress.test(value)) throw new UsageError(`--admin "${value}" is not an email address`);
  return value;
}

/**
 * `--admin <email>`, repeatable, each value one address or several separated by commas; the addresses
 * given replace the key's list.
 */
export function collectAdmins(value: string, previous: readonly string[] = []): string[] {
  const addresses = value
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  if (addresses.length === 0) throw new UsageError(`--admin "${value}" names no email address`);
  return [...previous, ...addresses.map(emailOption)];
}

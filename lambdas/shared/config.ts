import { DEFAULT_MANAGED_TAG, ENV, LIMITS } from './contract';
import { ConfigurationError } from './errors';

function read(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function required(name: string): string {
  const value = read(name);
  if (value === undefined) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(read(name) ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive whole number, got ${read(name)}`);
  }
  return value;
}

function list(name: string): string[] {
  return (read(name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export const config = {
  tableName: (): string => required(ENV.tableName),
  senderAddress: (): string => required(ENV.senderAddress),
  operatorAddresses: (): string[] => list(ENV.operatorAddresses),
  managedTag: () => ({
    key: read(ENV.managedTagKey) ?? DEFAULT_MANAGED_TAG.key,
    value: read(ENV.managedTagValue) ?? DEFAULT_MANAGED_TAG.value,
  }),
  stateMachineArn: (workflow: 'disable' | 'enable'): string =>
    required(workflow === 'disable' ? ENV.disableStateMachineArn : ENV.enableStateMachineArn),
  /** Accounts whose keys the reactor acts on; empty means only the account the function runs in. */
  allowedAccounts: (): string[] => list(ENV.allowedAccounts),
  /** How long a workflow may hold a key's lease before another may take it over. */
  leaseSeconds: (): number => positiveInteger(ENV.leaseSeconds, LIMITS.leaseSeconds),
  /**
   * The AWS Organization whose accounts may forward key events, if the platform bus admits one: the bus
   * policy is then the gate, and the dispatcher accepts any account's events about its own keys.
   */
  allowedOrganization: (): string | undefined => read(ENV.allowedOrganization),
  /** The bus the sweep puts drift events on: the platform bus, where the drift rule is. */
  eventBusName: (): string => required(ENV.eventBusName),
  /** Days ahead of a key's material expiry or deletion to warn, largest first. */
  warningDays: (): number[] => {
    const days = list(ENV.warningDays).map(Number);
    if (days.some((day) => !Number.isInteger(day) || day <= 0)) {
      throw new ConfigurationError(
        `${ENV.warningDays} must list positive whole numbers of days, like 30,7,1`,
      );
    }
    return [...new Set(days.length > 0 ? days : LIMITS.defaultWarningDays)].sort((a, b) => b - a);
  },
  sweepConcurrency: (): number => positiveInteger(ENV.sweepConcurrency, LIMITS.defaultSweepConcurrency),
};

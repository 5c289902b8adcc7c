import { ConfigurationError } from './errors';

/**
 * The environment variables the Lambda functions read, in one place: the CDK construct sets them from
 * the same names, and the local sandbox sets them for in-process runs. Read on use, never at import,
 * so that importing a handler in a test does not need the whole environment.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  senderAddress: 'SENDER_ADDRESS',
  operatorAddresses: 'OPERATOR_ADDRESSES',
  managedTagKey: 'MANAGED_TAG_KEY',
  managedTagValue: 'MANAGED_TAG_VALUE',
  disableStateMachineArn: 'DISABLE_STATE_MACHINE_ARN',
  enableStateMachineArn: 'ENABLE_STATE_MACHINE_ARN',
  allowedAccounts: 'ALLOWED_ACCOUNTS',
  leaseSeconds: 'LEASE_SECONDS',
} as const;

export const DEFAULT_MANAGED_TAG = { key: 'key-reactor:managed', value: 'true' } as const;

function read(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function required(name: string): string {
  const value = read(name);
  if (value === undefined) throw new ConfigurationError(`Environment variable ${name} is not set`);
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
  leaseSeconds: (): number => {
    const seconds = Number(read(ENV.leaseSeconds) ?? 7200);
    if (!Number.isInteger(seconds) || seconds <= 0) {
      throw new ConfigurationError(`${ENV.leaseSeconds} must be a positive whole number of seconds`);
    }
    return seconds;
  },
};

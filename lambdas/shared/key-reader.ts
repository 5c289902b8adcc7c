import { DescribeKeyCommand, type KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { KeyAccessDeniedError } from './errors';

/** How long an email waits for a key's alias before it goes without one. */
const ALIAS_TIMEOUT_MS = 2000;

export interface KeyState {
  /** KMS's own word (Enabled, Disabled, PendingDeletion, PendingImport, Unavailable), or NotFound. */
  readonly keyState: string;
  /** Only an Enabled key is usable. */
  readonly usable: boolean;
}

/** The key's state and the dates the sweep warns about. */
export interface KeyDescription extends KeyState {
  /** When imported key material expires (ValidTo), if the key's material expires at all. */
  readonly materialExpiresAt?: Date;
  /** When KMS deletes a key that is pending deletion. */
  readonly deletionDate?: Date;
}

/** Reads keys' real state with KMS DescribeKey: what every decision of the reactor starts from. */
export class KeyReader {
  constructor(private readonly kms: KMSClient) {}

  /**
   * Reads the key: a deleted (or never existing) key is NotFound and not usable. Losing access is not
   * proof that the key is unusable (it may be our own IAM), so AccessDenied is a KeyAccessDeniedError for
   * a human to look at.
   */
  async describe(keyArn: string): Promise<KeyDescription> {
    try {
      const { KeyMetadata } = await this.kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
      const keyState = KeyMetadata?.KeyState ?? 'Unknown';
      const expires =
        KeyMetadata?.ExpirationModel === 'KEY_MATERIAL_EXPIRES' ? KeyMetadata.ValidTo : undefined;
      const deletes = keyState === 'PendingDeletion' ? KeyMetadata?.DeletionDate : undefined;
      return {
        keyState,
        usable: keyState === 'Enabled',
        ...(expires ? { materialExpiresAt: new Date(expires) } : {}),
        ...(deletes ? { deletionDate: new Date(deletes) } : {}),
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFoundException')
        return { keyState: 'NotFound', usable: false };
      if (error instanceof Error && error.name === 'AccessDeniedException') {
        throw new KeyAccessDeniedError(`The platform may not describe ${keyArn}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * The key's alias, for the emails to show beside its ID: the first of its aliases by name, or undefined
   * when it has none or KMS would not say in time. Never throws: a name is a courtesy, and must not cost
   * or delay an email.
   * KMS lists only the caller's own account's aliases, so a customer account's key has none here.
   */
  async alias(keyArn: string): Promise<string | undefined> {
    try {
      const { Aliases } = await this.kms.send(new ListAliasesCommand({ KeyId: keyArn }), {
        abortSignal: AbortSignal.timeout(ALIAS_TIMEOUT_MS),
      });
      return (Aliases ?? [])
        .map((alias) => alias.AliasName)
        .filter((name): name is string => typeof name === 'string' && name.length > 0)
        .sort()[0];
    } catch {
      return undefined;
    }
  }

  /** The key's state only: what the workflows decide on, small enough for the execution's state. */
  async state(keyArn: string): Promise<KeyState> {
    const { keyState, usable } = await this.describe(keyArn);
    return { keyState, usable };
  }
}

import {
  DescribeKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  paginateListKeyRotations,
} from '@aws-sdk/client-kms';
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
  /** Where the key material comes from: AWS_KMS, EXTERNAL (imported), AWS_CLOUDHSM, EXTERNAL_KEY_STORE. */
  readonly origin?: string;
}

/** One key material of a key with imported material, as ListKeyRotations lists it. */
export interface KeyMaterial {
  readonly keyMaterialId: string;
  /** CURRENT, NON_CURRENT, PENDING_ROTATION or PENDING_MULTI_REGION_IMPORT_AND_ROTATION. */
  readonly state: string;
  /** When it expires; absent when it does not. */
  readonly validTo?: Date;
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
        ...(KeyMetadata?.Origin ? { origin: KeyMetadata.Origin } : {}),
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

  /**
   * Every key material of a key with imported material (on-demand rotation of imported material lets a
   * key have several), with when each expires. DescribeKey gives only the current material's ValidTo;
   * an older material that expires makes the key PendingImport all the same.
   */
  async materials(keyArn: string): Promise<KeyMaterial[]> {
    const materials: KeyMaterial[] = [];
    const pages = paginateListKeyRotations(
      { client: this.kms },
      { KeyId: keyArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' },
    );
    for await (const page of pages) {
      for (const entry of page.Rotations ?? []) {
        // Entries of completed rotations without material fields (keys whose material AWS generates).
        if (!entry.KeyMaterialId) continue;
        materials.push({
          keyMaterialId: entry.KeyMaterialId,
          state: entry.KeyMaterialState ?? 'CURRENT',
          ...(entry.ExpirationModel === 'KEY_MATERIAL_EXPIRES' && entry.ValidTo
            ? { validTo: new Date(entry.ValidTo) }
            : {}),
        });
      }
    }
    return materials;
  }
}

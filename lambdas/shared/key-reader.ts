import {
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  type KeyMetadata,
  type KMSClient,
  ListAliasesCommand,
  paginateListKeyRotations,
} from '@aws-sdk/client-kms';
import { kmsErrorKind } from './aws-errors';
import { KeyUnavailableError } from './errors';

/**
 * Whether the platform itself may use the key, from a probe made with the reactor's own role:
 * `granted`, `denied` (the key policy or a grant no longer lets the platform in; DescribeKey itself
 * denied counts too), or `unprobed` (the key is not Enabled, or its usage allows no probe: an HMAC or
 * signing key is judged by its state alone).
 */
export type KeyAccess = 'granted' | 'denied' | 'unprobed';

/** How long an email waits for a key's alias before it goes without one. */
const ALIAS_TIMEOUT_MS = 2000;

export interface KeyState {
  /**
   * KMS's own word (Enabled, Disabled, PendingDeletion, PendingImport), NotFound, or AccessDenied when
   * the platform may not even describe the key.
   */
  readonly keyState: string;
  /** Usable means the platform can use it: Enabled, and the probe was not denied. */
  readonly usable: boolean;
  /** Absent reads as `unprobed`. */
  readonly access?: KeyAccess;
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

/** Tells CloudTrail readers (and key-policy conditions) that a call is the reactor's probe. */
export const PROBE_ENCRYPTION_CONTEXT = { 'key-reactor': 'probe' } as const;
const PROBE_PLAINTEXT = new TextEncoder().encode('key-reactor probe');

/**
 * The probe for a key, chosen from DescribeKey's KeyUsage and KeySpec, or undefined when none fits.
 *
 * A symmetric encryption key gets GenerateDataKeyWithoutPlaintext: it is the call an envelope-encrypting
 * platform makes with the key, and its permission hands the reactor no plaintext and no way to encrypt
 * data of its choosing. It works only for SYMMETRIC_DEFAULT keys, so an asymmetric ENCRYPT_DECRYPT key
 * (RSA, SM2) gets Encrypt of a few bytes with one of its algorithms. HMAC, signing and key-agreement
 * keys allow neither: they fall back to their state alone.
 */
export function probeFor(
  metadata: Partial<KeyMetadata>,
): 'GenerateDataKeyWithoutPlaintext' | 'Encrypt' | undefined {
  // KMS always reports both; a missing one reads as KMS's own default, a symmetric encryption key.
  if ((metadata.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') return undefined;
  if ((metadata.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT')
    return 'GenerateDataKeyWithoutPlaintext';
  return asymmetricAlgorithm(metadata) === undefined ? undefined : 'Encrypt';
}

function asymmetricAlgorithm(metadata: Partial<KeyMetadata>): string | undefined {
  return metadata.EncryptionAlgorithms?.find((algorithm) => algorithm !== 'SYMMETRIC_DEFAULT');
}

/** Reads keys' real state with KMS DescribeKey and the probe: what every decision of the reactor starts from. */
export class KeyReader {
  constructor(private readonly kms: KMSClient) {}

  /**
   * Reads the key. A deleted (or never existing) key is NotFound and not usable. Revoked access (the
   * probe, or DescribeKey itself, denied) is not usable either: key-check.ts confirms it before anything
   * stops. An outage (throttling, 5xx, timeouts, a disconnected custom key store) is never taken for an
   * unusable key: it is thrown, as the SDK's error or as KeyUnavailableError.
   */
  async describe(keyArn: string): Promise<KeyDescription> {
    let metadata: Partial<KeyMetadata>;
    try {
      metadata = (await this.kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata ?? {};
    } catch (error) {
      const kind = kmsErrorKind(error);
      if (kind === 'not-found') return { keyState: 'NotFound', usable: false, access: 'unprobed' };
      if (kind === 'denied') return { keyState: 'AccessDenied', usable: false, access: 'denied' };
      throw error;
    }
    const keyState = metadata.KeyState ?? 'Unknown';
    if (keyState === 'Unavailable') {
      throw new KeyUnavailableError(
        `${keyArn} is Unavailable: its custom key store is disconnected or failing. An outage, not key loss: nothing stops`,
      );
    }
    const access = keyState === 'Enabled' ? await this.probe(keyArn, metadata) : 'unprobed';
    const expires = metadata.ExpirationModel === 'KEY_MATERIAL_EXPIRES' ? metadata.ValidTo : undefined;
    const deletes = keyState === 'PendingDeletion' ? metadata.DeletionDate : undefined;
    return {
      keyState,
      usable: keyState === 'Enabled' && access !== 'denied',
      access,
      ...(metadata.Origin ? { origin: metadata.Origin } : {}),
      ...(expires ? { materialExpiresAt: new Date(expires) } : {}),
      ...(deletes ? { deletionDate: new Date(deletes) } : {}),
    };
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
    const { keyState, usable, access = 'unprobed' } = await this.describe(keyArn);
    return { keyState, usable, access };
  }

  /**
   * Uses the key as the platform would; only a denial says anything about access, an outage is thrown.
   * Onboarding makes the same probe, so that a key registered is one the reactor can judge.
   */
  async probe(keyArn: string, metadata: Partial<KeyMetadata>): Promise<KeyAccess> {
    const probe = probeFor(metadata);
    if (probe === undefined) return 'unprobed';
    try {
      if (probe === 'GenerateDataKeyWithoutPlaintext') {
        await this.kms.send(
          new GenerateDataKeyWithoutPlaintextCommand({
            KeyId: keyArn,
            KeySpec: 'AES_256',
            EncryptionContext: PROBE_ENCRYPTION_CONTEXT,
          }),
        );
      } else {
        await this.kms.send(
          new EncryptCommand({
            KeyId: keyArn,
            Plaintext: PROBE_PLAINTEXT,
            EncryptionAlgorithm: asymmetricAlgorithm(
              metadata,
            ) as EncryptCommand['input']['EncryptionAlgorithm'],
          }),
        );
      }
      return 'granted';
    } catch (error) {
      if (kmsErrorKind(error) === 'denied') return 'denied';
      throw error;
    }
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

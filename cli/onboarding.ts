import {
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  type KeyMetadata,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { isKeyArn, parseArn } from '../lambdas/shared/arn';
import { KeyReader } from '../lambdas/shared/key-reader';

/** The key-policy actions the platform and the reactor need: docs/deploying.md shows the whole statement. */
const KEY_POLICY_ACTIONS =
  'kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext and kms:DescribeKey';

/**
 * What a customer key must be before resources are registered to it, each failure with what to change.
 * BYOK as Heroku offers it: a symmetric encryption key, in the platform's Region, single-Region,
 * enabled, named by its ARN, whose policy lets the platform use it.
 */
export class KeyOnboardingError extends Error {
  constructor(
    readonly check: OnboardingCheck,
    message: string,
  ) {
    super(message);
    this.name = 'KeyOnboardingError';
  }
}

export type OnboardingCheck =
  | 'arn'
  | 'region'
  | 'exists'
  | 'key-spec'
  | 'key-usage'
  | 'multi-region'
  | 'state'
  | 'permission';

export interface OnboardingOptions {
  /** The platform's Region: keys elsewhere are refused. */
  readonly region: string;
  /** The KMS client the checks call, with the operator's credentials. */
  readonly client: KMSClient;
}

function fail(check: OnboardingCheck, message: string): never {
  throw new KeyOnboardingError(check, message);
}

function checkMetadata(keyArn: string, metadata: KeyMetadata): void {
  if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT') {
    fail(
      'key-spec',
      `${keyArn} is a ${metadata.KeySpec} key: create a symmetric key (key spec SYMMETRIC_DEFAULT)`,
    );
  }
  // KMS's default usage; moto leaves the field out when the key was created without it.
  if ((metadata.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
    fail('key-usage', `${keyArn} is for ${metadata.KeyUsage}: create a key whose usage is ENCRYPT_DECRYPT`);
  }
  if (metadata.MultiRegion) {
    fail(
      'multi-region',
      `${keyArn} is a multi-Region key, which is not supported: create a single-Region key in the platform's Region`,
    );
  }
  if (metadata.KeyState !== 'Enabled') {
    fail(
      'state',
      `${keyArn} is ${metadata.KeyState}: enable it (aws kms enable-key --key-id ${keyArn}) first`,
    );
  }
}

/**
 * Makes the reactor's own probe (lambdas/shared/key-reader.ts): a key whose policy refuses it would be
 * taken for a key whose access was revoked, and its resources stopped after the grace period.
 */
async function checkProbe(keyArn: string, metadata: KeyMetadata, client: KMSClient): Promise<void> {
  if ((await new KeyReader(client).probe(keyArn, metadata)) === 'denied') {
    fail(
      'permission',
      `the reactor's probe (kms:GenerateDataKeyWithoutPlaintext) on ${keyArn} was refused: the reactor would take the key ` +
        `for one whose access was revoked. Allow ${KEY_POLICY_ACTIONS} to the platform in the key policy`,
    );
  }
}

/**
 * Runs every check, in the order a customer would fix them, and proves the platform may use the key
 * with a real GenerateDataKey call (DescribeKey alone does not prove the key policy grants encryption),
 * then makes the reactor's probe, which decides whether the key counts as usable.
 */
export async function checkKeyForOnboarding(
  keyArn: string,
  options: OnboardingOptions,
): Promise<KeyMetadata> {
  if (!isKeyArn(keyArn)) {
    fail(
      'arn',
      `"${keyArn}" is not a key ARN: give the key's full ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias or a key ID`,
    );
  }
  const region = parseArn(keyArn)?.region;
  if (region !== options.region) {
    fail(
      'region',
      `${keyArn} is in ${region}, the platform runs in ${options.region}: create the key in ${options.region}`,
    );
  }
  const { client } = options;
  let metadata: KeyMetadata | undefined;
  try {
    ({ KeyMetadata: metadata } = await client.send(new DescribeKeyCommand({ KeyId: keyArn })));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NotFoundException') fail('exists', `${keyArn} does not exist (or was deleted)`);
    if (name === 'AccessDeniedException') {
      fail(
        'permission',
        `the platform may not describe ${keyArn}: allow kms:DescribeKey to the platform in the key policy`,
      );
    }
    throw error;
  }
  if (!metadata) fail('exists', `${keyArn} does not exist`);
  checkMetadata(keyArn, metadata);
  try {
    await client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AccessDeniedException') {
      fail(
        'permission',
        `the platform may not use ${keyArn}: allow ${KEY_POLICY_ACTIONS} to the platform in the key policy`,
      );
    }
    throw error;
  }
  await checkProbe(keyArn, metadata, client);
  return metadata;
}

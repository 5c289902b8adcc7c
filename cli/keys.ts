import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isKeyArn } from '../lambdas/shared/arn';
import { UsageError } from './errors';

/** A key ID as KMS prints it: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
const KEY_ID = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]+$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[A-Za-z0-9/_-]+$/;

/** Whether a value names a key in one of the ways KMS's DescribeKey accepts, other than its ARN. */
export function isKeyReference(value: string): boolean {
  return KEY_ID.test(value) || ALIAS_NAME.test(value) || ALIAS_ARN.test(value);
}

/**
 * The ARN of the key a command is about. The registry is keyed by key ARN, so a key ID, an alias name
 * (`alias/customer`) or an alias ARN is turned into the ARN of the key behind it with one DescribeKey,
 * in the CLI's Region; a key ARN is taken as it is, without a call, so that a deleted key's registrations
 * can still be read and removed.
 */
export async function resolveKeyArn(value: string, kms: KMSClient): Promise<string> {
  if (isKeyArn(value)) return value;
  if (!isKeyReference(value)) {
    throw new UsageError(
      `"${value}" is not a KMS key: give its ARN (arn:aws:kms:<region>:<account>:key/<key id>), its key ID, ` +
        'an alias (alias/<name>) or an alias ARN',
    );
  }
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: value }));
    if (KeyMetadata?.Arn && isKeyArn(KeyMetadata.Arn)) return KeyMetadata.Arn;
  } catch (error) {
    if ((error as Error).name !== 'NotFoundException') throw error;
  }
  const region = await kms.config.region();
  throw new UsageError(
    `no KMS key "${value}" in ${region}: check the ${value.includes('alias/') ? 'alias' : 'key ID'} and ` +
      "the Region (--region), or give the key's ARN",
    'not-found',
  );
}

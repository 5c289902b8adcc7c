import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { kms } from './clients/kms';
import { KeyAccessDeniedError } from './errors';

export interface KeyState {
  /** KMS's own word (Enabled, Disabled, PendingDeletion, PendingImport, Unavailable), or NotFound. */
  readonly keyState: string;
  /** Only an Enabled key is usable. */
  readonly usable: boolean;
}

/**
 * Reads the key's real state with DescribeKey: a deleted (or never existing) key is NotFound and not
 * usable. Losing access is not proof that the key is unusable (it may be our own IAM), so AccessDenied is
 * a KeyAccessDeniedError for a human to look at.
 */
export async function readKeyState(keyArn: string): Promise<KeyState> {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    const keyState = KeyMetadata?.KeyState ?? 'Unknown';
    return { keyState, usable: keyState === 'Enabled' };
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

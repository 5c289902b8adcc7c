import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { parseArn } from '../lambdas/shared/arn';
import type { AwsCredentials, ClientInstrument } from '../lambdas/shared/aws';
import { SANDBOX_CREDENTIALS } from './world';

/**
 * More than one AWS account on one moto server, for what crosses accounts (a customer's key and its
 * forwarder, the platform's reactor). moto picks a request's account by the MOTO_ACCOUNT_ID of the
 * server, else an `x-moto-account-id` header, else the account that owns the access key
 * (moto/core/responses.py, BaseResponse.get_current_account). The default access key belongs to no
 * account, so it gets moto's default account, the local reactor's.
 */

/** moto's STS creates no role: assuming a role of another account is moto's way into that account. */
export class AccountSwitchError extends Error {
  constructor(account: string, reason: string) {
    super(`Could not act as account ${account} on moto: ${reason}`);
    this.name = 'AccountSwitchError';
  }
}

/**
 * Credentials that act as `account` on the moto server at `endpoint`: a role of that account assumed
 * with STS, as one would across accounts in AWS. moto maps the temporary access key to the role's
 * account (moto/sts/models.py, STSBackend.assume_role), so every client built with them works in it.
 * Needs a server started without MOTO_ACCOUNT_ID, which would put every request in one account.
 */
export async function accountCredentials(
  endpoint: string,
  region: string,
  account: string,
): Promise<AwsCredentials> {
  const sts = new STSClient({ endpoint, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/key-reactor-sandbox`,
      RoleSessionName: 'key-reactor-sandbox',
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw new AccountSwitchError(account, 'moto returned no credentials for the role');
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  };
}

type BuildMiddleware = (
  next: (args: { input: Record<string, unknown>; request: unknown }) => Promise<unknown>,
  context: { clientName?: string },
) => (args: { input: Record<string, unknown>; request: unknown }) => Promise<unknown>;

/**
 * AWS answers a KMS call that names a key by ARN from the key's own account (when its key policy lets
 * the caller): that is how the platform reads a customer's key. moto's KMS looks every key up in the
 * caller's account, by the key ID alone (moto/kms/responses.py, KmsResponse.kms_backend, and
 * moto/kms/models.py, KmsBackend.get_key_id), so the platform would find no customer key. This sends
 * each such call to the account the ARN names, by moto's account header. A key of the caller's own
 * account is unaffected; moto evaluates no key policy either way.
 */
export const keysAnsweredByTheirAccount: ClientInstrument = (client) => {
  const route: BuildMiddleware = (next, context) => async (args) => {
    const keyId = args.input.KeyId;
    const account = typeof keyId === 'string' ? parseArn(keyId)?.account : undefined;
    const request = args.request as { headers?: Record<string, string> } | undefined;
    if (context.clientName === 'KMSClient' && account && request?.headers) {
      request.headers['x-moto-account-id'] = account;
    }
    return next(args);
  };
  (client.middlewareStack.add as (mw: BuildMiddleware, options: object) => void)(route, {
    step: 'build',
    name: 'keyReactorKeyAccount',
    override: true,
  });
};

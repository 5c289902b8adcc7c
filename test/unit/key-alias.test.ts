import { KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { KeyReader } from '../../lambdas/shared/key-reader';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);

beforeEach(() => kms.reset());

describe("KeyReader.alias: the key's alias for the emails, best effort", () => {
  it("asks KMS for the key's aliases and gives the first by name", async () => {
    kms.on(ListAliasesCommand).resolves({
      Aliases: [{ AliasName: 'alias/orders-old' }, { AliasName: 'alias/orders' }, {}],
    });
    expect(await new KeyReader(new KMSClient({})).alias(KEY_ARN)).toBe('alias/orders');
    expect(kms).toHaveReceivedCommandWith(ListAliasesCommand, { KeyId: KEY_ARN });
  });

  it('gives nothing for a key without an alias', async () => {
    kms.on(ListAliasesCommand).resolves({ Aliases: [] });
    expect(await new KeyReader(new KMSClient({})).alias(KEY_ARN)).toBeUndefined();
  });

  it("gives nothing, and never throws, when KMS refuses (another account's key, no permission)", async () => {
    kms.on(ListAliasesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect(await new KeyReader(new KMSClient({})).alias(KEY_ARN)).toBeUndefined();
  });
});

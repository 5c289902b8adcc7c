import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { checkKeyForOnboarding, KeyOnboardingError } from '../../cli/onboarding';
import { LOCAL_REGION } from '../../sandbox/local-workflows';
import { worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The checks run against moto where moto models the key (spec, usage, multi-Region, state, existence);
// the key-policy refusal, which moto does not evaluate for GenerateDataKey, is checked with a mock.

let kms: KMSClient;

beforeAll(async () => {
  kms = worldClients((await workerMoto()).endpoint, LOCAL_REGION).kms;
});

async function createKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand(input));
  return KeyMetadata?.Arn ?? '';
}

async function failure(keyArn: string, region = 'us-east-1'): Promise<KeyOnboardingError> {
  try {
    await checkKeyForOnboarding(keyArn, { region, client: kms });
  } catch (error) {
    if (error instanceof KeyOnboardingError) return error;
    throw error;
  }
  throw new Error('the key passed onboarding');
}

describe('onboarding checks', () => {
  it('accepts a symmetric, single-Region, enabled key the platform can use', async () => {
    const keyArn = await createKey();
    await expect(checkKeyForOnboarding(keyArn, { region: 'us-east-1', client: kms })).resolves.toMatchObject({
      KeyState: 'Enabled',
    });
  });

  it('refuses an alias or a bare key ID, asking for the ARN', async () => {
    expect(await failure('alias/customer')).toMatchObject({
      check: 'arn',
      message: expect.stringMatching(/full ARN/),
    });
    expect((await failure('1234abcd-12ab-34cd-56ef-1234567890ab')).check).toBe('arn');
  });

  it("refuses a key outside the platform's Region", async () => {
    const keyArn = await createKey();
    expect(await failure(keyArn, 'eu-west-1')).toMatchObject({
      check: 'region',
      message: expect.stringMatching(/create the key in eu-west-1/),
    });
  });

  it('refuses an asymmetric key', async () => {
    const keyArn = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    expect(await failure(keyArn)).toMatchObject({
      check: 'key-spec',
      message: expect.stringMatching(/SYMMETRIC_DEFAULT/),
    });
  });

  it('refuses a symmetric key meant for MACs', async () => {
    const keyArn = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect((await failure(keyArn)).check).toBe('key-spec');
  });

  it('refuses a multi-Region key', async () => {
    const keyArn = await createKey({ MultiRegion: true });
    expect(await failure(keyArn)).toMatchObject({
      check: 'multi-region',
      message: expect.stringMatching(/single-Region/),
    });
  });

  it('refuses a disabled key, saying how to enable it', async () => {
    const keyArn = await createKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyArn.split('/')[1] }));
    expect(await failure(keyArn)).toMatchObject({
      check: 'state',
      message: expect.stringContaining(`aws kms enable-key --key-id ${keyArn}`),
    });
  });

  it('refuses a key that does not exist', async () => {
    expect(
      (await failure('arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000')).check,
    ).toBe('exists');
  });

  it('refuses a key whose policy does not let the platform use it, proven by GenerateDataKey', async () => {
    const mock = mockClient(KMSClient);
    try {
      mock.on(DescribeKeyCommand).resolves({
        KeyMetadata: {
          KeyId: 'k',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          MultiRegion: false,
          KeyState: 'Enabled',
        },
      });
      mock
        .on(GenerateDataKeyCommand)
        .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      await expect(
        checkKeyForOnboarding(keyArn, { region: 'us-east-1', client: new KMSClient({}) }),
      ).rejects.toMatchObject({
        check: 'permission',
        message: expect.stringMatching(/kms:GenerateDataKey/),
      });
    } finally {
      mock.restore();
    }
  });

  it("refuses a key whose policy lets the platform use it but refuses the reactor's probe, naming the action", async () => {
    const mock = mockClient(KMSClient);
    try {
      mock.on(DescribeKeyCommand).resolves({
        KeyMetadata: {
          KeyId: 'k',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          MultiRegion: false,
          KeyState: 'Enabled',
        },
      });
      mock.on(GenerateDataKeyCommand).resolves({});
      mock
        .on(GenerateDataKeyWithoutPlaintextCommand)
        .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      await expect(
        checkKeyForOnboarding(keyArn, { region: 'us-east-1', client: new KMSClient({}) }),
      ).rejects.toMatchObject({
        check: 'permission',
        message: expect.stringMatching(/probe \(kms:GenerateDataKeyWithoutPlaintext\).*was refused/),
      });
    } finally {
      mock.restore();
    }
  });
});

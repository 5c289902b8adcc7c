import {
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { classifyAwsError, kmsErrorKind } from '../../lambdas/shared/aws-errors';
import { KeyUnavailableError, TransientError } from '../../lambdas/shared/errors';
import { accessLossConfirmed, type CheckedKey } from '../../lambdas/shared/key-check';
import { KeyReader, PROBE_ENCRYPTION_CONTEXT, probeFor } from '../../lambdas/shared/key-reader';

// Usable means the platform can use the key (issue 15): the probe, and the one place KMS errors are
// classified as revoked access, a missing key or an outage.

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const reader = new KeyReader(new KMSClient({}));

/** An error as the SDK builds it from KMS's answer. */
function kmsError(
  name: string,
  status: number,
  fault: 'client' | 'server' = status >= 500 ? 'server' : 'client',
) {
  return Object.assign(new Error(`${name} from KMS`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => kms.reset());

describe('kmsErrorKind', () => {
  it.each([
    ['AccessDeniedException', 400, 'denied'],
    ['NotFoundException', 400, 'not-found'],
    ['KMSInternalException', 500, 'outage'],
    ['ThrottlingException', 400, 'outage'],
    ['ServiceUnavailable', 503, 'outage'],
    ['KeyUnavailableException', 500, 'outage'],
    ['DependencyTimeoutException', 503, 'outage'],
    // A cryptographic call on an Enabled key whose custom key store is disconnected or failing.
    ['KMSInvalidStateException', 400, 'outage'],
    ['CustomKeyStoreInvalidStateException', 400, 'outage'],
    ['TimeoutError', 0, 'outage'],
    ['ValidationException', 400, 'other'],
  ])('%s (HTTP %i) is %s', (name, status, kind) => {
    expect(kmsErrorKind(kmsError(name, status))).toBe(kind);
  });

  it('takes a network error without any answer for an outage', () => {
    expect(kmsErrorKind(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('outage');
  });

  it("knows the reactor's own names for an outage, once a step has classified it", () => {
    expect(kmsErrorKind(new KeyUnavailableError('store disconnected'))).toBe('outage');
    expect(kmsErrorKind(new TransientError('5xx'))).toBe('outage');
  });

  it('has the state machines retry a failing custom key store like any transient error', () => {
    expect(classifyAwsError(kmsError('KMSInvalidStateException', 400))).toBeInstanceOf(TransientError);
    expect(classifyAwsError(kmsError('AccessDeniedException', 400))).not.toBeInstanceOf(TransientError);
  });
});

describe('probeFor', () => {
  it('probes a symmetric encryption key with GenerateDataKeyWithoutPlaintext', () => {
    expect(probeFor({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' })).toBe(
      'GenerateDataKeyWithoutPlaintext',
    );
  });

  it('probes an asymmetric encryption key with Encrypt, which GenerateDataKeyWithoutPlaintext does not take', () => {
    expect(
      probeFor({
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'RSA_2048',
        EncryptionAlgorithms: ['RSAES_OAEP_SHA_256'],
      }),
    ).toBe('Encrypt');
  });

  it('does not probe HMAC, signing or key-agreement keys: their state alone decides', () => {
    expect(probeFor({ KeyUsage: 'GENERATE_VERIFY_MAC', KeySpec: 'HMAC_256' })).toBeUndefined();
    expect(probeFor({ KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' })).toBeUndefined();
    expect(probeFor({ KeyUsage: 'KEY_AGREEMENT', KeySpec: 'ECC_NIST_P256' })).toBeUndefined();
  });
});

describe('KeyReader.describe', () => {
  const enabled = {
    KeyId: KEY_ARN,
    KeyState: 'Enabled' as const,
    KeyUsage: 'ENCRYPT_DECRYPT' as const,
    KeySpec: 'SYMMETRIC_DEFAULT' as const,
  };

  it('is usable when Enabled and the probe succeeds; the probe names itself in its encryption context', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: enabled });
    kms.on(GenerateDataKeyWithoutPlaintextCommand).resolves({ CiphertextBlob: new Uint8Array([1]) });

    await expect(reader.describe(KEY_ARN)).resolves.toEqual({
      keyState: 'Enabled',
      usable: true,
      access: 'granted',
    });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      KeySpec: 'AES_256',
      EncryptionContext: PROBE_ENCRYPTION_CONTEXT,
    });
  });

  it('is not usable when the key stays Enabled but the probe is denied (key policy or grant revoked)', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: enabled });
    kms.on(GenerateDataKeyWithoutPlaintextCommand).rejects(kmsError('AccessDeniedException', 400));

    await expect(reader.describe(KEY_ARN)).resolves.toEqual({
      keyState: 'Enabled',
      usable: false,
      access: 'denied',
    });
  });

  it('takes DescribeKey denied for revoked access too', async () => {
    kms.on(DescribeKeyCommand).rejects(kmsError('AccessDeniedException', 400));

    await expect(reader.describe(KEY_ARN)).resolves.toEqual({
      keyState: 'AccessDenied',
      usable: false,
      access: 'denied',
    });
  });

  it('throws an outage instead of answering: throttling and KMS errors on the probe are never key loss', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: enabled });
    kms.on(GenerateDataKeyWithoutPlaintextCommand).rejectsOnce(kmsError('ThrottlingException', 400));
    await expect(reader.describe(KEY_ARN)).rejects.toMatchObject({ name: 'ThrottlingException' });

    kms.on(GenerateDataKeyWithoutPlaintextCommand).rejects(kmsError('KMSInternalException', 500));
    await expect(reader.describe(KEY_ARN)).rejects.toMatchObject({ name: 'KMSInternalException' });
  });

  it('throws KeyUnavailableError for a key whose custom key store is disconnected (Unavailable)', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...enabled, KeyState: 'Unavailable' } });

    await expect(reader.describe(KEY_ARN)).rejects.toBeInstanceOf(KeyUnavailableError);
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(0);
  });

  it('probes an RSA key with Encrypt and judges an HMAC key by its state alone', async () => {
    kms.on(DescribeKeyCommand).resolvesOnce({
      KeyMetadata: { ...enabled, KeySpec: 'RSA_2048', EncryptionAlgorithms: ['RSAES_OAEP_SHA_256'] },
    });
    kms.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([1]) });
    await expect(reader.describe(KEY_ARN)).resolves.toMatchObject({ usable: true, access: 'granted' });
    expect(kms.commandCalls(EncryptCommand)[0]?.args[0].input).toMatchObject({
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });

    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { ...enabled, KeyUsage: 'GENERATE_VERIFY_MAC', KeySpec: 'HMAC_256' },
    });
    await expect(reader.describe(KEY_ARN)).resolves.toMatchObject({ usable: true, access: 'unprobed' });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(0);
  });

  it('does not probe a key that is not Enabled', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...enabled, KeyState: 'Disabled' } });

    await expect(reader.describe(KEY_ARN)).resolves.toEqual({
      keyState: 'Disabled',
      usable: false,
      access: 'unprobed',
    });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(0);
  });
});

describe('accessLossConfirmed', () => {
  const denied = (since: string): CheckedKey => ({
    keyState: 'Enabled',
    usable: false,
    access: 'denied',
    deleted: false,
    deniedSince: new Date(since),
  });
  const graceStart = new Date('2026-11-22T15:00:00Z');

  it('confirms a denial already seen when the grace period began', () => {
    expect(accessLossConfirmed(denied('2026-11-22T14:59:59Z'), graceStart)).toBe(true);
    expect(accessLossConfirmed(denied('2026-11-22T15:00:00Z'), graceStart)).toBe(true);
  });

  it('does not confirm a denial first seen during the grace period, nor a key whose access works', () => {
    expect(accessLossConfirmed(denied('2026-11-22T15:00:01Z'), graceStart)).toBe(false);
    expect(
      accessLossConfirmed(
        { keyState: 'Enabled', usable: true, access: 'granted', deleted: false },
        graceStart,
      ),
    ).toBe(false);
  });
});

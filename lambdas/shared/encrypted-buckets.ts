import { GetBucketEncryptionCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from './concurrency';

/**
 * The S3 part of the safety net by encryption (encrypted-dependents.ts). S3 has no "buckets encrypted
 * with key K" call: each bucket costs one GetBucketEncryption, so at most `maxBuckets` are read per look
 * (the account's first, by name), a few at a time, so a sweep stays short.
 */

const BUCKET_CONCURRENCY = 8;

export interface BucketsRead {
  /** Each bucket whose default encryption uses one of the keys sought, with that key's ARN. */
  readonly found: readonly { readonly keyArn: string; readonly resourceArn: string }[];
  /** Buckets looked at, of the account's; `truncated` when the bound left some unread. */
  readonly buckets: { readonly checked: number; readonly total: number; readonly truncated: boolean };
}

/** The buckets whose default encryption uses a key `matches` names, reading at most `maxBuckets`. */
export async function encryptedBuckets(
  s3: S3Client,
  matches: (value?: string) => string | undefined,
  partition: string,
  maxBuckets: number,
): Promise<BucketsRead> {
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  const names = Buckets.map((bucket) => bucket.Name)
    .filter((name): name is string => name !== undefined)
    .sort();
  const read = names.slice(0, maxBuckets);
  const keyOf = await mapWithConcurrency(read, BUCKET_CONCURRENCY, (name) => bucketKey(s3, name));
  const found = read.flatMap((name, index) => {
    const keyArn = matches(keyOf[index]);
    return keyArn ? [{ keyArn, resourceArn: `arn:${partition}:s3:::${name}` }] : [];
  });
  return {
    found,
    buckets: { checked: read.length, total: names.length, truncated: read.length < names.length },
  };
}

/** The KMS key of a bucket's default encryption, or undefined (SSE-S3, none, or a bucket gone since). */
async function bucketKey(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    const { ServerSideEncryptionConfiguration } = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket }),
    );
    return ServerSideEncryptionConfiguration?.Rules?.map(
      (rule) => rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
    ).find((key) => key !== undefined);
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'ServerSideEncryptionConfigurationNotFoundError' || name === 'NoSuchBucket')
      return undefined;
    throw error;
  }
}

export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

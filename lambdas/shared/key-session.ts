import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { resourceIdOf } from './arn';
import type { AwsCredentials } from './aws';
import type { Clock } from './clock';
import { KEY_ARN_TAG } from './contract';
import { ConfigurationError } from './errors';

/** The shortest session STS grants: a stolen one is worth the least, and a step renews it freely. */
export const KEY_SESSION_SECONDS = 900;
/** A session is not used in its last minutes, so that no call of a turn starts with one about to expire. */
export const KEY_SESSION_MARGIN_SECONDS = 5 * 60;
/** Keys whose sessions (and clients) a warm function keeps; the least recently used goes first. */
export const KEY_SESSION_CAPACITY = 64;

/**
 * The stop or start function runs in Lambda without the ARN of its key role: the deployment is broken,
 * and acting with the function's own role instead would step around the tenant isolation. Never retried.
 */
export class KeyActionRoleMissingError extends ConfigurationError {}

/** STS answered AssumeRole without credentials. */
export class KeySessionError extends Error {
  constructor(keyArn: string) {
    super(`STS returned no credentials for the key role session of ${keyArn}`);
    this.name = 'KeySessionError';
  }
}

export interface KeySessionsOptions<T> {
  /** The role assumed per key. Unset: `build` gets no credentials (the function's own are used). */
  readonly roleArn?: string;
  /** Whether a missing `roleArn` is an error (in Lambda) rather than a local run. */
  readonly required: boolean;
  /** The environment variable that sets `roleArn`, named in the error. */
  readonly roleArnVariable: string;
  /** STS, called with the function's own credentials. */
  readonly sts: STSClient;
  /** What is kept per key with its session: the clients signed by it. */
  readonly build: (credentials: AwsCredentials | undefined) => T;
  readonly clock: Clock;
  /** @default KEY_SESSION_CAPACITY */
  readonly capacity?: number;
}

interface Entry<T> {
  /** Settles to the session's value; shared by every caller while AssumeRole is in flight. */
  value: Promise<T>;
  /** When the session stops being used (epoch ms); unknown until AssumeRole has answered. */
  renewAt: number;
}

/**
 * Sessions of a key role, one per key, each tagged `key-reactor:key-arn` with the key's ARN: IAM then
 * lets a call signed by it act only on that key's resources (lib/key-scoped-action-role.ts). A warm
 * function reuses a key's session until five minutes before it expires, keeps the 64 keys used last,
 * and makes one AssumeRole for concurrent callers of one key.
 */
export class KeySessions<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private own: T | undefined;
  private readonly capacity: number;

  constructor(private readonly options: KeySessionsOptions<T>) {
    this.capacity = options.capacity ?? KEY_SESSION_CAPACITY;
  }

  /** The value built on the key's session (the function's own credentials when no role is configured). */
  async forKey(keyArn: string): Promise<T> {
    const { roleArn, required, roleArnVariable } = this.options;
    if (roleArn === undefined) {
      if (required) {
        throw new KeyActionRoleMissingError(
          `${roleArnVariable} is not set: the function may act on resources only through its key role`,
        );
      }
      this.own ??= this.options.build(undefined);
      return this.own;
    }
    const now = this.options.clock().getTime();
    const cached = this.entries.get(keyArn);
    if (cached && now < cached.renewAt) {
      // Least recently used first: a hit moves the key to the end of the map's order.
      this.entries.delete(keyArn);
      this.entries.set(keyArn, cached);
      return cached.value;
    }
    // Until AssumeRole answers, the entry never needs renewing: concurrent callers share its promise.
    const entry = { renewAt: Number.POSITIVE_INFINITY } as Entry<T>;
    entry.value = this.assume(roleArn, keyArn).then(
      ({ credentials, expiresAt }) => {
        entry.renewAt = expiresAt - KEY_SESSION_MARGIN_SECONDS * 1000;
        return this.options.build(credentials);
      },
      (error: unknown) => {
        // A failed AssumeRole is not kept: the next call asks again.
        if (this.entries.get(keyArn) === entry) this.entries.delete(keyArn);
        throw error;
      },
    );
    this.entries.delete(keyArn);
    this.entries.set(keyArn, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.value;
  }

  private async assume(
    roleArn: string,
    keyArn: string,
  ): Promise<{ readonly credentials: AwsCredentials; readonly expiresAt: number }> {
    const { Credentials } = await this.options.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionNameOf(keyArn),
        DurationSeconds: KEY_SESSION_SECONDS,
        Tags: [{ Key: KEY_ARN_TAG, Value: keyArn }],
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new KeySessionError(keyArn);
    const expiresAt =
      Credentials.Expiration?.getTime() ?? this.options.clock().getTime() + KEY_SESSION_SECONDS * 1000;
    return {
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
      expiresAt,
    };
  }
}

/**
 * `key-<key id>`: CloudTrail shows it beside every call the session makes, so a call can be traced to its
 * key. STS allows 2 to 64 characters of `[\w+=,.@-]`; a key ID (a UUID, or `mrk-` and 32 hex) fits.
 */
export function sessionNameOf(keyArn: string): string {
  return `key-${resourceIdOf(keyArn)}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

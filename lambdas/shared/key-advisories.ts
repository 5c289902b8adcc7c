import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { parseArn } from './arn';
import type { Seen } from './decision';

/**
 * Warnings about a key and its resources that never block anything: `register` and `status` print them
 * and exit as they would have. Each names something that will hurt later, while there is time to fix it.
 *
 * A tenant, here, is the AWS account that owns a resource (the account in its ARN): a key that
 * resources of several accounts depend on takes all of them down at once.
 */
export type AdvisoryKind =
  | 'rotation-off'
  | 'material-expires'
  | 'multi-region-replicas'
  | 'shared-by-tenants'
  | 'cannot-stop'
  | 'unchecked';

export interface Advisory {
  readonly kind: AdvisoryKind;
  readonly message: string;
}

export interface AdvisoryFacts {
  readonly keyArn: string;
  /** Absent when the key was not read: only the resources' advisories are given. */
  readonly metadata?: KeyMetadata;
  /** GetKeyRotationStatus's answer, for a key whose material AWS generates; undefined when not asked. */
  readonly rotationEnabled?: boolean;
  /** Every resource registered to the key. */
  readonly resourceArns: readonly string[];
  /** What the drivers saw of them (the CLI's observe). */
  readonly seen: ReadonlyMap<string, Seen>;
}

/** The advisories for a key, from what was read of it; pure, so each one is tested on its own. */
export function keyAdvisories(facts: AdvisoryFacts): Advisory[] {
  return [rotationOff, materialExpires, replicasElsewhere, sharedByTenants, cannotStop].flatMap((check) =>
    check(facts),
  );
}

function rotationOff({ keyArn, metadata, rotationEnabled }: AdvisoryFacts): Advisory[] {
  if (metadata?.Origin !== 'AWS_KMS' || rotationEnabled !== false) return [];
  return [
    {
      kind: 'rotation-off',
      message:
        `automatic rotation is off for ${keyArn}, whose key material AWS generates: turn it on ` +
        `(aws kms enable-key-rotation --key-id ${keyArn})`,
    },
  ];
}

function materialExpires({ keyArn, metadata }: AdvisoryFacts): Advisory[] {
  if (metadata?.ExpirationModel !== 'KEY_MATERIAL_EXPIRES') return [];
  const validTo = metadata.ValidTo ? new Date(metadata.ValidTo).toISOString() : 'a date KMS did not give';
  return [
    {
      kind: 'material-expires',
      message:
        `the imported key material of ${keyArn} expires at ${validTo}: the key becomes unusable then, and ` +
        'the reactor stops its resources, unless the same material is imported again before (the sweep warns ' +
        'the administrators 30, 7 and 1 days ahead)',
    },
  ];
}

function replicasElsewhere({ keyArn, metadata }: AdvisoryFacts): Advisory[] {
  const config = metadata?.MultiRegionConfiguration;
  if (!metadata?.MultiRegion || !config) return [];
  const here = parseArn(keyArn)?.region;
  const regions = [config.PrimaryKey, ...(config.ReplicaKeys ?? [])]
    .map((key) => key?.Region)
    .filter((region): region is string => region !== undefined && region !== here);
  if (regions.length === 0) return [];
  return [
    {
      kind: 'multi-region-replicas',
      message:
        `${keyArn} is a multi-Region key with related keys in ${[...new Set(regions)].sort().join(', ')}: ` +
        'each has its own state, and the reactor watches only this one',
    },
  ];
}

function sharedByTenants({ keyArn, resourceArns }: AdvisoryFacts): Advisory[] {
  const accounts = [...new Set(resourceArns.map((arn) => parseArn(arn)?.account).filter(Boolean))].sort();
  if (accounts.length < 2) return [];
  return [
    {
      kind: 'shared-by-tenants',
      message:
        `${keyArn} is shared by resources of ${accounts.length} accounts (${accounts.join(', ')}): when the ` +
        'key becomes unusable, all of them stop together',
    },
  ];
}

/**
 * What AWS refuses to stop: a driver's reason (an RDS read replica, a source with replicas, an Aurora
 * member), whatever its state now, or a running resource the driver would not restore.
 */
function cannotStop({ seen }: AdvisoryFacts): Advisory[] {
  return [...seen.values()].flatMap((observation) => {
    if (!('state' in observation)) return [];
    const why =
      observation.cannotStop ??
      (observation.state === 'running' && observation.restore === undefined ? observation.detail : undefined);
    if (why === undefined) return [];
    return [
      {
        kind: 'cannot-stop' as const,
        message:
          `the reactor cannot stop ${observation.resourceArn} (${why}): its emails name it instead of ` +
          'stopping it, and its data becomes unreadable while the key is unusable',
      },
    ];
  });
}

export interface ReadOptions {
  /** The key as the caller read it already (register's onboarding checks): not read again. */
  readonly metadata?: KeyMetadata;
  /** False: make no KMS call (register --skip-key-checks); only the resources' advisories. */
  readonly readKey?: boolean;
}

/**
 * Reads what the advisories need of the key (DescribeKey, unless given, and GetKeyRotationStatus for a
 * key whose material AWS generates) and returns them. Never throws: what cannot be read is one
 * `unchecked` advisory, since these warnings must never stop a command.
 */
export async function readKeyAdvisories(
  kms: KMSClient,
  keyArn: string,
  resourceArns: readonly string[],
  seen: ReadonlyMap<string, Seen>,
  options: ReadOptions = {},
): Promise<Advisory[]> {
  const facts = { keyArn, resourceArns, seen };
  if (options.readKey === false) return keyAdvisories(facts);
  let metadata = options.metadata;
  if (!metadata) {
    try {
      ({ KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn })));
    } catch (error) {
      return [unchecked('the key', error), ...keyAdvisories(facts)];
    }
  }
  const advisories: Advisory[] = [];
  let rotationEnabled: boolean | undefined;
  if (metadata?.Origin === 'AWS_KMS') {
    try {
      ({ KeyRotationEnabled: rotationEnabled } = await kms.send(
        new GetKeyRotationStatusCommand({ KeyId: keyArn }),
      ));
    } catch (error) {
      advisories.push(unchecked('automatic rotation', error));
    }
  }
  return [...advisories, ...keyAdvisories({ ...facts, metadata, rotationEnabled })];
}

function unchecked(what: string, error: unknown): Advisory {
  const reason = error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : String(error);
  return { kind: 'unchecked', message: `could not check ${what} for warnings: ${reason}` };
}

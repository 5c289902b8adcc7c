import { KEY_ARN_TAG } from '../lambdas/shared/contract';
import type { Direction } from '../lambdas/shared/parts';
import type { LocalPlace } from './local-workflows';
import { createRole } from './raw-aws';

/**
 * The key roles the construct deploys (lib/key-scoped-action-role.ts), created in moto so the local stop
 * and start steps assume one per key as they do in AWS, with the key's session tag. moto evaluates no IAM
 * policy: neither this trust policy nor the roles' aws:PrincipalTag conditions refuse anything here.
 * What the sandbox shows instead is who signed each call (the call log's `signer`); the policies
 * themselves are checked on the synthesized template (test/infra/key-scoped-role.test.ts).
 */
const ROLE_NAMES: Readonly<Record<Direction, string>> = {
  stop: 'key-reactor-StopResourcesKeyRole',
  start: 'key-reactor-StartResourcesKeyRole',
};

/** The key roles' ARNs in the local account: the local reactor's STOP_KEY_ROLE_ARN and START_KEY_ROLE_ARN. */
export function keyRoleArns(place: LocalPlace): Readonly<Record<Direction, string>> {
  return {
    stop: `arn:aws:iam::${place.account}:role/${ROLE_NAMES.stop}`,
    start: `arn:aws:iam::${place.account}:role/${ROLE_NAMES.start}`,
  };
}

/**
 * Creates both roles with the deployed trust conditions. The principal is the local account: the local
 * functions share the sandbox's credentials, where each deployed step has a role of its own.
 */
export async function createKeyRoles(endpoint: string, place: LocalPlace): Promise<void> {
  for (const direction of ['stop', 'start'] as const) {
    await createRole(endpoint, place.region, {
      name: ROLE_NAMES[direction],
      description: `The local ${direction} step, acting on one key's resources`,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${place.account}:root` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: {
              StringLike: { [`aws:RequestTag/${KEY_ARN_TAG}`]: 'arn:*:kms:*:*:key/*' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY_ARN_TAG] },
            },
          },
        ],
      },
    });
  }
}

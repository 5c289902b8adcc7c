import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ENV, KEY_ARN_TAG } from '../lambdas/shared/contract';
import type { ReactorFunction } from './reactor-function';

/** Which way a key role moves resources, and the step function that assumes it. */
export type KeyRoleDirection = 'stop' | 'start';

/** What a session of a key role must be tagged with: one tag, the key's ARN. */
const KEY_SESSION_CONDITIONS = {
  StringLike: { [`aws:RequestTag/${KEY_ARN_TAG}`]: 'arn:*:kms:*:*:key/*' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY_ARN_TAG] },
} as const;

export interface KeyScopedActionRoleProps {
  readonly direction: KeyRoleDirection;
  /** The step function that assumes the role, once per key (lambdas/shared/key-session.ts). */
  readonly step: ReactorFunction;
}

/**
 * The role a stop or start step acts through for one key at a time. Only that step's own role may
 * assume it, and only with the session tag `key-reactor:key-arn` set to a KMS key ARN and no other tag;
 * its policies (reactor-policies.ts) allow each stop or start action only on resources whose
 * `key-reactor:key-arn` tag equals the session's. So a bug, a forged event or a wrong table row can
 * touch no other tenant's resources: IAM refuses, not the reactor's own checks.
 *
 * The step is told the role's ARN (STOP_KEY_ROLE_ARN or START_KEY_ROLE_ARN) and may assume it and tag
 * the session; its own role keeps only what cannot be conditioned on the key (docs/deploying.md).
 */
export class KeyScopedActionRole extends iam.Role {
  constructor(scope: Construct, id: string, props: KeyScopedActionRoleProps) {
    const stepRole = props.step.executionRole;
    super(scope, id, {
      assumedBy: new iam.SessionTagsPrincipal(
        new iam.PrincipalWithConditions(new iam.ArnPrincipal(stepRole.roleArn), KEY_SESSION_CONDITIONS),
      ),
      description: `The key-lifecycle reactor's ${props.direction} step, acting on one key's resources`,
    });
    props.step.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [this.roleArn],
        conditions: KEY_SESSION_CONDITIONS,
      }),
    );
    props.step.addEnvironment(
      props.direction === 'stop' ? ENV.stopKeyRoleArn : ENV.startKeyRoleArn,
      this.roleArn,
    );
  }
}

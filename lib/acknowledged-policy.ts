import { Aws, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { ReactorFunction } from './reactor-function';

/**
 * A policy resource with a wildcard, and the AwsSolutions-IAM5 finding cdk-nag raises for it. Both are
 * written here from the same parts: the ARN, and the finding as cdk-nag prints it, where a literal
 * stays literal and a pseudo parameter shows in angle brackets. So an acknowledgment names the resource
 * it was written for, and test/infra/nag.test.ts fails on any finding these do not name.
 */
export interface WildcardResource {
  readonly arn: string;
  /** Undefined when a part is a token other than a pseudo parameter: cdk-nag then reports it to the user. */
  readonly finding?: string;
}

/** Every resource: for actions that support no resource-level permission. */
export const ANY_RESOURCE: WildcardResource = { arn: '*', finding: 'AwsSolutions-IAM5[Resource::*]' };

const PSEUDO_PARAMETERS: ReadonlyMap<string, string> = new Map([
  [Aws.PARTITION, '<AWS::Partition>'],
  [Aws.REGION, '<AWS::Region>'],
  [Aws.ACCOUNT_ID, '<AWS::AccountId>'],
]);

/**
 * `arn:<partition>:<service>:<region>:<account>:<path>` in the stack's partition and Region, and in its
 * account unless another (or `*`) is named.
 */
export function wildcardArn(
  scope: IConstruct,
  service: string,
  path: string,
  account?: string,
): WildcardResource {
  const stack = Stack.of(scope);
  const parts = [stack.partition, service, stack.region, account ?? stack.account, path];
  const shown = parts.map((part) => (Token.isUnresolved(part) ? PSEUDO_PARAMETERS.get(part) : part));
  return {
    arn: ['arn', ...parts].join(':'),
    finding: shown.every((part) => part !== undefined)
      ? `AwsSolutions-IAM5[Resource::${['arn', ...shown].join(':')}]`
      : undefined,
  };
}

/**
 * One statement, each of its resources with the reason its wildcard is needed. An Allow by default; a
 * Deny narrows what the Allows grant and needs no acknowledgment (cdk-nag checks only what is allowed).
 */
export interface Permission {
  readonly effect?: 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly { readonly resource: WildcardResource; readonly reason: string }[];
  readonly conditions?: Readonly<Record<string, unknown>>;
}

/** A finding named twice in one policy: two reasons for one acknowledgment. */
export class AmbiguousAcknowledgmentError extends Error {
  constructor(policy: string, finding: string) {
    super(`${policy}: ${finding} has two reasons; merge the statements that share its resource`);
    this.name = 'AmbiguousAcknowledgmentError';
  }
}

/**
 * Attaches the permissions to a function's role, or to a role of its own, as a named policy (a child of
 * the function or role), and acknowledges each wildcard finding of that policy with its own reason.
 */
export function attachPolicy(
  holder: ReactorFunction | iam.Role,
  id: string,
  permissions: readonly Permission[],
): iam.Policy {
  const policy = new iam.Policy(holder, id, {
    roles: [holder instanceof iam.Role ? holder : holder.executionRole],
    statements: permissions.map(
      ({ effect, actions, resources, conditions }) =>
        new iam.PolicyStatement({
          effect: effect === 'Deny' ? iam.Effect.DENY : iam.Effect.ALLOW,
          actions: [...actions],
          resources: resources.map(({ resource }) => resource.arn),
          conditions: conditions && { ...conditions },
        }),
    ),
  });
  const acknowledged = new Set<string>();
  const allowed = permissions.filter((permission) => permission.effect !== 'Deny');
  for (const { resource, reason } of allowed.flatMap((permission) => permission.resources)) {
    if (resource.finding === undefined) continue;
    if (acknowledged.has(resource.finding))
      throw new AmbiguousAcknowledgmentError(policy.node.path, resource.finding);
    acknowledged.add(resource.finding);
    Validations.of(policy).acknowledge({ id: resource.finding, reason });
  }
  return policy;
}

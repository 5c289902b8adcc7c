import { UnsupportedResourceError } from './errors';
import type { ResourceKind } from './model';

/** The parts of an ARN: arn:partition:service:region:account:resource. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const ARN_PATTERN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export function parseArn(arn: string): ArnParts | null {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return null;
  const [, partition, service, region, account, resource] = match;
  if (!partition || !service || region === undefined || account === undefined || !resource) return null;
  return { partition, service, region, account, resource };
}

/** A KMS key ARN (not an alias): arn:aws:kms:us-east-1:111122223333:key/1234abcd-... */
export const KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:mrk-)?[0-9a-f-]{32,36}$/;
/** A bare key ID: a UUID, or mrk- and 32 hex digits for multi-Region keys. */
export const KEY_ID_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export function isKeyArn(value: string): boolean {
  return KEY_ARN_PATTERN.test(value);
}

/** The key ID at the end of a key ARN. */
export function keyIdOf(keyArn: string): string {
  return keyArn.slice(keyArn.lastIndexOf('/') + 1);
}

/**
 * An Auto Scaling group's resource part: its UUID, then its name, which is ASCII 33 to 126 without a colon
 * (AWS refuses a colon in the name), at most 255 characters.
 */
const AUTOSCALING_GROUP_RESOURCE =
  /^autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/([\x21-\x39\x3b-\x7e]{1,255})$/;

/** The name of the Auto Scaling group an ARN names, or null when it names none. */
export function autoScalingGroupNameOf(resourceArn: string): string | null {
  const parts = parseArn(resourceArn);
  if (parts?.service !== 'autoscaling') return null;
  return AUTOSCALING_GROUP_RESOURCE.exec(parts.resource)?.[1] ?? null;
}

/**
 * The resource kind an ARN names, or an UnsupportedResourceError that says which kinds are supported.
 * ECS services must use the long ARN format (service/cluster/name), which names the cluster.
 */
export function kindOf(resourceArn: string): ResourceKind {
  const parts = parseArn(resourceArn);
  if (parts) {
    const { service, resource } = parts;
    if (service === 'ecs' && /^service\/[^/]+\/[^/]+$/.test(resource)) return 'ecs-service';
    if (service === 'ec2' && /^instance\/i-[0-9a-f]+$/.test(resource)) return 'ec2-instance';
    if (service === 'rds' && /^db:[A-Za-z][A-Za-z0-9-]*$/.test(resource)) return 'rds-instance';
    if (service === 'rds' && /^cluster:[A-Za-z][A-Za-z0-9-]*$/.test(resource)) return 'rds-cluster';
    if (service === 'autoscaling' && AUTOSCALING_GROUP_RESOURCE.test(resource)) return 'autoscaling-group';
  }
  throw new UnsupportedResourceError(
    `Unsupported resource ARN "${resourceArn}": expected an ECS service (arn:aws:ecs:<region>:<account>:service/<cluster>/<name>), ` +
      'an EC2 instance (...:instance/i-...), an RDS DB instance (...:db:<name>), an RDS DB cluster (...:cluster:<name>) ' +
      'or an Auto Scaling group (arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>)',
  );
}

/** The last path segment of a resource ARN: the instance ID, DB identifier or service name. */
export function resourceIdOf(resourceArn: string): string {
  const resource = parseArn(resourceArn)?.resource ?? resourceArn;
  return resource.slice(Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':')) + 1);
}

/**
 * The first 8 characters of a key ID, keeping the `mrk-` of a multi-Region key so it stays recognisable.
 * Here rather than beside the event parser, so that the emails can use it without loading zod.
 */
export function shortKeyId(keyId: string): string {
  return keyId.startsWith('mrk-') ? keyId.slice(0, 12) : keyId.slice(0, 8);
}

/** The execution in the Step Functions console, or null when the ARN is not an execution ARN. */
export function executionConsoleUrl(executionArn: string): string | null {
  const parts = parseArn(executionArn);
  if (
    parts?.service !== 'states' ||
    !parts.resource.startsWith('execution:') ||
    /[\s"'<>`\\]/.test(executionArn)
  ) {
    return null;
  }
  const { region } = parts;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

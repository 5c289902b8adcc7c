/**
 * The few calls the world makes to a service whose SDK client the project does not depend on
 * (Application Auto Scaling, for an ECS service's scalable target; IAM, for the key roles), sent to moto
 * in its wire protocol (AWS JSON 1.1; IAM's query protocol). moto checks no signature: the Authorization header's scope only tells it which
 * service is meant. These are the world's own calls: never recorded, never faulted.
 */

export class MotoCallError extends Error {
  constructor(service: string, operation: string, status: number, body: string) {
    super(`moto ${service} ${operation} failed: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'MotoCallError';
  }
}

function authorization(region: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=sandbox/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=sandbox`;
}

/** An AWS JSON 1.1 call (Application Auto Scaling's protocol). */
async function jsonCall(
  endpoint: string,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AnyScaleFrontendService.${operation}`,
      Authorization: authorization(region, 'application-autoscaling'),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new MotoCallError('ApplicationAutoScaling', operation, response.status, text);
  return JSON.parse(text || '{}') as Record<string, unknown>;
}

/** An ECS service's scalable target, as DescribeScalableTargets reports it. */
export interface ScalableTarget {
  readonly resourceId: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly suspended: {
    readonly dynamicIn: boolean;
    readonly dynamicOut: boolean;
    readonly scheduled: boolean;
  };
}

/** `service/<cluster>/<service>`: how Application Auto Scaling names an ECS service. */
export function ecsResourceId(serviceArn: string): string {
  const [, cluster, service] = serviceArn.slice(serviceArn.indexOf(':service/') + 1).split('/');
  return `service/${cluster}/${service}`;
}

export async function registerScalableTarget(
  endpoint: string,
  region: string,
  target: { readonly resourceId: string; readonly min: number; readonly max: number },
): Promise<void> {
  await jsonCall(endpoint, region, 'RegisterScalableTarget', {
    ServiceNamespace: 'ecs',
    ResourceId: target.resourceId,
    ScalableDimension: 'ecs:service:DesiredCount',
    MinCapacity: target.min,
    MaxCapacity: target.max,
  });
}

export async function describeScalableTarget(
  endpoint: string,
  region: string,
  resourceId: string,
): Promise<ScalableTarget | undefined> {
  const output = await jsonCall(endpoint, region, 'DescribeScalableTargets', {
    ServiceNamespace: 'ecs',
    ResourceIds: [resourceId],
    ScalableDimension: 'ecs:service:DesiredCount',
  });
  const found = ((output.ScalableTargets ?? []) as Record<string, unknown>[]).find(
    (target) => target.ResourceId === resourceId,
  );
  if (!found) return undefined;
  const suspended = (found.SuspendedState ?? {}) as Record<string, unknown>;
  return {
    resourceId,
    minCapacity: Number(found.MinCapacity ?? 0),
    maxCapacity: Number(found.MaxCapacity ?? 0),
    suspended: {
      dynamicIn: suspended.DynamicScalingInSuspended === true,
      dynamicOut: suspended.DynamicScalingOutSuspended === true,
      scheduled: suspended.ScheduledScalingSuspended === true,
    },
  };
}

/** IAM's CreateRole, in its query protocol; an existing role of that name is left as it is. */
export async function createRole(
  endpoint: string,
  region: string,
  role: { readonly name: string; readonly trustPolicy: object; readonly description: string },
): Promise<void> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      Authorization: authorization(region, 'iam'),
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: role.name,
      AssumeRolePolicyDocument: JSON.stringify(role.trustPolicy),
      Description: role.description,
    }).toString(),
  });
  const text = await response.text();
  if (!response.ok && !text.includes('EntityAlreadyExists')) {
    throw new MotoCallError('IAM', 'CreateRole', response.status, text);
  }
}

import { DEMO } from './world';

/**
 * The few calls the world makes to services whose SDK clients the project does not depend on (SNS for
 * the operators' topic, Application Auto Scaling for an ECS service's scalable target), sent to moto in
 * their wire protocols. moto checks no signature: the Authorization header's scope only tells it which
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

/** An AWS query call (SNS's protocol); returns the XML answer. */
async function queryCall(
  endpoint: string,
  region: string,
  operation: string,
  params: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: authorization(region, 'sns'),
    },
    body: new URLSearchParams({ Action: operation, Version: '2010-03-31', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new MotoCallError('SNS', operation, response.status, text);
  return text;
}

/** Creates the operators' SNS topic (creating it again is harmless); returns its ARN. */
export async function createOperatorsTopic(endpoint: string, region: string): Promise<string> {
  const xml = await queryCall(endpoint, region, 'CreateTopic', { Name: DEMO.operatorsTopic });
  const arn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(xml)?.[1];
  if (!arn) throw new MotoCallError('SNS', 'CreateTopic', 200, xml);
  return arn;
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

import { randomUUID } from 'node:crypto';

/**
 * The EventBridge event CloudTrail would deliver for a KMS API call, in the shape of the recorded
 * samples (../shared/samples/events). moto emits no CloudTrail events, so the sandbox builds the one
 * for each call it makes and puts it on moto's EventBridge itself.
 */
export interface KmsCall {
  readonly eventName: string;
  readonly keyId: string;
  readonly keyArn: string;
  readonly account: string;
  readonly region: string;
  readonly userName: string;
  readonly requestParameters?: Record<string, unknown>;
  readonly responseElements?: Record<string, unknown> | null;
  readonly at?: Date;
}

export type EventBridgeEvent = {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
};

export function cloudTrailEvent(call: KmsCall): EventBridgeEvent {
  const time = (call.at ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    account: call.account,
    time,
    region: call.region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDASANDBOXPRINCIPAL',
        arn: `arn:aws:iam::${call.account}:user/${call.userName}`,
        accountId: call.account,
        userName: call.userName,
      },
      eventTime: time,
      eventSource: 'kms.amazonaws.com',
      eventName: call.eventName,
      awsRegion: call.region,
      sourceIPAddress: '198.51.100.7',
      userAgent: `key-reactor-sandbox command/kms.${call.eventName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
      requestParameters: call.requestParameters ?? { keyId: call.keyId },
      responseElements: call.responseElements ?? null,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      resources: [{ accountId: call.account, type: 'AWS::KMS::Key', ARN: call.keyArn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: call.account,
      eventCategory: 'Management',
    },
  } as EventBridgeEvent;
}

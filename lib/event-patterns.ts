import { DRIFT_DETAIL_TYPE, DRIFT_EVENT_SOURCE } from '../lambdas/shared/contract';
import { NATIVE_KMS_EVENTS, WATCHED_API_CALLS } from '../lambdas/shared/model';

/**
 * The EventBridge patterns the reactor's rules use, in EventBridge's own JSON form. The CDK construct
 * deploys exactly these, and the local sandbox installs exactly these on moto's EventBridge, so pattern
 * matching is checked by an implementation other than ours. No CDK import here.
 */
export interface RawEventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly resources?: readonly string[];
}

export interface NamedEventPattern {
  /** Used in the rule's construct ID and description. */
  readonly id: string;
  readonly description: string;
  readonly pattern: RawEventPattern;
}

export const KMS_EVENT_PATTERNS: readonly NamedEventPattern[] = [
  {
    id: 'KmsApiCalls',
    description:
      'KMS API calls that change whether a key is usable or the platform may use it, recorded by CloudTrail, that succeeded (denied calls carry errorCode)',
    pattern: {
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['kms.amazonaws.com'],
        eventName: [...WATCHED_API_CALLS],
        errorCode: [{ exists: false }],
      },
    },
  },
  {
    id: 'KmsNativeEvents',
    description:
      'Events KMS emits itself: imported key material expired, key deleted after its waiting period',
    pattern: {
      source: ['aws.kms'],
      'detail-type': [...NATIVE_KMS_EVENTS],
    },
  },
];

/**
 * The sweep's drift events (lambdas/shared/drift.ts): on the platform bus only, where the sweep puts
 * them. The dispatcher accepts them only from the reactor's own account.
 */
export const DRIFT_EVENT_PATTERN: NamedEventPattern = {
  id: 'KeyDrift',
  description: "The sweep found a key whose resources do not match the key's state",
  pattern: { source: [DRIFT_EVENT_SOURCE], 'detail-type': [DRIFT_DETAIL_TYPE] },
};

/**
 * How long an AWS API call takes, as the bench models it: the time from the SDK sending a request to its
 * answer, from a Lambda function in the same Region. AWS publishes almost none of these; each figure
 * names its source, or starts with `assumption:` and says why the figure was chosen. One figure per
 * operation, no spread: the bench predicts a typical run, not its tail.
 */

export interface Latency {
  readonly ms: number;
  /** A documentation URL, or `assumption: ...` with the reason. */
  readonly source: string;
}

/** Per service (as the SDK client is named, without `Client`): a default and the operations that differ. */
export interface ServiceLatencies {
  readonly default: Latency;
  readonly operations?: Readonly<Record<string, Latency>>;
}

const DYNAMODB_PAGE = 'https://aws.amazon.com/dynamodb/';
const SAME_REGION =
  'assumption: AWS publishes no API latency; tens of milliseconds for a control-plane call from Lambda in the same Region, as AWS SDK traces (X-Ray) of such calls commonly show';

export const LATENCIES: Readonly<Record<string, ServiceLatencies>> = {
  DynamoDB: {
    default: {
      ms: 8,
      source: `${DYNAMODB_PAGE} ("single-digit millisecond performance at any scale"); 8 ms for a call from Lambda, network included`,
    },
  },
  EC2: {
    default: { ms: 100, source: `${SAME_REGION}; EC2's Query API is among the slower ones` },
    operations: {
      StartInstances: {
        ms: 300,
        source:
          'assumption: a mutating EC2 call answers once the state change is accepted (pending), a few hundred ms',
      },
      StopInstances: {
        ms: 300,
        source:
          'assumption: a mutating EC2 call answers once the state change is accepted (stopping), a few hundred ms',
      },
      CreateTags: { ms: 150, source: SAME_REGION },
    },
  },
  RDS: {
    default: { ms: 150, source: SAME_REGION },
    operations: {
      StopDBInstance: {
        ms: 400,
        source: 'assumption: RDS answers a stop once accepted (stopping), a few hundred ms',
      },
      StartDBInstance: {
        ms: 400,
        source: 'assumption: RDS answers a start once accepted (starting), a few hundred ms',
      },
    },
  },
  ECS: {
    default: { ms: 60, source: SAME_REGION },
    operations: {
      UpdateService: { ms: 150, source: `${SAME_REGION}; a write that starts a deployment` },
    },
  },
  KMS: { default: { ms: 15, source: SAME_REGION } },
  STS: { default: { ms: 50, source: `${SAME_REGION}; the Regional STS endpoint` } },
  SES: { default: { ms: 80, source: SAME_REGION } },
  SESv2: { default: { ms: 80, source: SAME_REGION } },
  SNS: { default: { ms: 30, source: SAME_REGION } },
  EventBridge: { default: { ms: 30, source: SAME_REGION } },
  SFN: { default: { ms: 40, source: SAME_REGION } },
  AutoScaling: { default: { ms: 100, source: SAME_REGION } },
  ApplicationAutoScaling: { default: { ms: 100, source: SAME_REGION } },
  ResourceGroupsTaggingAPI: { default: { ms: 150, source: `${SAME_REGION}; a paged search` } },
  CloudTrail: { default: { ms: 200, source: `${SAME_REGION}; LookupEvents searches the trail` } },
};

/** Any service not in the table. */
export const DEFAULT_LATENCY: Latency = { ms: 50, source: SAME_REGION };

/** The modelled latency of `operation` of `service` (client name without `Client`). */
export function latencyOf(
  service: string,
  operation: string,
  table: Readonly<Record<string, ServiceLatencies>> = LATENCIES,
): Latency {
  const entry = table[service];
  return entry?.operations?.[operation] ?? entry?.default ?? DEFAULT_LATENCY;
}

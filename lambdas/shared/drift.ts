import type { Workflow } from './model';

/**
 * The sweep's own events: when a key's resources do not match its state, the sweep puts one of these on
 * the platform bus and the normal path (rule, dispatcher, workflow) handles it like a KMS event. A
 * custom source, because only AWS services may put events whose source starts with `aws.`. No SDK
 * import here: the CDK construct and the sandbox build the rule's pattern from these names.
 */
export const DRIFT_EVENT_SOURCE = 'key-reactor.sweep';
export const DRIFT_DETAIL_TYPE = 'Key Drift Detected';

/** The detail of a drift event, as the sweep writes it and the dispatcher reads it. */
export interface DriftDetail {
  readonly keyArn: string;
  /** What DescribeKey said when the sweep looked (Enabled, Disabled, PendingDeletion, NotFound...). */
  readonly keyState: string;
  /** The workflow that brings the resources in line with the key. */
  readonly workflow: Workflow;
  /** One sentence for the log and the console: what did not match. */
  readonly reason: string;
  /** The sweep invocation that found it (its Lambda request ID), to find its log lines. */
  readonly sweepId: string;
}

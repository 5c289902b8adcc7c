import * as z from 'zod';
import { KEY_ARN_PATTERN } from './arn';
import { LAYERS } from './model';

/** What every workflow step receives: the key, and the execution for the logs. */
export const StepInput = z.object({
  keyArn: z.string().regex(KEY_ARN_PATTERN, 'keyArn must be a KMS key ARN'),
  executionName: z.string().min(1).max(80),
});

export const LayerStepInput = StepInput.extend({ layer: z.enum(LAYERS) });

/** The execution input, as the dispatcher wrote it; re-checked because a person can start an execution by hand. */
export const KeyEventInput = z.object({
  keyArn: z.string().regex(KEY_ARN_PATTERN),
  keyId: z.string(),
  account: z.string(),
  region: z.string(),
  trigger: z.string(),
  workflow: z.enum(['disable', 'enable']),
  urgent: z.boolean(),
  eventId: z.string(),
  eventTime: z.string(),
  actor: z
    .object({ arn: z.string().nullable(), sourceIp: z.string().nullable(), userAgent: z.string().nullable() })
    .nullable(),
});

export const SkippedResource = z.object({ resourceArn: z.string(), reason: z.string() });

/** The Step Functions error object a Catch puts in the state. */
export const StepError = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

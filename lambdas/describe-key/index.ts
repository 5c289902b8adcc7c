import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import type { z } from 'zod';
import { kms } from '../shared/clients/kms';
import { KeyAccessDeniedError } from '../shared/errors';
import { logger, observability } from '../shared/observability';
import { StepInput } from '../shared/step-input';

type DescribeKeyInput = z.infer<typeof StepInput>;

/**
 * Reads the key's real state, which decides what the workflow does: events are only hints. Only an
 * Enabled key is usable; Disabled, PendingDeletion, PendingImport, Unavailable and a deleted key are not.
 */
const lambdaHandler = async ({ keyArn }: DescribeKeyInput) => {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    const keyState = KeyMetadata?.KeyState ?? 'Unknown';
    const usable = keyState === 'Enabled';
    logger.info('Key state read', { keyState, usable });
    return { keyState, usable };
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundException') {
      logger.info('Key not found: deleted, or never existed', { keyState: 'NotFound' });
      return { keyState: 'NotFound', usable: false };
    }
    // Losing access is not proof that the key is unusable (it may be our own IAM): a human decides.
    if (error instanceof Error && error.name === 'AccessDeniedException') {
      throw new KeyAccessDeniedError(`The platform may not describe ${keyArn}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
};

export const handler = middy(lambdaHandler)
  .use(observability())
  .use(parser({ schema: StepInput }));

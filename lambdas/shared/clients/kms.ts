import { KMSClient } from '@aws-sdk/client-kms';
import { reactorClient } from './registry';

export const kms = reactorClient(new KMSClient({}));

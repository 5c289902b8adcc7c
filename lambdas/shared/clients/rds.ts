import { RDSClient } from '@aws-sdk/client-rds';
import { reactorClient } from './registry';

export const rds = reactorClient(new RDSClient({}));

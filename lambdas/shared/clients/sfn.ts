import { SFNClient } from '@aws-sdk/client-sfn';
import { reactorClient } from './registry';

export const sfn = reactorClient(new SFNClient({}));

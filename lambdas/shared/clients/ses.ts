import { SESClient } from '@aws-sdk/client-ses';
import { reactorClient } from './registry';

export const ses = reactorClient(new SESClient({}));

import { EC2Client } from '@aws-sdk/client-ec2';
import { reactorClient } from './registry';

export const ec2 = reactorClient(new EC2Client({}));

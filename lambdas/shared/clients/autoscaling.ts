import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { reactorClient } from './registry';

export const autoscaling = reactorClient(new AutoScalingClient({}));

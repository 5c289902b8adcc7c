import { ECSClient } from '@aws-sdk/client-ecs';
import { reactorClient } from './registry';

export const ecs = reactorClient(new ECSClient({}));

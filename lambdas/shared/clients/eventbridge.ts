import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { reactorClient } from './registry';

export const eventBridge = reactorClient(new EventBridgeClient({}));

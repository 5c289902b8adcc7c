import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { forwardedPatterns } from '../../lib/customer-forwarder';
import { KMS_EVENT_PATTERNS, type NamedEventPattern } from '../../lib/event-patterns';
import type { EventBridgeEvent } from '../../sandbox/cloudtrail';
import { LocalEventBus } from '../../sandbox/event-bus';
import { workerMoto } from '../support/moto';

// Issue 15: the calls that can revoke the platform's access are matched by the reactor's rules and the
// customer forwarder's, only when they succeeded (errorCode excluded, as for the other calls). Matched
// by moto's EventBridge, an implementation other than ours.

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EVENTS = path.resolve(__dirname, '../support/events');
const event = (name: string): EventBridgeEvent => JSON.parse(readFileSync(path.join(EVENTS, name), 'utf8'));

async function matcher(rules: readonly NamedEventPattern[]) {
  const bus = await LocalEventBus.create((await workerMoto()).endpoint, 'us-east-1', '111122223333', rules);
  return async (put: EventBridgeEvent): Promise<boolean> => {
    await bus.put(put);
    return (await bus.drain()).length > 0;
  };
}

function refused(name: string): EventBridgeEvent {
  const denied = event(name);
  return { ...denied, detail: { ...denied.detail, errorCode: 'AccessDenied' } };
}

it("the reactor's rules match PutKeyPolicy, RevokeGrant and DisconnectCustomKeyStore, not when refused", async () => {
  const matches = await matcher(KMS_EVENT_PATTERNS);

  for (const name of ['put-key-policy.json', 'revoke-grant.json', 'disconnect-custom-key-store.json']) {
    expect({ name, matched: await matches(event(name)) }).toEqual({ name, matched: true });
    expect({ name, refused: await matches(refused(name)) }).toEqual({ name, refused: false });
  }
});

it("the customer forwarder forwards the named key's PutKeyPolicy and RevokeGrant, not when refused", async () => {
  const rules = forwardedPatterns([KEY]).map((pattern, index) => ({
    id: `forward-${index}`,
    description: 'the customer forwarder',
    pattern,
  }));
  const forwards = await matcher(rules);

  // PutKeyPolicy names the key by ID, RevokeGrant by ARN.
  for (const name of ['put-key-policy.json', 'revoke-grant.json']) {
    expect({ name, forwarded: await forwards(event(name)) }).toEqual({ name, forwarded: true });
    expect({ name, refused: await forwards(refused(name)) }).toEqual({ name, refused: false });
  }
});

import { REACTOR_EVENT_SOURCE } from '../../lambdas/shared/reactor-events';
import type { LocalReactor } from '../../sandbox/reactor';
import { customerCalls, FAST, freshKeyWorldEachCase } from '../support/key-world';

// The reactor's events on moto's EventBridge, through the real ASL files and handlers: a disable and an
// enable publish grace-started, shutdown and restored with the key and the run, and none of them comes
// back to the dispatcher (moto's own pattern matching with the deployed rules decides).

let reactor: LocalReactor;
let keyArn: string;
let resourceArns: string[];

freshKeyWorldEachCase(FAST, {}, (world) => {
  ({ reactor, keyArn } = world);
  resourceArns = world.fleet.map((member) => member.resourceArn).sort();
});

/** The customer changes the key; its CloudTrail event goes through moto's EventBridge to the dispatcher. */
async function customer(operation: 'DisableKey' | 'EnableKey'): Promise<string> {
  const [outcome] = await reactor.publish(await customerCalls(reactor, keyArn, operation));
  await reactor.idle();
  if (!outcome?.executionName) throw new Error(`the ${operation} event started no execution`);
  return outcome.executionName;
}

describe("the reactor's events", () => {
  it('a disable and an enable publish grace started, shutdown completed and service restored, with the key and the run', async () => {
    const disable = await customer('DisableKey');
    const enable = await customer('EnableKey');

    const published = await reactor.bus.published();

    expect(published.map((event) => event['detail-type'])).toEqual([
      'Key Reactor Grace Started',
      'Key Reactor Shutdown Completed',
      'Key Reactor Service Restored',
    ]);
    expect(published.map((event) => event.detail.execution?.name)).toEqual([disable, disable, enable]);
    for (const { detail } of published) {
      expect(detail).toMatchObject({
        version: 1,
        keyArn,
        keyAccount: reactor.place.account,
        keyRegion: reactor.place.region,
        resourceCount: resourceArns.length,
      });
      const executionName = detail.execution?.name ?? '';
      expect(detail.execution?.arn).toMatch(
        new RegExp(`^arn:aws:states:us-east-1:\\d{12}:execution:.+:${executionName}$`),
      );
      expect(detail.resources.map((resource) => resource.arn).sort()).toEqual(resourceArns);
    }
    expect(
      published.map((event) => [...new Set(event.detail.resources.map((resource) => resource.outcome))]),
    ).toEqual([['will-stop'], ['stopped'], ['restored']]);
    expect(published.map((event) => event.detail.trigger)).toEqual(['DisableKey', 'DisableKey', 'EnableKey']);
  });

  it('never reach the dispatcher: no rule of the reactor matches its own events', async () => {
    await customer('DisableKey');

    expect((await reactor.bus.published()).length).toBeGreaterThan(0);
    expect(reactor.dispatches.map((outcome) => outcome.event.source)).toEqual(['aws.kms']);
    expect(reactor.dispatches.some((outcome) => outcome.event.source === REACTOR_EVENT_SOURCE)).toBe(false);
    expect(await reactor.bus.drain()).toEqual([]);
  });
});

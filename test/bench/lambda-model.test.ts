import { LambdaModel, LambdaTimeoutError, RUNTIME_INIT, WARM_OVERHEAD } from '../../bench/model/lambda-model';
import { VirtualClock } from '../../bench/model/virtual-clock';
import { LIMITS } from '../../lambdas/shared/contract';

// The bench's Lambda model in modelled time: a cold start pays the runtime's init and the bundle's module
// init, a warm invocation the invoke overhead; the context's time left counts down from the function's
// timeout, and an invocation that outlives it fails as Sandbox.Timedout.

let clock: VirtualClock | undefined;

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INIT_MS = 180;

function model(): LambdaModel {
  return new LambdaModel({
    bundles: [{ function: 'stop-resources', initMs: { median: INIT_MS, runs: [INIT_MS] } }],
  });
}

describe('the Lambda model', () => {
  it('starts a function cold, then warm, and a second concurrent invocation cold again', async () => {
    // Prepare
    const lambda = model();
    clock = VirtualClock.install({ now: 0 });
    const installed = clock;
    const startedAt: number[] = [];
    const handler = async () => {
      startedAt.push(Date.now());
      await sleep(1_000);
    };

    // Act: one invocation, then one after it, then two at once.
    await installed.run(async () => {
      await lambda.invoke('stop-resources', handler);
      await lambda.invoke('stop-resources', handler);
      await Promise.all([lambda.invoke('stop-resources', handler), lambda.invoke('stop-resources', handler)]);
    });

    // Assess
    const cold = RUNTIME_INIT.ms + INIT_MS;
    const warm = WARM_OVERHEAD.ms;
    expect(startedAt).toEqual([
      cold,
      cold + 1_000 + warm,
      cold + 2_000 + 2 * warm,
      cold + 2_000 + warm + cold,
    ]);
    expect(lambda.stats()['stop-resources']).toEqual({ cold: 2, warm: 2, timedOut: 0 });
  });

  it("counts the context's time left down from the step's timeout on the modelled clock", async () => {
    // Prepare
    const lambda = model();
    clock = VirtualClock.install();
    const installed = clock;

    // Act
    const left = await installed.run(() =>
      lambda.invoke('stop-resources', async (remainingMs) => {
        const before = remainingMs();
        await sleep(45_000);
        return [before, remainingMs()];
      }),
    );

    // Assess
    expect(left).toEqual([LIMITS.stepTimeoutSeconds * 1000, LIMITS.stepTimeoutSeconds * 1000 - 45_000]);
  });

  it('fails an invocation that outlives its timeout as Sandbox.Timedout, and starts the next one cold', async () => {
    // Prepare
    const lambda = model();
    clock = VirtualClock.install();
    const installed = clock;

    // Act
    const error = await installed.run(() =>
      lambda
        .invoke('stop-resources', () => sleep(LIMITS.stepTimeoutSeconds * 1000 + 1))
        .catch((caught: Error) => caught),
    );
    await installed.run(() => lambda.invoke('stop-resources', async () => undefined));

    // Assess
    expect(error).toBeInstanceOf(LambdaTimeoutError);
    expect((error as Error).name).toBe('Sandbox.Timedout');
    expect(lambda.stats()['stop-resources']).toEqual({ cold: 2, warm: 0, timedOut: 1 });
  });
});

import { LocalReactor, type LocalReactorOptions } from '../../sandbox/reactor';
import type { FleetOptions } from '../../sandbox/world';
import { type KeyWorld, keyWorld } from './key-world';
import { workerMoto } from './moto';

/** The calling file's local reactor, and the world made for the test that runs now. */
export interface ReactorForFile {
  readonly reactor: LocalReactor;
  readonly world: KeyWorld;
}

/**
 * One LocalReactor for the calling test file, on this worker's moto server, and before each test a
 * fresh world: moto cleared, a customer key with `fleet` registered to it, the call log emptied. Read
 * `reactor` and `world` inside hooks and tests (they are set by then, not while jest collects the tests).
 */
export function localReactorForFile(
  options: Omit<LocalReactorOptions, 'moto'>,
  fleet: FleetOptions = {},
): ReactorForFile {
  let reactor: LocalReactor | undefined;
  let world: KeyWorld | undefined;
  beforeAll(async () => {
    reactor = await LocalReactor.start({ ...options, moto: await workerMoto() });
  });
  afterAll(async () => {
    await reactor?.stop();
  });
  beforeEach(async () => {
    const local = started(reactor);
    await local.reset();
    world = await keyWorld(local, fleet);
    local.calls.clear();
  });
  return {
    get reactor() {
      return started(reactor);
    },
    get world() {
      return started(world);
    },
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error('localReactorForFile: read it in a hook or a test, once it started');
  return value;
}

import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AwsOptions } from './aws';
import { type Clock, systemClock } from './clock';
import type { Drivers } from './converge';
import type { Mailer } from './email/mailer';
import type { DependentFinder } from './encrypted-dependents';
import type { Guard } from './guard';
import type { KeyReader } from './key-reader';
import type { KeyResources } from './key-resources';
import type { Notifier } from './notifier';
import {
  buildDependentFinder,
  buildDrivers,
  buildEventBridge,
  buildGuard,
  buildKeyDrivers,
  buildKeyReader,
  buildKeyResources,
  buildMailer,
  buildNotifier,
  buildPublisher,
  buildStepFunctions,
  buildStore,
  type Direction,
  type PartsSource,
} from './parts';
import type { EventPublisher } from './publisher';
import type { ReactorSettings } from './settings';
import type { Store } from './store';

/** Every part of the reactor; a handler asks for the few it uses (`Pick<ReactorParts, ...>`). */
export interface ReactorParts {
  readonly settings: ReactorSettings;
  readonly clock: Clock;
  readonly store: Store;
  /** A key's resources: its tagged resources merged with its table rows. */
  readonly resources: KeyResources;
  /** The pause switch and the circuit breaker. */
  readonly guard: Guard;
  readonly keys: KeyReader;
  readonly drivers: Drivers;
  /** Finds what is encrypted with a key, tagged or not (the safety net). */
  readonly dependents: DependentFinder;
  readonly mailer: Mailer;
  /** Pages the operators through SNS, for what email cannot tell them. */
  readonly notifier: Notifier;
  /** Puts the reactor's own events on the platform bus, beside each email; never throws. */
  readonly publisher: EventPublisher;
  readonly stepFunctions: SFNClient;
  readonly eventBridge: EventBridgeClient;
}

/**
 * The whole reactor, for the CLI, the sandbox, the bench and the tests: every part built on first use
 * from the same source, so a command that never sends an email needs no sender address.
 */
export class Reactor implements ReactorParts {
  private readonly built = new Map<string, unknown>();
  private readonly source: PartsSource;

  constructor(settings: ReactorSettings, aws: AwsOptions = {}, clock: Clock = systemClock) {
    this.source = { settings, aws, clock };
  }

  get settings(): ReactorSettings {
    return this.source.settings;
  }
  get clock(): Clock {
    return this.source.clock;
  }
  get store(): Store {
    return this.once('store', buildStore);
  }
  get resources(): KeyResources {
    return this.once('resources', (source) => buildKeyResources(source, this.store));
  }
  get guard(): Guard {
    return this.once('guard', (source) => buildGuard(source, this.store));
  }
  get keys(): KeyReader {
    return this.once('keys', buildKeyReader);
  }
  get drivers(): Drivers {
    return this.once('drivers', buildDrivers);
  }
  /** The stop or start step's drivers for one key, acting through its key role when one is configured. */
  keyDrivers(direction: Direction): (keyArn: string) => Promise<Drivers> {
    return this.once(`keyDrivers:${direction}`, (source) => buildKeyDrivers(source, direction));
  }
  get dependents(): DependentFinder {
    return this.once('dependents', buildDependentFinder);
  }
  get mailer(): Mailer {
    return this.once('mailer', buildMailer);
  }
  get notifier(): Notifier {
    return this.once('notifier', buildNotifier);
  }
  get publisher(): EventPublisher {
    return this.once('publisher', buildPublisher);
  }
  get stepFunctions(): SFNClient {
    return this.once('stepFunctions', buildStepFunctions);
  }
  get eventBridge(): EventBridgeClient {
    return this.once('eventBridge', buildEventBridge);
  }

  private once<T>(name: string, build: (source: PartsSource) => T): T {
    if (!this.built.has(name)) this.built.set(name, build(this.source));
    return this.built.get(name) as T;
  }
}

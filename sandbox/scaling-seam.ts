import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ClientInstrument } from '../lambdas/shared/aws';
import { describeScalableTarget } from './raw-aws';
import type { AwsClients } from './world';

/**
 * Application Auto Scaling's fight with a stop, which moto does not wage: moto keeps scalable targets
 * but never scales. In AWS, an ECS service whose scalable target has a minimum above the desired count
 * the reactor sets is scaled back out to that minimum while its dynamic scaling is not suspended. When
 * enabled, this seam does that at once: after the reactor's UpdateService sets a desired count below
 * the target's MinCapacity, and the target's dynamic scaling (in and out) is not suspended, it sets the
 * service's desired count back to MinCapacity with the world's own ECS client, and says so to its
 * listeners (the timeline). A seam, announced wherever it acts; off unless a scenario's fleet has a
 * scalable target, so that other runs pay nothing for it.
 */
export class ScalingSeam {
  private enabled = false;
  private readonly listeners: ((message: string) => void)[] = [];

  constructor(
    private readonly world: AwsClients,
    private readonly endpoint: string,
  ) {}

  enable(): void {
    this.enabled = true;
  }

  disable(): void {
    this.enabled = false;
  }

  onFight(listener: (message: string) => void): void {
    this.listeners.push(listener);
  }

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        const result = await next(args);
        if (this.enabled && context.commandName === 'UpdateServiceCommand') {
          await this.fight(args.input as { cluster?: string; service?: string; desiredCount?: number });
        }
        return result;
      };
    (client.middlewareStack.add as (mw: unknown, options: object) => void)(middleware, {
      step: 'initialize',
      name: 'sandboxScalingSeam',
      override: true,
    });
  };

  private async fight(input: { cluster?: string; service?: string; desiredCount?: number }): Promise<void> {
    if (input.desiredCount === undefined || !input.cluster || !input.service) return;
    const cluster = input.cluster.slice(input.cluster.lastIndexOf('/') + 1);
    const service = input.service.slice(input.service.lastIndexOf('/') + 1);
    const target = await describeScalableTarget(
      this.endpoint,
      this.world.region,
      `service/${cluster}/${service}`,
    );
    if (!target || input.desiredCount >= target.minCapacity) return;
    if (target.suspended.dynamicIn && target.suspended.dynamicOut) return;
    await this.world.ecs.send(
      new UpdateServiceCommand({ cluster, service, desiredCount: target.minCapacity }),
    );
    const message = `seam: Application Auto Scaling scales ${service} back out to its minimum of ${target.minCapacity} (its dynamic scaling is not suspended; moto itself never scales)`;
    for (const listener of this.listeners) listener(message);
  }
}

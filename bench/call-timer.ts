import type { ClientInstrument, InstrumentableClient } from '../lambdas/shared/aws';

/**
 * Times every AWS call of the handlers' clients (the reactor's and the baseline's alike), by
 * `Service:Operation`, and can add a fixed latency to each: moto answers from memory in a few
 * milliseconds where AWS takes tens, so a per-resource loop looks cheaper on moto than it is.
 */

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { clientName?: string; commandName?: string },
) => (args: unknown) => Promise<unknown>;

export interface OperationTime {
  readonly calls: number;
  /** Summed over calls; calls made in parallel overlap, so the sum can exceed the wall time. */
  readonly ms: number;
}

export class CallTimer {
  /** Added before each call is sent, in milliseconds. */
  latencyMs = 0;
  private readonly totals = new Map<string, { calls: number; ms: number }>();

  clear(): void {
    this.totals.clear();
  }

  /** Summed time per operation since the last clear, largest first. */
  snapshot(): Record<string, OperationTime> {
    return Object.fromEntries(
      [...this.totals.entries()]
        .sort(([, a], [, b]) => b.ms - a.ms)
        .map(([name, { calls, ms }]) => [name, { calls, ms: Math.round(ms) }]),
    );
  }

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => this.attach(client);

  private attach(client: InstrumentableClient): void {
    const time: Middleware = (next, context) => async (args) => {
      const name = `${(context.clientName ?? 'Unknown').replace(/Client$/, '')}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      const started = performance.now();
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      try {
        return await next(args);
      } finally {
        const total = this.totals.get(name) ?? { calls: 0, ms: 0 };
        total.calls++;
        total.ms += performance.now() - started;
        this.totals.set(name, total);
      }
    };
    (client.middlewareStack.add as (mw: Middleware, options: object) => void)(time, {
      step: 'initialize',
      name: 'keyReactorBenchTimer',
      override: true,
    });
  }
}

// First: the handlers' Powertools utilities read their settings when their modules load.
import '../sandbox/environment';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import type { Target } from '../lambdas/shared/decision';
import { SETTLE_TIMES } from '../lambdas/shared/pacing/settle-times';
import type { AwsCall } from '../sandbox/aws-calls';
import type { ExecutionRecord } from '../sandbox/local-workflows';
import { SANDBOX_CREDENTIALS } from '../sandbox/world';
import { BatchedBaseline } from './batched-baseline';
import { keyWithFleet } from './cold-path';
import { mixOf } from './fleet';
import { ModelledReactor } from './model/modelled-reactor';
import { BASELINE_PATIENCE_MS, keyEvent, MODELLED_PACING } from './scenario-parts';

/**
 * `npx tsx bench/timeline.ts [N]`: where one modelled cycle of a key with N resources (default 1,000)
 * spends its time, the reactor's against the batched script's: per side and cycle, the first and last
 * stop or start call, when the last resource settled by the model (its last call plus the shared settle
 * time of its kind), and when the side finished. For each reactor run, the states it entered, with their
 * modelled second. Issue 16: the gap between "settled" and "finished" is what the reactor waits for
 * nothing.
 */

const POLL_MS = 5_000;

type Cycle = 'disable' | 'enable';

function movesFleet(call: AwsCall, cycle: Cycle): boolean {
  if (call.error) return false;
  const stop = ['StopInstances', 'StopDBInstance', 'StopDBCluster', 'SuspendProcesses'];
  const start = ['StartInstances', 'StartDBInstance', 'StartDBCluster', 'ResumeProcesses'];
  if (call.operation === 'UpdateService')
    return cycle === 'disable' ? call.input.desiredCount === 0 : Number(call.input.desiredCount) > 0;
  return (cycle === 'disable' ? stop : start).includes(call.operation);
}

/** The modelled instant the last resource a call moved settles, by the shared table. */
function settledAt(call: AwsCall, cycle: Cycle): number {
  const target: Target = cycle === 'disable' ? 'stopped' : 'running';
  const kind = call.service.startsWith('EC2')
    ? 'ec2-instance'
    : call.service.startsWith('RDS')
      ? 'rds-instance'
      : call.service.startsWith('ECS')
        ? 'ecs-service'
        : undefined;
  return call.at + (kind ? SETTLE_TIMES[kind][target].seconds * 1000 : 0);
}

function summary(side: string, cycle: Cycle, calls: readonly AwsCall[], from: number, ended: number): string {
  const moves = calls.filter((call) => call.at >= from && movesFleet(call, cycle));
  const s = (at: number) => `${((at - from) / 1000).toFixed(1)} s`;
  const first = moves[0];
  const last = moves[moves.length - 1];
  const settled = Math.max(from, ...moves.map((call) => settledAt(call, cycle)));
  return [
    `${side} ${cycle}: ${moves.length} calls`,
    `first ${first ? s(first.at) : '-'}`,
    `last ${last ? s(last.at) : '-'}`,
    `settled ${s(settled)}`,
    `finished ${s(ended)}`,
    `(${((ended - settled) / 1000).toFixed(1)} s after settling)`,
  ].join(', ');
}

function states(execution: ExecutionRecord, from: number): string[] {
  const lines: string[] = [];
  for (const event of execution.events) {
    if (event.type !== 'StateEntered') continue;
    lines.push(`  ${((event.timestamp - from) / 1000).toFixed(1).padStart(7)} s  ${event.state.name}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1000);
  const modelled = await ModelledReactor.start({
    lambda: { bundles: [] },
    graceSeconds: 0,
    settings: { pacing: MODELLED_PACING },
  });
  const { local } = modelled;
  const out: string[] = [`N = ${total} (${JSON.stringify(mixOf(total))}), grace 0 s, modelled`];
  try {
    // The reactor.
    const keyArn = await keyWithFleet(modelled, 'Timeline key', 'tl', mixOf(total));
    for (const cycle of ['disable', 'enable'] as const) {
      const command = cycle === 'disable' ? DisableKeyCommand : EnableKeyCommand;
      await modelled.run(() => local.clients.kms.send(new command({ KeyId: keyIdOf(keyArn) })));
      modelled.lambda.coldStart();
      const from = Date.now();
      const execution = await modelled.run(
        () =>
          local.stepFunctions.start(cycle, `${cycle}-timeline`, keyEvent(local.place, keyArn, cycle)).done,
      );
      const ended = Date.now();
      out.push(summary('reactor', cycle, local.calls.calls, from, ended), ...states(execution, from));
    }

    // The batched script, on a fresh world.
    await modelled.reset();
    const scriptKey = await keyWithFleet(modelled, 'Timeline script key', 'ts', mixOf(total));
    const batched = new BatchedBaseline({
      endpoint: local.moto.endpoint,
      region: local.place.region,
      credentials: SANDBOX_CREDENTIALS,
      instrument: [local.calls.instrument, modelled.aws.instrument],
      retry: { patienceMs: BASELINE_PATIENCE_MS },
    });
    const options = { pollMs: POLL_MS, maxPolls: Math.ceil(BASELINE_PATIENCE_MS / POLL_MS) };
    try {
      let from = Date.now();
      const memory = await modelled.run(() => batched.disable(scriptKey, options));
      out.push(summary('batched', 'disable', local.calls.calls, from, Date.now()));
      from = Date.now();
      await modelled.run(() => batched.enable(scriptKey, memory, options));
      out.push(summary('batched', 'enable', local.calls.calls, from, Date.now()));
    } finally {
      batched.destroy();
    }
  } finally {
    await modelled.stop();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

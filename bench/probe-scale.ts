import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf } from '../lambdas/shared/arn';
import type { Workflow } from '../lambdas/shared/model';
import { LocalReactor } from '../sandbox/reactor';
import { createCustomerKey } from '../sandbox/world';
import { CallTimer } from './call-timer';
import { createBulkFleet, type FleetMix, mixOf, registerBulkFleet } from './fleet';
import { callsByOperation } from './metrics';

/**
 * Real (wall-clock) time of the bench's setup and of one disable and one enable cycle, for finding where
 * the bench's own running time goes at scale: `npx tsx bench/probe-scale.ts N 10000 out.json` (one key,
 * N resources) or `... K 1000 out.json` (K keys of 1 service, 3 instances, 1 database). Setup calls are
 * timed per operation too. With SANDBOX_MOTO_PROFILE=<file>, moto writes its cProfile on exit.
 */
const [mode, countText, out] = process.argv.slice(2);
const count = Number(countText);
const t = () => performance.now();

async function main() {
  const timer = new CallTimer();
  const setupTimer = new CallTimer();
  const local = await LocalReactor.start({
    graceMs: 0,
    graceSeconds: 0,
    pollMs: 20,
    retryMs: 50,
    instrument: [timer.instrument],
  });
  for (const client of Object.values(local.clients))
    if (typeof client === 'object') setupTimer.instrument(client as never);
  const result: Record<string, unknown> = { mode, count };
  try {
    const mix: FleetMix = mode === 'N' ? mixOf(count) : { services: 1, instances: 3, databases: 1 };
    const keys = mode === 'N' ? 1 : count;
    let s = t();
    const fleets: { keyArn: string }[] = [];
    const phase = { key: 0, fleet: 0, register: 0 };
    for (let i = 0; i < keys; i++) {
      let p = t();
      const keyArn = await createCustomerKey(local.clients, `Bench key ${i}`);
      phase.key += t() - p;
      p = t();
      const members = await createBulkFleet(local.clients, local.place.account, `fleet-${i}`, mix);
      phase.fleet += t() - p;
      p = t();
      await registerBulkFleet(local.reactor, local.clients, keyArn, members);
      phase.register += t() - p;
      fleets.push({ keyArn });
    }
    result.setupMs = Math.round(t() - s);
    result.setupPhases = Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, Math.round(v)]));
    result.setupCalls = setupTimer.snapshot();
    console.log('setup', JSON.stringify(result));
    for (const workflow of ['disable', 'enable'] as Workflow[]) {
      const command = workflow === 'disable' ? DisableKeyCommand : EnableKeyCommand;
      await Promise.all(
        fleets.map(({ keyArn }) => local.clients.kms.send(new command({ KeyId: keyIdOf(keyArn) }))),
      );
      local.calls.clear();
      timer.clear();
      const records = fleets.map(({ keyArn }) =>
        local.stepFunctions.start(workflow, `${workflow}-${randomUUID().slice(0, 8)}`, {
          keyArn,
          keyId: keyIdOf(keyArn),
          account: local.place.account,
          region: local.place.region,
          trigger: workflow === 'disable' ? 'DisableKey' : 'EnableKey',
          workflow,
          urgent: false,
          eventId: randomUUID(),
          eventTime: new Date().toISOString(),
          actor: {
            arn: `arn:aws:iam::${local.place.account}:user/bench`,
            sourceIp: '203.0.113.10',
            userAgent: 'bench',
          },
        }),
      );
      s = t();
      const done = await Promise.all(records.map((r) => r.done));
      const wall = Math.round(t() - s);
      result[workflow] = {
        wallMs: wall,
        statuses: [...new Set(done.map((d) => d.status))],
        calls: local.calls.calls.length,
        byOp: callsByOperation(local.calls.calls),
        time: timer.snapshot(),
      };
      console.log(workflow, JSON.stringify(result[workflow]));
      const failed = done.find((d) => d.status !== 'SUCCEEDED');
      if (failed) console.log('FAILED', failed.error);
    }
  } finally {
    await local.stop();
    if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

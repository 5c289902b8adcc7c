import { randomUUID } from 'node:crypto';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { keyIdOf, kindOf } from '../../lambdas/shared/arn';
import type { Layer, ResourceKind, Workflow } from '../../lambdas/shared/model';
import {
  FIXED_TRANSITIONS,
  type FleetCounts,
  layerTransitions,
  type PlanOptions,
  planLayer,
  planRun,
} from '../../lambdas/shared/pacing/transitions';
import { withOverrides } from '../../lambdas/shared/rate-limits';
import type { ExecutionRecord } from '../../sandbox/local-workflows';
import { LocalReactor } from '../../sandbox/reactor';
import { FAST, fleetStates, keyEventFor, keyWorld, statesEntered } from '../support/key-world';
import { workerMoto } from '../support/moto';

// The real ASL over moto, the real handlers in-process, with a fleet small enough for a test and pacing
// tight enough to take it through the same path as 10,000 resources: the servers (7 instances and a
// database) fan out in one lane per kind (batches of 3), and EC2's stop and start buckets (2 instances,
// refilled at 1 a second) let a chunk of 2 go per round, so the instances' lane waits for the rate
// limits between rounds. The counted transitions must be what the planner says.

const INSTANCES = 7;
const EC2_BUCKET = { request: { burst: 50, refillPerSecond: 5 }, resource: { burst: 2, refillPerSecond: 1 } };
const PACER = {
  limits: { 'ec2:StopInstances': EC2_BUCKET, 'ec2:StartInstances': EC2_BUCKET },
  // Any wait at all is handed to the workflow, so a slow machine (a chunk's calls taking up to the 2 s
  // its tokens need) still paces every round after the first out.
  maxWaitMs: 1,
};
const TIME_BOX = { chunkSize: 2, batchSize: 3, safetyMarginMs: 15_000 };

let reactor: LocalReactor;

beforeAll(async () => {
  reactor = await LocalReactor.start({
    ...FAST,
    moto: await workerMoto(),
    settings: { timeBox: TIME_BOX, pacing: 'local', pacer: PACER },
  });
});

afterAll(async () => {
  await reactor?.stop();
});

function run(workflow: Workflow, keyArn: string): Promise<ExecutionRecord> {
  const trigger = workflow === 'disable' ? 'DisableKey' : 'EnableKey';
  return reactor.stepFunctions.start(
    workflow,
    `${workflow}-${randomUUID().slice(0, 8)}`,
    keyEventFor(keyArn, { workflow, trigger }),
  ).done;
}

const count = (states: readonly string[], name: string) => states.filter((s) => s === name).length;

/** The plan's options for this test's settings: the Lambda's 60 s of the local context, its time box and pacer. */
const options: PlanOptions = {
  timeBox: TIME_BOX,
  limits: withOverrides(PACER.limits),
  maxWaitMs: PACER.maxWaitMs,
  stepSeconds: 60,
};

describe('state transitions per cycle', () => {
  it('are what the planner predicts, on the path a large fleet takes: lanes per kind, paced rounds', async () => {
    // Prepare
    const { keyArn, fleet } = await keyWorld(reactor, { instances: INSTANCES });
    const counts = (layer: Layer): Partial<Record<ResourceKind, number>> => {
      const byKind: Partial<Record<ResourceKind, number>> = {};
      for (const member of fleet.filter((m) => m.layer === layer)) {
        const kind = kindOf(member.resourceArn);
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      }
      return byKind;
    };
    const fleetCounts: FleetCounts = { service: counts('service'), server: counts('server') };
    expect(fleetCounts).toEqual({
      service: { 'ecs-service': 1 },
      server: { 'ec2-instance': INSTANCES, 'rds-instance': 1 },
    });

    // Act
    await reactor.clients.kms.send(new DisableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const disable = await run('disable', keyArn);
    await reactor.clients.kms.send(new EnableKeyCommand({ KeyId: keyIdOf(keyArn) }));
    const enable = await run('enable', keyArn);

    // Assess: the runs converged
    expect([disable.status, enable.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(new Set(Object.values(await fleetStates(reactor, fleet)))).toEqual(new Set(['running']));

    // Assess: the shape the plan predicts. moto settles at once, so each layer takes one check.
    for (const [execution, verb, past] of [
      [disable, 'Stop', 'stopped'],
      [enable, 'Start', 'started'],
    ] as const) {
      const states = statesEntered(execution);
      const workflow = execution.workflow;
      const target = workflow === 'disable' ? 'stopped' : 'running';
      const services = { ...planLayer(fleetCounts.service, target, options), checks: 1 };
      const servers = { ...planLayer(fleetCounts.server, target, options), checks: 1 };
      // 4 chunks of instances, one per round: 3 Waits for the rate limits; the database in one go.
      expect(servers.lanes).toEqual([
        { invocations: 4, paceWaits: 3 },
        { invocations: 1, paceWaits: 0 },
      ]);
      expect(services.pass).toEqual({ invocations: 1, paceWaits: 0 });
      expect(
        count(states, `${verb} a batch of servers`) + count(states, 'Go on with the batch of servers'),
      ).toBe(5);
      expect(count(states, 'Wait for the rate limits on the batch of servers')).toBe(3);
      expect(count(states, `Check whether the servers ${past}`)).toBe(1);
      expect(count(states, `Check whether the services ${past}`)).toBe(1);
      expect(states).toHaveLength(
        FIXED_TRANSITIONS[workflow] + layerTransitions(services) + layerTransitions(servers),
      );
    }
  }, 180_000);
});

describe('the plan at the size the reactor is built for', () => {
  it('keeps a disable of 10,000 resources (10 % services, 80 % instances, 10 % databases) under 100 transitions', () => {
    // Prepare
    const fleet: FleetCounts = {
      service: { 'ecs-service': 1_000 },
      server: { 'ec2-instance': 8_000, 'rds-instance': 1_000 },
    };

    // Act
    const disable = planRun('disable', fleet);
    const enable = planRun('enable', fleet);

    // Assess: docs/workflows.md writes this arithmetic out.
    expect(disable.layers).toEqual([
      { pass: { invocations: 2, paceWaits: 0 }, checks: 2 },
      {
        lanes: [
          { invocations: 4, paceWaits: 0 },
          { invocations: 2, paceWaits: 0 },
        ],
        checks: 3,
      },
    ]);
    expect(disable.transitions).toBe(49);
    expect(disable.transitions).toBeLessThanOrEqual(100);
    expect(enable.transitions).toBe(60);
  });
});

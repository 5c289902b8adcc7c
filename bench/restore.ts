import { StartInstancesCommand } from '@aws-sdk/client-ec2';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { StartDBInstanceCommand } from '@aws-sdk/client-rds';
import { kindOf, parseArn, resourceIdOf } from '../lambdas/shared/arn';
import { chunk, mapWithConcurrency } from '../lambdas/shared/concurrency';
import { DEMO } from '../sandbox/world';
import type { FleetClients, FleetStates } from './fleet-state';

/**
 * Between rounds, the fleet must be running again without being re-created. A side's enable cycle
 * normally leaves it so; when one did not (a failed round), the world's own clients start what is
 * stopped, so the next side starts from the same place. Never counted against any side.
 */

export class FleetNotRestoredError extends Error {
  constructor(left: number) {
    super(`${left} resource(s) are still not running between rounds: the next round would not be comparable`);
    this.name = 'FleetNotRestoredError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts what is stopped; returns how many resources it had to start (0: the fleet was running). */
export async function restoreRunning(
  clients: FleetClients,
  states: FleetStates,
  resourceArns: readonly string[],
  log: (line: string) => void,
  attempts = 20,
): Promise<number> {
  let restored = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const observed = await states.of(resourceArns);
    const notRunning = [...observed].filter(([, state]) => state.phase !== 'running');
    if (notRunning.length === 0) {
      if (restored > 0) log(`restored ${restored} resource(s) to running between rounds`);
      return restored;
    }
    const stopped = notRunning.filter(
      ([, state]) =>
        state.phase === 'stopped' || (state.desiredCount !== undefined && state.desiredCount === 0),
    );
    restored += stopped.length;
    const ids = stopped.filter(([arn]) => kindOf(arn) === 'ec2-instance').map(([arn]) => resourceIdOf(arn));
    for (const InstanceIds of chunk(ids, 1000))
      await clients.ec2.send(new StartInstancesCommand({ InstanceIds }));
    await mapWithConcurrency(stopped, 8, async ([arn]) => {
      if (kindOf(arn) === 'rds-instance')
        await clients.rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: resourceIdOf(arn) }));
      if (kindOf(arn) === 'ecs-service') {
        const [, cluster = '', service = ''] = (parseArn(arn)?.resource ?? '').split('/');
        await clients.ecs.send(
          new UpdateServiceCommand({ cluster, service, desiredCount: DEMO.desiredCount }),
        );
      }
    });
    await sleep(50);
  }
  const left = [...(await states.of(resourceArns)).values()].filter((s) => s.phase !== 'running').length;
  throw new FleetNotRestoredError(left);
}

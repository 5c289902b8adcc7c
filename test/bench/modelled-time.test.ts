import { TRANSITIONS, Transitions } from '../../bench/model/transitions';
import { VirtualClock } from '../../bench/model/virtual-clock';
import { realSleep } from '../../lambdas/shared/clock';
import { LocalBuckets } from '../../lambdas/shared/pacing/buckets';
import { Pacer } from '../../lambdas/shared/pacing/pacer';
import { limitFor } from '../../lambdas/shared/rate-limits';

// Parts of the reactor and of the model that read the time, on the virtual clock: the reactor's pacer
// (its buckets' timestamps and its sleep) and the model's resource transitions.

let clock: VirtualClock | undefined;

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

describe('modelled time', () => {
  it("paces the reactor's StartInstances at EC2's resource refill, in modelled time", async () => {
    // Prepare: the pacer as the reactor builds it (parts.ts), with the process's clock and sleep.
    const pacer = new Pacer({ buckets: new LocalBuckets(), clock: () => new Date(), sleep: realSleep });
    const bucket = limitFor('ec2', 'StartInstances')?.resource;
    expect(bucket).toEqual({ burst: 1000, refillPerSecond: 2 });
    clock = VirtualClock.install({ now: 0 });
    const installed = clock;

    // Act: a full bucket's worth of instances, then 10 more.
    const waited = await installed.run(async () => {
      await pacer.acquire('ec2', 'StartInstances', 1000);
      const before = Date.now();
      await pacer.acquire('ec2', 'StartInstances', 10);
      return Date.now() - before;
    });

    // Assess: 10 instances at 2 a second.
    expect(waited).toBe(5_000);
  });

  it('shows an instance stopping, then stopped, and a database starting for its modelled time', () => {
    // Prepare
    clock = VirtualClock.install({ now: 0 });
    const transitions = new Transitions();
    const describe = () => ({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'stopped', Code: 80 } }] }],
    });
    const databases = () => ({
      DBInstances: [{ DBInstanceIdentifier: 'db-1', DBInstanceStatus: 'available' }],
    });

    // Act
    transitions.record('StopInstances', { InstanceIds: ['i-1'] });
    transitions.record('StartDBInstance', { DBInstanceIdentifier: 'db-1' });
    const during = describe();
    transitions.rewrite('DescribeInstances', during);
    clock.advance(TRANSITIONS.ec2Stop.ms);
    const after = describe();
    transitions.rewrite('DescribeInstances', after);
    const database = databases();
    transitions.rewrite('DescribeDBInstances', database);

    // Assess
    expect(during.Reservations[0]?.Instances[0]?.State).toEqual({ Name: 'stopping', Code: 64 });
    expect(after.Reservations[0]?.Instances[0]?.State).toEqual({ Name: 'stopped', Code: 80 });
    expect(database.DBInstances[0]?.DBInstanceStatus).toBe('starting');
  });
});

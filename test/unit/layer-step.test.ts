import { turnOf } from '../../lambdas/shared/layer-step';
import { pollWaitSeconds } from '../../lambdas/shared/pacing/plan';

describe('the turn of the poll loop a layer step is', () => {
  it('counts the first step and the look right after the lanes as the pass that acted, each later check as one more', () => {
    // A layer's first step, and the look at once after its lanes (the Pass gives -1): both follow the calls.
    expect(turnOf({})).toBe(0);
    expect(turnOf({ attempt: -1 })).toBe(0);
    // A check after a wait, and the next one.
    expect(turnOf({ attempt: 0 })).toBe(1);
    expect(turnOf({ attempt: 3 })).toBe(4);
    // A pass going on where the last invocation's time box ended is the same turn.
    expect(turnOf({ attempt: 2, cursor: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1' })).toBe(2);
    expect(turnOf({ attempt: 2, carried: { changed: 1, pending: 1, skipped: [] } })).toBe(2);
  });

  it('so the look after the lanes that finds databases stopping waits their whole stop, not a quarter of it', () => {
    expect(pollWaitSeconds(['rds-instance'], 'stopped', turnOf({ attempt: -1 }))).toBe(240);
    expect(pollWaitSeconds(['rds-instance'], 'stopped', turnOf({ attempt: 0 }))).toBe(60);
  });
});

import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { decide, type Member, type Target } from '../../lambdas/shared/decision';
import type { Observation } from '../../lambdas/shared/model';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';
const INSTANCE = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0';

const member: Member = { resourceArn: INSTANCE, kind: 'ec2-instance', layer: 'server', restore: {} };

/** The decision on one instance observed `state` (running: with something to restore) carrying `keyTag`. */
function decided(target: Target, state: 'running' | 'stopped', keyTag: string | undefined) {
  const observation: Observation = {
    resourceArn: INSTANCE,
    state,
    detail: state,
    ...(state === 'running' ? { restore: {} } : {}),
    ...(keyTag === undefined ? {} : { keyTag }),
  };
  const [decision] = decide({
    target,
    members: [member],
    seen: new Map([[INSTANCE, observation]]),
    managedTag: DEFAULT_MANAGED_TAG,
    keyArn: KEY_ARN,
  });
  return decision;
}

const untaggedWhy = `not tagged ${KEY_ARN_TAG}=${KEY_ARN} (untagged), so the key's role may not touch it: \`key-reactor migrate\` (or \`register\`) tags it`;
const otherKeyWhy = `not tagged ${KEY_ARN_TAG}=${KEY_ARN} (tagged for ${OTHER_KEY}), so the key's role may not touch it: \`key-reactor migrate\` (or \`register\`) tags it`;

describe('decide and the key tag', () => {
  it('stops a running resource tagged with the run key, remembering it', () => {
    expect(decided('stopped', 'running', KEY_ARN)).toMatchObject({
      verdict: 'stop',
      remember: {},
      pending: true,
    });
  });

  it('starts a stopped resource tagged with the run key', () => {
    expect(decided('running', 'stopped', KEY_ARN)).toMatchObject({ verdict: 'start', pending: true });
  });

  it.each([
    ['stopped', 'running'],
    ['running', 'stopped'],
  ] as const)(
    'skips an untagged resource (a legacy row) on the way to %s, remembering nothing',
    (target, state) => {
      const decision = decided(target, state, undefined);
      expect(decision).toEqual({
        member,
        observation: expect.objectContaining({ resourceArn: INSTANCE }),
        verdict: 'skip',
        why: untaggedWhy,
        pending: false,
      });
    },
  );

  it.each([
    ['stopped', 'running'],
    ['running', 'stopped'],
  ] as const)("skips a resource tagged with another key's ARN on the way to %s", (target, state) => {
    expect(decided(target, state, OTHER_KEY)).toMatchObject({
      verdict: 'skip',
      why: otherKeyWhy,
      pending: false,
    });
    expect(decided(target, state, OTHER_KEY)?.remember).toBeUndefined();
  });

  it('reports a missing managed tag before the key tag: the managed tag is what the operator set first', () => {
    const [decision] = decide({
      target: 'stopped',
      members: [member],
      seen: new Map([[INSTANCE, { resourceArn: INSTANCE, state: 'not-managed', detail: 'running' }]]),
      managedTag: DEFAULT_MANAGED_TAG,
      keyArn: KEY_ARN,
    });
    expect(decision?.why).toBe('not tagged key-reactor:managed=true, so the reactor may not touch it');
  });

  it('tells the tagged resource from the legacy one in the same batch', () => {
    const LEGACY = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0fedcba9876543210';
    const decisions = decide({
      target: 'stopped',
      members: [member, { ...member, resourceArn: LEGACY }],
      seen: new Map<string, Observation>([
        [
          INSTANCE,
          { resourceArn: INSTANCE, state: 'running', detail: 'running', restore: {}, keyTag: KEY_ARN },
        ],
        [LEGACY, { resourceArn: LEGACY, state: 'running', detail: 'running', restore: {} }],
      ]),
      managedTag: DEFAULT_MANAGED_TAG,
      keyArn: KEY_ARN,
    });
    expect(decisions.map(({ member, verdict }) => [member.resourceArn, verdict])).toEqual([
      [INSTANCE, 'stop'],
      [LEGACY, 'skip'],
    ]);
  });
});

import { KMSClient, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { renderDatabaseWarning, renderKeyWarning } from '../../lambdas/shared/email/render';
import { type KeyDescription, type KeyMaterial, KeyReader } from '../../lambdas/shared/key-reader';
import { databaseCountdown, dueWarnings } from '../../lambdas/shared/sweep/warnings';

// The warnings added for issue 15: each key material's own expiry (ListKeyRotations), and the RDS
// countdown's days and dates. The sweep sending them once a day is in test/integration/countdown.moto.test.ts.

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-12-01T10:00:00Z');
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const IMPORTED: KeyDescription = { keyState: 'Enabled', usable: true, origin: 'EXTERNAL' };
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS);
const MATERIAL_A = 'a'.repeat(64);
const MATERIAL_B = 'b'.repeat(64);
const MATERIAL_C = 'c'.repeat(64);

describe('dueWarnings with several key materials', () => {
  it('warns for each material that expires, current or not, naming it', () => {
    const materials: KeyMaterial[] = [
      { keyMaterialId: MATERIAL_A, state: 'NON_CURRENT', validTo: inDays(5) },
      { keyMaterialId: MATERIAL_B, state: 'CURRENT', validTo: inDays(25) },
    ];
    expect(dueWarnings({ ...IMPORTED, materialExpiresAt: inDays(25) }, [30, 7, 1], NOW, materials)).toEqual([
      {
        warning: 'material-expiring',
        dueAt: inDays(5),
        thresholdDays: 7,
        material: { keyMaterialId: MATERIAL_A, current: false },
      },
      {
        warning: 'material-expiring',
        dueAt: inDays(25),
        thresholdDays: 30,
        material: { keyMaterialId: MATERIAL_B, current: true },
      },
    ]);
  });

  it('ignores material imported for a rotation not done yet: its expiry does not touch the key', () => {
    const materials: KeyMaterial[] = [
      { keyMaterialId: MATERIAL_A, state: 'CURRENT' },
      { keyMaterialId: MATERIAL_B, state: 'NON_CURRENT' },
      { keyMaterialId: MATERIAL_C, state: 'PENDING_ROTATION', validTo: inDays(2) },
    ];
    expect(dueWarnings(IMPORTED, [30, 7, 1], NOW, materials)).toEqual([]);
  });

  it('names no material when the key has only one, and falls back to DescribeKey without the list', () => {
    const one: KeyMaterial[] = [{ keyMaterialId: MATERIAL_A, state: 'CURRENT', validTo: inDays(6) }];
    const expected = [{ warning: 'material-expiring', dueAt: inDays(6), thresholdDays: 7 }];
    expect(dueWarnings(IMPORTED, [30, 7, 1], NOW, one)).toEqual(expected);
    expect(dueWarnings({ ...IMPORTED, materialExpiresAt: inDays(6) }, [30, 7, 1], NOW)).toEqual(expected);
  });
});

describe('KeyReader.materials', () => {
  const kms = mockClient(KMSClient);
  afterAll(() => kms.restore());

  it('asks for every key material, pages through, and keeps ValidTo only for material that expires', async () => {
    kms
      .on(ListKeyRotationsCommand, {
        KeyId: KEY_ARN,
        IncludeKeyMaterial: 'ALL_KEY_MATERIAL',
        Marker: undefined,
      })
      .resolves({
        Rotations: [
          {
            KeyMaterialId: MATERIAL_A,
            KeyMaterialState: 'NON_CURRENT',
            ExpirationModel: 'KEY_MATERIAL_EXPIRES',
            ValidTo: inDays(3),
          },
        ],
        Truncated: true,
        NextMarker: 'page-2',
      })
      .on(ListKeyRotationsCommand, { Marker: 'page-2' })
      .resolves({
        Rotations: [
          {
            KeyMaterialId: MATERIAL_B,
            KeyMaterialState: 'CURRENT',
            ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          },
          // A completed rotation of a key whose material AWS generates: no material fields.
          { KeyId: KEY_ARN, RotationType: 'AUTOMATIC', RotationDate: NOW },
        ],
        Truncated: false,
      });

    const materials = await new KeyReader(new KMSClient({ region: 'us-east-1' })).materials(KEY_ARN);

    expect(materials).toEqual([
      { keyMaterialId: MATERIAL_A, state: 'NON_CURRENT', validTo: inDays(3) },
      { keyMaterialId: MATERIAL_B, state: 'CURRENT' },
    ]);
    expect(kms).toHaveReceivedCommandTimes(ListKeyRotationsCommand, 2);
  });
});

describe('databaseCountdown', () => {
  const FIRST = new Date('2026-12-01T09:30:00Z');
  const at = (ms: number) => new Date(FIRST.getTime() + ms);

  it.each([
    ['the first sighting', 0, undefined],
    ['the end of day 3', 3 * DAY_MS - 1, undefined],
    ['the start of day 4', 3 * DAY_MS, { day: 4, daysLeft: 4 }],
    ['the end of day 4', 4 * DAY_MS - 1, { day: 4, daysLeft: 4 }],
    ['day 5', 4 * DAY_MS, { day: 5, daysLeft: 3 }],
    ['day 7', 6 * DAY_MS + 1, { day: 7, daysLeft: 1 }],
    ['the moment it is unrecoverable', 7 * DAY_MS, undefined],
    ['after', 8 * DAY_MS, undefined],
  ])('at %s: %j', (_when, elapsed, expected) => {
    const countdown = databaseCountdown(FIRST, at(elapsed));
    if (!expected) expect(countdown).toBeUndefined();
    else expect(countdown).toEqual({ ...expected, unrecoverableAt: new Date('2026-12-08T09:30:00Z') });
  });
});

describe('the new warning emails', () => {
  it('name the database, the key and the exact date in the subject, and the day in the body', () => {
    const email = renderDatabaseWarning({
      keyArn: KEY_ARN,
      region: 'us-east-1',
      database: {
        resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:customer-db',
        kind: 'rds-instance',
        layer: 'server',
      },
      unrecoverableAt: new Date('2026-12-08T09:30:00Z'),
      day: 5,
      now: new Date('2026-12-05T10:00:00Z'),
    });
    expect(email.subject).toBe(
      'Database customer-db on key 1234abcd: unrecoverable on 2026-12-08 09:30 UTC unless the key is restored',
    );
    expect(email.text).toContain('5 of 7');
    expect(email.text).toContain('restored from a backup');
    expect(email.text).toContain(`aws kms describe-key --key-id ${KEY_ARN} --region us-east-1`);
  });

  it('name the key material that expires, and say an older one takes the key down all the same', () => {
    const email = renderKeyWarning({
      warning: 'material-expiring',
      keyArn: KEY_ARN,
      region: 'us-east-1',
      dueAt: inDays(5),
      thresholdDays: 7,
      resources: [],
      action: 'shutdown',
      material: { keyMaterialId: MATERIAL_A, current: false },
      now: NOW,
    });
    expect(email.subject).toBe(
      'Key 1234abcd: key material aaaaaaaa expires in 5 days (2026-12-06 10:00 UTC)',
    );
    expect(email.text).toContain(`the one that expires is ${MATERIAL_A}, an earlier material`);
    expect(email.text).toContain('makes the whole key unusable');
  });
});

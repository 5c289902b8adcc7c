import { NotFoundException } from '@aws-sdk/client-kms';
import type { ClientInstrument } from '../lambdas/shared/aws';

/**
 * Key states moto cannot produce: it does not implement importing key material (so no PendingImport, no
 * ValidTo, and DeleteImportedKeyMaterial changes nothing) and it cannot delete a key at once. For the keys named
 * here, the reactor's DescribeKey is answered with the state the real KMS would report. This is a seam,
 * announced wherever it is used; every other call still goes to moto.
 */
export type SimulatedKeyState = 'PendingImport' | 'NotFound';

export class KeyStateSeam {
  private readonly states = new Map<string, SimulatedKeyState>();
  private readonly expiries = new Map<string, Date>();

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        if (context.commandName !== 'DescribeKeyCommand') return next(args);
        const keyId = String((args.input as { KeyId?: string }).KeyId ?? '');
        const state = [...this.states].find(([id]) => keyId.endsWith(id))?.[1];
        const validTo = [...this.expiries].find(([id]) => keyId.endsWith(id))?.[1];
        if (state === 'NotFound') {
          throw new NotFoundException({ message: `Key '${keyId}' does not exist`, $metadata: {} });
        }
        const result = await next(args);
        const metadata = (result.output as { KeyMetadata?: { KeyState?: string; Enabled?: boolean } })
          .KeyMetadata;
        if (state && metadata) Object.assign(metadata, { KeyState: state, Enabled: false });
        if (validTo && metadata) {
          Object.assign(metadata, {
            Origin: 'EXTERNAL',
            ExpirationModel: 'KEY_MATERIAL_EXPIRES',
            ValidTo: validTo,
          });
        }
        return result;
      };
    (client.middlewareStack.add as (mw: unknown, options: object) => void)(middleware, {
      step: 'initialize',
      name: 'sandboxKeyStateSeam',
      override: true,
    });
  };

  set(keyId: string, state: SimulatedKeyState): void {
    this.states.set(keyId, state);
  }

  /** Imported key material that expires at `validTo`, as DescribeKey reports it (Origin EXTERNAL, ValidTo). */
  setMaterialExpiry(keyId: string, validTo: Date): void {
    this.expiries.set(keyId, validTo);
  }

  clear(keyId: string): void {
    this.states.delete(keyId);
    this.expiries.delete(keyId);
  }
}

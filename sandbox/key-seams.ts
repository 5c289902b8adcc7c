import { NotFoundException } from '@aws-sdk/client-kms';
import type { ClientInstrument } from '../lambdas/shared/aws';

/**
 * Key states moto cannot produce: it does not implement importing key material (so no PendingImport, no
 * ValidTo, and DeleteImportedKeyMaterial changes nothing) and it cannot delete a key at once. For the keys named
 * here, the reactor's DescribeKey is answered with the state the real KMS would report; moto evaluates no
 * key policy either, so a revoked one is answered here too (revokeAccess). This is a seam,
 * announced wherever it is used; every other call still goes to moto.
 */
export type SimulatedKeyState = 'PendingImport' | 'NotFound';

/** The probes the reactor makes (lambdas/shared/key-reader.ts): what a revoked key policy refuses. */
const PROBE_COMMANDS: ReadonlySet<string> = new Set([
  'GenerateDataKeyWithoutPlaintextCommand',
  'EncryptCommand',
]);

export class KeyStateSeam {
  private readonly states = new Map<string, SimulatedKeyState>();
  private readonly revoked = new Set<string>();
  private readonly expiries = new Map<string, Date>();

  /** Attached to every client of the local reactor (AwsOptions.instrument). */
  readonly instrument: ClientInstrument = (client) => {
    const middleware =
      (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        const keyId = String((args.input as { KeyId?: string }).KeyId ?? '');
        if (
          PROBE_COMMANDS.has(context.commandName ?? '') &&
          [...this.revoked].some((id) => keyId.endsWith(id))
        ) {
          // moto's KMS has no key policies to evaluate: the customer's revocation is answered here.
          throw Object.assign(
            new Error(
              `User is not authorized to perform this operation on ${keyId}: the key policy denies it`,
            ),
            { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
          );
        }
        if (context.commandName !== 'DescribeKeyCommand') return next(args);
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

  /**
   * The customer's key policy (or a grant) no longer lets the platform use the key: the reactor's probes
   * are refused with AccessDeniedException while the key stays Enabled and DescribeKey still answers.
   */
  revokeAccess(keyId: string): void {
    this.revoked.add(keyId);
  }

  restoreAccess(keyId: string): void {
    this.revoked.delete(keyId);
  }

  clear(keyId: string): void {
    this.revoked.delete(keyId);
    this.states.delete(keyId);
    this.expiries.delete(keyId);
  }
}

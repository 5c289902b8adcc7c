import type { AccessDeniedAction, PolicyAction, PolicyLanguage } from '../../lambdas/shared/store/policy';
import type { CliSession } from '../context';
import { EXIT, type ExitCode, UsageError } from '../errors';
import { policyChangeOf, printPolicy } from './register';

export interface PolicySetOptions {
  /** Seconds (the option takes minutes). */
  readonly grace?: number;
  readonly action?: PolicyAction;
  readonly onAccessDenied?: AccessDeniedAction;
  readonly admin?: readonly string[];
  readonly language?: PolicyLanguage;
}

/**
 * Changes a key's policy without naming a resource; the fields not given keep their value. The key is
 * not checked as register checks it: on a bad day the key is disabled, and that is when an operator
 * lengthens its grace period or turns it alert-only.
 */
export async function policySet(
  session: CliSession,
  keyValue: string,
  options: PolicySetOptions,
): Promise<ExitCode> {
  const change = policyChangeOf(options);
  if (!change)
    throw new UsageError(
      'policy set changes nothing: give --grace, --action, --on-access-denied, --admin or --language',
    );
  const { keyArn, r, out } = await session.forKey(keyValue);
  await r.store.registry.setPolicy(keyArn, change);
  const policy = await r.store.registry.policy(keyArn);
  if (out.json) {
    out.data({ keyArn, policy });
    return EXIT.ok;
  }
  out.line(`Set the policy of ${keyArn}.`);
  printPolicy(out, policy);
  return EXIT.ok;
}

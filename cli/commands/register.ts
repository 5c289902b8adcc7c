import type { Layer } from '../../lambdas/shared/model';
import type { AccessDeniedAction, PolicyAction } from '../../lambdas/shared/store/policy';
import type { CliSession } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { nameOf, policyLines, resourceTable, tagCommand } from '../format';
import { anyArnArgument, defaultLayer, keyArnArgument, resourceArgument } from '../inputs';
import { errorOf, observationOf, observe, stateText } from '../observe';
import { checkKeyForOnboarding } from '../onboarding';

export interface RegisterOptions {
  readonly layer?: Layer;
  /** Seconds (the option takes minutes). */
  readonly grace?: number;
  readonly action?: PolicyAction;
  readonly onAccessDenied?: AccessDeniedAction;
  readonly admin?: readonly string[];
  /** False with --no-check: register without looking at the resources. */
  readonly check: boolean;
  /** True with --skip-key-checks: register to a key that fails the onboarding checks, with a warning. */
  readonly skipKeyChecks?: boolean;
}

/**
 * Refuses, before anything is written, a key the reactor could not watch or use (KeyOnboardingError,
 * exit code 2), with the CLI's own Region and KMS client, so the checks see what the command targets.
 */
async function checkKey(session: CliSession, keyArn: string): Promise<void> {
  const client = session.kms();
  // --region or AWS_REGION; otherwise the Region the SDK found in the AWS config.
  const region = session.target.region ?? (await client.config.region());
  await checkKeyForOnboarding(keyArn, { region, client });
}

const keyChecksSkipped = (keyArn: string) =>
  `key checks skipped (--skip-key-checks): ${keyArn} may be disabled, pending deletion, in another Region ` +
  'or unusable by the reactor';

/**
 * Registers resources to a key, and sets the key's policy when an option asks for it. The key is checked
 * first, once for all the resources, unless --skip-key-checks. Each resource is then looked at through
 * its driver: one that does not exist or lacks the managed tag is registered all the same (it may be
 * created or tagged later), with a warning that says what the reactor will do.
 */
export async function register(
  session: CliSession,
  keyArnValue: string,
  resourceValues: readonly string[],
  options: RegisterOptions,
): Promise<ExitCode> {
  const keyArn = keyArnArgument(keyArnValue);
  const resources = resourceValues.map(resourceArgument);
  const r = session.reactor();
  const { out } = session;

  const warnings: string[] = [];
  if (options.skipKeyChecks) warnings.push(keyChecksSkipped(keyArn));
  else await checkKey(session, keyArn);

  const tag = r.settings.managedTag;
  const observed = options.check ? await observe(r, resources) : new Map();
  for (const { resourceArn, kind } of resources) {
    const seen = observed.get(resourceArn);
    if (!options.check || !seen) continue;
    const observation = observationOf(seen);
    if (!observation) warnings.push(`could not check ${resourceArn}: ${errorOf(seen)}`);
    else if (observation.state === 'not-found') {
      warnings.push(`${resourceArn} was not found (check the ARN and the Region); registered anyway`);
    } else if (observation.state === 'not-managed') {
      warnings.push(
        `${resourceArn} is not tagged ${tag.key}=${tag.value}, so the reactor will not stop or start it until it is: ` +
          tagCommand(kind, resourceArn, tag),
      );
    } else if (observation.state === 'running' && observation.restore === undefined) {
      warnings.push(
        `AWS cannot stop ${resourceArn} (${observation.detail}): the reactor will report it instead of stopping it`,
      );
    }
  }

  const registered = resources.map(({ resourceArn, kind }) => ({
    resourceArn,
    kind,
    layer: options.layer ?? defaultLayer(kind),
  }));
  for (const resource of registered) await r.store.registry.register({ keyArn, ...resource });
  const change = {
    administrators: options.admin,
    graceSeconds: options.grace,
    action: options.action,
    onAccessDenied: options.onAccessDenied,
  };
  if (Object.values(change).some((value) => value !== undefined))
    await r.store.registry.setPolicy(keyArn, change);
  const policy = await r.store.registry.policy(keyArn);

  for (const warning of warnings) out.warn(warning);
  if (out.json) {
    out.data({
      keyArn,
      registered: registered.map((resource) => ({
        ...resource,
        state: observationOf(observed.get(resource.resourceArn))?.state ?? null,
      })),
      policy,
      warnings,
    });
    return EXIT.ok;
  }
  out.line(`Registered ${registered.length} resource${registered.length === 1 ? '' : 's'} to ${keyArn}:`);
  out.lines(
    resourceTable(registered, (resourceArn) =>
      options.check ? stateText(observed.get(resourceArn)) : 'not checked (--no-check)',
    ),
  );
  const lines = policyLines(policy);
  out.line('Policy of the key:');
  out.line(`  action:         ${lines.action}`);
  out.line(`  grace period:   ${lines.grace}`);
  out.line(`  administrators: ${lines.administrators}`);
  return EXIT.ok;
}

/** Removes resources from a key. What the reactor stopped stays in the ledger, so it is still restarted. */
export async function unregister(
  session: CliSession,
  keyArnValue: string,
  resourceValues: readonly string[],
): Promise<ExitCode> {
  const keyArn = keyArnArgument(keyArnValue);
  const resourceArns = resourceValues.map(anyArnArgument);
  const r = session.reactor();
  const { out } = session;

  const stopped = new Set((await r.store.ledger.list(keyArn)).map((entry) => entry.resourceArn));
  const results: { resourceArn: string; removed: boolean; inLedger: boolean }[] = [];
  for (const resourceArn of resourceArns) {
    const removed = await r.store.registry.unregister(keyArn, resourceArn);
    results.push({ resourceArn, removed, inLedger: stopped.has(resourceArn) });
  }
  for (const result of results) {
    if (!result.removed) out.warn(`${result.resourceArn} was not registered to ${keyArn}`);
    if (result.inLedger) {
      out.warn(
        `the reactor stopped ${result.resourceArn} and still remembers it: it will start it again when the key is usable`,
      );
    }
  }
  const exitCode = results.some((result) => result.removed) ? EXIT.ok : EXIT.notFound;
  if (out.json) {
    out.data({
      keyArn,
      unregistered: results.filter((result) => result.removed).map((result) => result.resourceArn),
      results,
    });
    return exitCode;
  }
  const removed = results.filter((result) => result.removed);
  out.line(
    removed.length > 0
      ? `Unregistered from ${keyArn}: ${removed.map((result) => nameOf(result.resourceArn)).join(', ')}`
      : `Nothing unregistered: none of these resources was registered to ${keyArn}`,
  );
  return exitCode;
}

import type { KeyMetadata } from '@aws-sdk/client-kms';
import { kindOf } from '../../lambdas/shared/arn';
import type { Seen } from '../../lambdas/shared/decision';
import { readKeyAdvisories } from '../../lambdas/shared/key-advisories';
import type { Layer, ResourceKind } from '../../lambdas/shared/model';
import type { Reactor } from '../../lambdas/shared/reactor';
import type {
  AccessDeniedAction,
  KeyPolicyChange,
  PolicyAction,
  PolicyLanguage,
} from '../../lambdas/shared/store/policy';
import type { CliSession, Output } from '../context';
import { CliError, EXIT, type ExitCode, UsageError } from '../errors';
import { nameOf, policyLines, resourceTable } from '../format';
import { anyArnArgument, defaultLayer, resourceArgument } from '../inputs';
import { keyMembers } from '../key-members';
import { errorOf, observationOf, observe, stateText } from '../observe';
import { checkKeyForOnboarding } from '../onboarding';
import {
  type Recorded,
  readOwners,
  record,
  refuseTaggedForOthers,
  registrationTagKeys,
} from '../registration';
import { type FileResource, readResourceFile } from '../resource-file';
import { Tagger } from '../tagger';

export interface RegisterOptions {
  readonly layer?: Layer;
  /** Seconds (the option takes minutes). */
  readonly grace?: number;
  readonly action?: PolicyAction;
  readonly onAccessDenied?: AccessDeniedAction;
  readonly admin?: readonly string[];
  readonly language?: PolicyLanguage;
  /** True with --strict: a resource that does not exist is an error, and nothing is registered. */
  readonly strict?: boolean;
  /** --from <file>: more resources, one ARN a line with an optional layer (resource-file.ts). */
  readonly from?: string;
  /** False with --no-check: register without looking at the resources. */
  readonly check: boolean;
  /** True with --skip-key-checks: register to a key that fails the onboarding checks, with a warning. */
  readonly skipKeyChecks?: boolean;
}

/**
 * Refuses, before anything is written, a key the reactor could not watch or use (KeyOnboardingError,
 * exit code 2), with the CLI's own Region and KMS client, so the checks see what the command targets.
 */
async function checkKey(session: CliSession, keyArn: string): Promise<KeyMetadata> {
  const client = session.kms();
  // --region or AWS_REGION; otherwise the Region the SDK found in the AWS config.
  const region = session.target.region ?? (await client.config.region());
  return checkKeyForOnboarding(keyArn, { region, client });
}

const keyChecksSkipped = (keyArn: string) =>
  `key checks skipped (--skip-key-checks): ${keyArn} may be disabled, pending deletion, in another Region ` +
  'or unusable by the reactor';

/** The policy fields a command's options set; undefined when they set none. */
export function policyChangeOf(options: {
  readonly admin?: readonly string[];
  readonly grace?: number;
  readonly action?: PolicyAction;
  readonly onAccessDenied?: AccessDeniedAction;
  readonly language?: PolicyLanguage;
}): KeyPolicyChange | undefined {
  const change: KeyPolicyChange = {
    administrators: options.admin,
    graceSeconds: options.grace,
    action: options.action,
    onAccessDenied: options.onAccessDenied,
    language: options.language,
  };
  return Object.values(change).some((value) => value !== undefined) ? change : undefined;
}

/** The resources named on the command line and in --from, each once, all checked before any AWS call. */
async function resourcesOf(values: readonly string[], options: RegisterOptions): Promise<FileResource[]> {
  const fromFile = options.from === undefined ? [] : await readResourceFile(options.from);
  const given: FileResource[] = values.map(resourceArgument);
  const unique = new Map<string, FileResource>();
  for (const resource of [...given, ...fromFile]) unique.set(resource.resourceArn, resource);
  return [...unique.values()];
}

/** What register warns about a resource, or undefined when all is well. */
function warningFor(
  resource: FileResource,
  seen: Seen | undefined,
  recorded: Recorded | undefined,
): string | undefined {
  const { resourceArn } = resource;
  if (recorded === 'row') {
    return (
      `${resourceArn} was not found (check the ARN and the Region); registered by a table row until it ` +
      'exists: register it again then, to tag it'
    );
  }
  if (!seen) return undefined;
  const observation = observationOf(seen);
  if (!observation) return `could not check ${resourceArn}: ${errorOf(seen)}`;
  // A resource AWS cannot stop is one of the key's advisories (key-advisories.ts), said once for the key.
  return undefined;
}

/**
 * With --strict, a resource that does not exist (or could not be looked at) is an error, before anything
 * is written: a typo'd instance ID is refused instead of registered with a warning.
 */
function refuseMissing(resources: readonly FileResource[], observed: ReadonlyMap<string, Seen>): void {
  const missing = resources.filter(
    (resource) => observationOf(observed.get(resource.resourceArn))?.state === 'not-found',
  );
  if (missing.length > 0) {
    throw new UsageError(
      `--strict: ${missing.map((resource) => resource.resourceArn).join(', ')} ` +
        `${missing.length === 1 ? 'does' : 'do'} not exist (check the ARN and the Region); nothing registered`,
      'not-found',
    );
  }
  const unchecked = resources.find((resource) => errorOf(observed.get(resource.resourceArn)) !== undefined);
  if (unchecked) {
    throw new CliError(
      `--strict: could not check ${unchecked.resourceArn} (${errorOf(observed.get(unchecked.resourceArn))}); nothing registered`,
    );
  }
}

/**
 * Registers resources to a key, and sets the key's policy when an option asks for it. The key is checked
 * first, once for all the resources, unless --skip-key-checks. Each resource is then looked at through
 * its driver, and its key tag read: one tagged for another key is refused, and nothing is written. Each
 * is then tagged for the key (registration.ts); one that does not exist is registered by a table row,
 * with a warning; with --strict, one that does not exist is refused, and nothing is registered.
 */
export async function register(
  session: CliSession,
  keyValue: string,
  resourceValues: readonly string[],
  options: RegisterOptions,
): Promise<ExitCode> {
  if (options.strict && !options.check)
    throw new UsageError('--strict needs the resource checks: drop --no-check');
  const resources = await resourcesOf(resourceValues, options);
  const change = policyChangeOf(options);
  if (resources.length === 0 && change === undefined) {
    throw new UsageError(
      'nothing to register: name resources (or --from <file>), or set only the policy with ' +
        'key-reactor policy set <key> [--grace] [--action] [--admin] [--language]',
    );
  }
  const { keyArn, r, out } = await session.forKey(keyValue);

  const warnings: string[] = [];
  let metadata: KeyMetadata | undefined;
  if (options.skipKeyChecks) warnings.push(keyChecksSkipped(keyArn));
  else metadata = await checkKey(session, keyArn);

  let observed = options.check ? await observe(r, resources) : new Map<string, Seen>();
  if (options.strict) refuseMissing(resources, observed);
  // Read even with --no-check: a resource belongs to one key, and its tag says which, so another key's
  // resource is refused before anything is written.
  const tagger = new Tagger(session.aws);
  const owners = await readOwners(tagger, resources);
  refuseTaggedForOthers(keyArn, owners);
  for (const [resourceArn, seen] of observed)
    if (observationOf(seen)?.state === 'not-found') owners.set(resourceArn, { missing: true });

  const registered = resources.map(({ resourceArn, kind, layer }) => ({
    resourceArn,
    kind,
    layer: layer ?? options.layer ?? defaultLayer(kind),
  }));
  const recorded = new Map<string, Recorded>();
  for (const resource of registered) {
    const owner = owners.get(resource.resourceArn);
    recorded.set(resource.resourceArn, await record(r, tagger, keyArn, resource, owner));
  }
  if (change) await r.store.registry.setPolicy(keyArn, change);
  // What lacked the managed tag has it now: looked at again, so that the table shows its state.
  const retagged = resources.filter(
    (resource) =>
      recorded.get(resource.resourceArn) !== 'row' &&
      observationOf(observed.get(resource.resourceArn))?.state === 'not-managed',
  );
  if (retagged.length > 0) observed = new Map([...observed, ...(await observe(r, retagged))]);
  for (const resource of resources) {
    const warning = warningFor(
      resource,
      observed.get(resource.resourceArn),
      recorded.get(resource.resourceArn),
    );
    if (warning) warnings.push(warning);
  }
  const policy = await r.store.registry.policy(keyArn);
  // Never blocking: what will hurt later (rotation off, expiring material, other tenants, unstoppable).
  const members = await keyMembers(r, keyArn);
  const everything = [
    ...new Set([
      ...members.members.map((member) => member.resourceArn),
      ...registered.map((resource) => resource.resourceArn),
    ]),
  ];
  const advisories = await readKeyAdvisories(session.kms(), keyArn, everything, observed, {
    ...(metadata ? { metadata } : {}),
    readKey: !options.skipKeyChecks,
  });
  warnings.push(...advisories.map((advisory) => advisory.message));

  for (const warning of warnings) out.warn(warning);
  if (out.json) {
    out.data({
      keyArn,
      registered: registered.map((resource) => ({
        ...resource,
        state: observationOf(observed.get(resource.resourceArn))?.state ?? null,
        registeredBy: recorded.get(resource.resourceArn),
      })),
      policy,
      warnings,
    });
    return EXIT.ok;
  }
  out.line(`Registered ${registered.length} resource${registered.length === 1 ? '' : 's'} to ${keyArn}:`);
  if (registered.length > 0) {
    out.lines(
      resourceTable(registered, (resourceArn) =>
        options.check ? stateText(observed.get(resourceArn)) : 'not checked (--no-check)',
      ),
    );
  }
  printPolicy(out, policy);
  return EXIT.ok;
}

/** The key's policy, as register and policy set print it. */
export function printPolicy(out: Output, policy: Parameters<typeof policyLines>[0]): void {
  const lines = policyLines(policy);
  out.line('Policy of the key:');
  out.line(`  action:         ${lines.action}`);
  out.line(`  access denied:  ${lines.accessDenied}`);
  out.line(`  grace period:   ${lines.grace}`);
  out.line(`  administrators: ${lines.administrators}`);
  out.line(`  language:       ${lines.language}`);
}

/**
 * Removes resources from a key: the key tag and the managed tag of each tagged for it, and its row if it
 * has one. What the reactor stopped stays in the ledger, so it is still restarted.
 */
export async function unregister(
  session: CliSession,
  keyValue: string,
  resourceValues: readonly string[],
): Promise<ExitCode> {
  const resourceArns = resourceValues.map(anyArnArgument);
  const { keyArn, r, out } = await session.forKey(keyValue);

  const stopped = new Set((await r.store.ledger.list(keyArn)).map((entry) => entry.resourceArn));
  const tagger = new Tagger(session.aws);
  const results: { resourceArn: string; removed: boolean; inLedger: boolean; taggedFor?: string }[] = [];
  for (const resourceArn of resourceArns) {
    const untagged = await untagFor(r, tagger, keyArn, resourceArn);
    const rowRemoved = await r.store.registry.unregister(keyArn, resourceArn);
    results.push({
      resourceArn,
      removed: untagged.removed || rowRemoved,
      inLedger: stopped.has(resourceArn),
      ...(untagged.taggedFor ? { taggedFor: untagged.taggedFor } : {}),
    });
  }
  for (const result of results) {
    if (result.taggedFor) {
      out.warn(
        `${result.resourceArn} is tagged for ${result.taggedFor}, not ${keyArn}: its tags were left as they are`,
      );
    } else if (!result.removed) out.warn(`${result.resourceArn} was not registered to ${keyArn}`);
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

/**
 * Removes the tags that make a resource the key's, when its key tag names this key: another key's tag
 * is left alone. A resource of a kind the reactor no longer drives, or that no longer exists, has no tags
 * to remove; its row, if any, is what unregister removes.
 */
async function untagFor(
  r: Reactor,
  tagger: Tagger,
  keyArn: string,
  resourceArn: string,
): Promise<{ removed: boolean; taggedFor?: string }> {
  let target: { resourceArn: string; kind: ResourceKind };
  try {
    target = { resourceArn, kind: kindOf(resourceArn) };
  } catch {
    return { removed: false };
  }
  const owner = (await readOwners(tagger, [target])).get(resourceArn);
  if (owner?.taggedFor === undefined) return { removed: false };
  if (owner.taggedFor !== keyArn) return { removed: false, taggedFor: owner.taggedFor };
  await tagger.untag(target, registrationTagKeys(r));
  return { removed: true };
}

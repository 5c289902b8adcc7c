import type { CliSession } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { byStopOrder, nameOf, policyLines, table } from '../format';
import { defaultLayer } from '../inputs';
import { allKeyMembers, type KeyMember, keyMembers, overriddenWarning } from '../key-members';

/**
 * A row is legacy when nothing but the table registers the resource, or when it only repeats the layer
 * the kind has anyway: `migrate` tags the first and drops the second.
 */
export function isLegacy(member: KeyMember): boolean {
  return (
    member.registeredBy === 'row' ||
    (member.registeredBy === 'both' && member.layer === defaultLayer(member.kind))
  );
}

function registeredText(member: KeyMember): string {
  const legacy = isLegacy(member) ? ' (legacy)' : '';
  if (member.registeredBy === 'tag') return 'tag';
  return member.registeredBy === 'row' ? `row${legacy}` : `tag + row${legacy}`;
}

/**
 * The resources of one key, or of every key, as the workflows see them: tagged for the key (the tagging
 * API and Auto Scaling, key-members.ts) merged with the table's rows (a Query of the key's partition, or
 * a paginated Scan filtered on `type = resource` for every key: fine for an operator's command), each
 * with how it is registered.
 */
export async function list(session: CliSession, options: { readonly key?: string }): Promise<ExitCode> {
  const r = session.reactor();
  const keyArn = options.key === undefined ? undefined : await session.keyArn(options.key);
  const { out } = session;
  const { byKey, overridden } = keyArn
    ? await keyMembers(r, keyArn).then((one) => ({
        byKey: new Map([[keyArn, one.members]]),
        overridden: one.overridden,
      }))
    : await allKeyMembers(r);
  for (const row of overridden) out.warn(overriddenWarning(row));
  const keys = await Promise.all(
    [...byKey].map(async ([arn, members]) => ({
      keyArn: arn,
      policy: await r.store.registry.policy(arn),
      resources: byStopOrder(members).map((member) => ({ ...member, legacy: isLegacy(member) })),
    })),
  );

  if (out.json) {
    out.data({ keys });
    return EXIT.ok;
  }
  if (keys.length === 0) {
    out.line('No resources are registered to any key.');
    return EXIT.ok;
  }
  keys.forEach((key, index) => {
    if (index > 0) out.line();
    const policy = policyLines(key.policy);
    out.line(`Key ${key.keyArn}`);
    out.line(`  action:         ${policy.action}`);
    out.line(`  access denied:  ${policy.accessDenied}`);
    out.line(`  grace period:   ${policy.grace}`);
    out.line(`  administrators: ${policy.administrators}`);
    out.line(`  language:       ${policy.language}`);
    if (key.resources.length === 0) {
      out.line('  no resources registered');
      return;
    }
    out.lines(
      table(
        ['LAYER', 'KIND', 'NAME', 'REGISTERED BY', 'ARN'],
        key.resources.map((resource) => [
          resource.layer,
          resource.kind,
          nameOf(resource.resourceArn),
          registeredText(resource),
          resource.resourceArn,
        ]),
      ),
    );
  });
  if (keys.some((key) => key.resources.some((resource) => resource.legacy))) {
    out.line();
    out.line(
      'Legacy rows: key-reactor migrate tags their resources and drops the rows a tag makes redundant.',
    );
  }
  return EXIT.ok;
}

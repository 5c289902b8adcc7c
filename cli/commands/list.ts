import type { RegisteredResource } from '../../lambdas/shared/model';
import type { CliSession } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { byStopOrder, nameOf, policyLines, table } from '../format';

/**
 * The registered resources of one key (a Query of its partition), or of every key (a paginated Scan
 * of the table filtered on `type = resource`: fine for an operator's command, never used by a workflow).
 */
export async function list(session: CliSession, options: { readonly key?: string }): Promise<ExitCode> {
  const r = session.reactor();
  const keyArn = options.key === undefined ? undefined : await session.keyArn(options.key);
  const { out } = session;
  const resources = keyArn ? await r.store.registry.list(keyArn) : await r.store.registry.listAll();

  const byKey = new Map<string, RegisteredResource[]>();
  if (keyArn) byKey.set(keyArn, []);
  for (const resource of resources)
    byKey.set(resource.keyArn, [...(byKey.get(resource.keyArn) ?? []), resource]);
  const keys = await Promise.all(
    [...byKey].map(async ([arn, members]) => ({
      keyArn: arn,
      policy: await r.store.registry.policy(arn),
      resources: byStopOrder(members),
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
        ['LAYER', 'KIND', 'NAME', 'ARN'],
        key.resources.map((resource) => [
          resource.layer,
          resource.kind,
          nameOf(resource.resourceArn),
          resource.resourceArn,
        ]),
      ),
    );
  });
  return EXIT.ok;
}

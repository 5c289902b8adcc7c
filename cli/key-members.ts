import type { OverriddenRow } from '../lambdas/shared/key-resources';
import type { RegisteredResource } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';

/**
 * What the CLI reads of a key's resources, in one place, through the reactor's own KeyResources: the
 * resources tagged for the key merged with its RESOURCE rows, by the same rules the workflows use, so
 * that `list`, `status`, `plan`, `register` and `adopt` agree with them on what a key's resources are.
 * The CLI adds only how each one is registered, which `list` shows.
 */

/** How a resource is registered: its key tag, a table row, or both (a row that sets its layer, or a legacy one). */
export type RegisteredBy = 'tag' | 'row' | 'both';

export interface KeyMember extends RegisteredResource {
  readonly registeredBy: RegisteredBy;
}

export type { OverriddenRow } from '../lambdas/shared/key-resources';

export interface KeyMembers {
  readonly members: KeyMember[];
  readonly overridden: OverriddenRow[];
}

function memberOf(resource: RegisteredResource): KeyMember {
  const registeredBy: RegisteredBy = resource.source === 'table' ? 'row' : resource.hasRow ? 'both' : 'tag';
  return { ...resource, registeredBy };
}

/** One key's members; every key's tags are read only when a row names a resource not tagged for it. */
export async function keyMembers(r: Reactor, keyArn: string): Promise<KeyMembers> {
  const { resources, overridden } = await r.resources.read(keyArn);
  return { members: resources.map(memberOf), overridden };
}

/** Every key's members: one read of the account's tags and one Scan of the rows, whatever the number of keys. */
export async function allKeyMembers(
  r: Reactor,
): Promise<{ readonly byKey: Map<string, KeyMember[]>; readonly overridden: OverriddenRow[] }> {
  const { byKey, overridden } = await r.resources.readAll();
  return {
    byKey: new Map([...byKey].map(([keyArn, resources]) => [keyArn, resources.map(memberOf)])),
    overridden,
  };
}

/** What the CLI warns of a row the tags override. */
export function overriddenWarning(row: OverriddenRow): string {
  return (
    `${row.resourceArn} has a row under ${row.keyArn} but is tagged for ${row.taggedFor}: ` +
    `the tag wins; remove the row with key-reactor unregister ${row.keyArn} ${row.resourceArn}`
  );
}

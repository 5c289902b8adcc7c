import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { awsClient } from '../lambdas/shared/aws';
import type { RegisteredResource } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';
import { type AccountListing, TagDirectory, type TaggedResource } from '../lambdas/shared/tag-directory';
import type { CliSession } from './context';
import { defaultLayer } from './inputs';

/**
 * What the CLI reads of a key's resources, in one place: the resources tagged for the key (TagDirectory,
 * "the tag is the registration") merged with the key's RESOURCE rows, which now hold only a layer other
 * than the kind's default, or a registration made before the tag was the registration. `list`, `status`,
 * `plan`, `register` and `adopt` all read through here, so that they agree with the workflows on what a
 * key's resources are; when the reactor gains its own merged reader, only this file changes.
 */

/** How a resource is registered: its key tag, a table row, or both (a row that sets its layer, or a legacy one). */
export type RegisteredBy = 'tag' | 'row' | 'both';

export interface KeyMember extends RegisteredResource {
  readonly registeredBy: RegisteredBy;
}

/** A row the merge leaves out: the resource's tag names another key, and the tag wins. */
export interface OverriddenRow {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly taggedFor: string;
}

export interface KeyMembers {
  readonly members: KeyMember[];
  readonly overridden: OverriddenRow[];
}

/** The tag directory on the operator's own clients. */
export function tagDirectoryOf(session: CliSession): TagDirectory {
  return new TagDirectory({
    tagging: awsClient(ResourceGroupsTaggingAPIClient, session.aws),
    autoscaling: awsClient(AutoScalingClient, session.aws),
  });
}

/**
 * One key's members from its tagged resources and its rows: a tagged resource takes its row's layer when
 * it has one; a row whose resource is tagged for another key is left out (and said); a row whose resource
 * is tagged for no key is a legacy registration, kept until `migrate`.
 */
export function mergeMembers(
  keyArn: string,
  tagged: readonly TaggedResource[],
  rows: readonly RegisteredResource[],
  ownerOf: (resourceArn: string) => string | undefined,
): KeyMembers {
  const rowOf = new Map(rows.map((row) => [row.resourceArn, row]));
  const members: KeyMember[] = tagged.map(({ resourceArn, kind }) => {
    const row = rowOf.get(resourceArn);
    return {
      keyArn,
      resourceArn,
      kind,
      layer: row?.layer ?? defaultLayer(kind),
      registeredAt: row?.registeredAt ?? '',
      registeredBy: row ? 'both' : 'tag',
    };
  });
  const taggedArns = new Set(tagged.map((resource) => resource.resourceArn));
  const overridden: OverriddenRow[] = [];
  for (const row of rows) {
    if (taggedArns.has(row.resourceArn)) continue;
    const taggedFor = ownerOf(row.resourceArn);
    if (taggedFor !== undefined && taggedFor !== keyArn)
      overridden.push({ keyArn, resourceArn: row.resourceArn, taggedFor });
    else members.push({ ...row, registeredBy: 'row' });
  }
  members.sort((a, b) => a.resourceArn.localeCompare(b.resourceArn));
  return { members, overridden };
}

function ownersOf(listing: AccountListing): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [keyArn, resources] of listing.byKey)
    for (const { resourceArn } of resources) owners.set(resourceArn, keyArn);
  return owners;
}

/** One key's members; every key's tags are read only when a row names a resource not tagged for it. */
export async function keyMembers(session: CliSession, r: Reactor, keyArn: string): Promise<KeyMembers> {
  const directory = tagDirectoryOf(session);
  const [listing, rows] = await Promise.all([directory.list(keyArn), r.store.registry.list(keyArn)]);
  const taggedArns = new Set(listing.resources.map((resource) => resource.resourceArn));
  const owners = rows.some((row) => !taggedArns.has(row.resourceArn))
    ? ownersOf(await directory.all())
    : new Map<string, string>();
  return mergeMembers(keyArn, listing.resources, rows, (arn) => owners.get(arn));
}

/** Every key's members: one read of the account's tags and one Scan of the rows, whatever the number of keys. */
export async function allKeyMembers(
  session: CliSession,
  r: Reactor,
): Promise<{ readonly byKey: Map<string, KeyMember[]>; readonly overridden: OverriddenRow[] }> {
  const [listing, rows] = await Promise.all([tagDirectoryOf(session).all(), r.store.registry.listAll()]);
  const owners = ownersOf(listing);
  const rowsByKey = new Map<string, RegisteredResource[]>();
  for (const row of rows) rowsByKey.set(row.keyArn, [...(rowsByKey.get(row.keyArn) ?? []), row]);
  const byKey = new Map<string, KeyMember[]>();
  const overridden: OverriddenRow[] = [];
  for (const keyArn of [...new Set([...listing.byKey.keys(), ...rowsByKey.keys()])].sort()) {
    const merged = mergeMembers(keyArn, listing.byKey.get(keyArn) ?? [], rowsByKey.get(keyArn) ?? [], (arn) =>
      owners.get(arn),
    );
    overridden.push(...merged.overridden);
    if (merged.members.length > 0) byKey.set(keyArn, merged.members);
  }
  return { byKey, overridden };
}

/** What the CLI warns of a row the tags override. */
export function overriddenWarning(row: OverriddenRow): string {
  return (
    `${row.resourceArn} has a row under ${row.keyArn} but is tagged for ${row.taggedFor}: ` +
    `the tag wins; remove the row with key-reactor unregister ${row.keyArn} ${row.resourceArn}`
  );
}

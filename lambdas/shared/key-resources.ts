import type { Layer, RegisteredResource, ResourceKind } from './model';
import { logger } from './observability';
import type { Store } from './store';
import type { KeyInventory } from './store/inventory';
import {
  type AccountListing,
  ALL_KINDS,
  GroupReads,
  type IgnoredResource,
  type TagDirectory,
  type TaggedResource,
} from './tag-directory';

/**
 * What a key's resources are, for everything that decides what to stop, count or name (converge, the
 * list step, the emails, the sweep, the breaker): the resources tagged for the key (tag-directory.ts),
 * merged with the key's RESOURCE rows in the table, which now hold only a per-resource setting (a layer
 * other than its kind's default) or a registration made before the tag was the registration.
 *
 * The merge rules, in order:
 * - a resource tagged for the key is the key's; its layer is its row's when it has one, else its kind's
 *   default (an ECS service is a service, everything else a server);
 * - a row for a resource tagged for ANOTHER key is ignored, with a warning: a tag has one value, and
 *   it says whose the resource is, so one resource never sits under two keys;
 * - a row for a resource tagged for no key is a legacy registration, kept until it is migrated.
 */

/** The layer a resource of this kind is in unless its row says otherwise. */
export function defaultLayer(kind: ResourceKind): Layer {
  return kind === 'ecs-service' ? 'service' : 'server';
}

/** A row the merge ignored because the resource's tag names another key. */
export interface OverriddenRow {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly taggedFor: string;
}

export interface Merged {
  readonly resources: RegisteredResource[];
  readonly overridden: OverriddenRow[];
}

/**
 * The key's resources from its tagged resources and its rows; `ownerOf` says which key a resource's tag
 * names, for the rows of resources not tagged for this key (undefined: tagged for none).
 */
export function mergeResources(
  keyArn: string,
  tagged: readonly TaggedResource[],
  rows: readonly RegisteredResource[],
  ownerOf: (resourceArn: string) => string | undefined,
): Merged {
  const rowOf = new Map(rows.map((row) => [row.resourceArn, row]));
  const resources: RegisteredResource[] = tagged.map(({ resourceArn, kind }) => {
    const row = rowOf.get(resourceArn);
    return {
      keyArn,
      resourceArn,
      kind,
      layer: row?.layer ?? defaultLayer(kind),
      registeredAt: row?.registeredAt ?? '',
      source: 'tag',
      hasRow: row !== undefined,
    };
  });
  const taggedArns = new Set(tagged.map((resource) => resource.resourceArn));
  const overridden: OverriddenRow[] = [];
  for (const row of rows) {
    if (taggedArns.has(row.resourceArn)) continue;
    const taggedFor = ownerOf(row.resourceArn);
    if (taggedFor !== undefined && taggedFor !== keyArn) {
      overridden.push({ keyArn, resourceArn: row.resourceArn, taggedFor });
      continue;
    }
    resources.push({ ...row, source: 'table', hasRow: true });
  }
  resources.sort((a, b) => a.resourceArn.localeCompare(b.resourceArn));
  return { resources, overridden };
}

/** Every tagged resource's key, by ARN. */
function ownersOf(listing: AccountListing): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [keyArn, resources] of listing.byKey) {
    for (const { resourceArn } of resources) owners.set(resourceArn, keyArn);
  }
  return owners;
}

function warnAbout(overridden: readonly OverriddenRow[], ignored: readonly IgnoredResource[]): void {
  if (overridden.length > 0) {
    logger.warn("Table rows ignored: the resource's key-reactor:key-arn tag names another key", {
      rows: overridden,
    });
  }
  if (ignored.length > 0) logger.warn('Tagged resources the reactor will not drive', { ignored });
}

/** A key's resources, and every key's, from the tags and the table. */
export class KeyResources {
  constructor(
    private readonly store: Store,
    private readonly tags: TagDirectory,
  ) {}

  /** The key's resources, optionally of one layer, ordered by ARN. */
  async list(keyArn: string, layer?: Layer): Promise<RegisteredResource[]> {
    const { resources, overridden, ignored } = await this.read(keyArn, layer);
    warnAbout(overridden, ignored);
    return resources.filter((resource) => layer === undefined || resource.layer === layer);
  }

  /**
   * The merge for one key, with the rows it ignored and the tags it will not drive (the CLI shows both).
   * With `layer`, only what can be in that layer is read and merged: the tags of the kinds whose default
   * layer it is, and of any kind a row moves into it; the rows and tags of the other layers' resources,
   * which cannot end up in this one, are not looked into (nor warned about). The Auto Scaling groups
   * are listed at most once, and only when one can be in the layer (tag-directory.ts, GroupReads).
   */
  async read(
    keyArn: string,
    layer?: Layer,
  ): Promise<Merged & { readonly ignored: readonly IgnoredResource[] }> {
    const inLayer = (resource: { readonly layer: Layer }) => layer === undefined || resource.layer === layer;
    const kinds = layer === undefined ? undefined : ALL_KINDS.filter((kind) => defaultLayer(kind) === layer);
    // The rows first: they say which kinds can be in the layer, and whether a group of it may be another
    // key's, which takes the account's groups (and those answer for this key's too).
    const rows = await this.store.registry.list(keyArn);
    // A row can put a resource of another kind in this layer (a database with its services, say).
    const moved = rows.filter((row) => inLayer(row) && !kinds?.includes(row.kind)).map((row) => row.kind);
    const wanted = kinds && moved.length > 0 ? [...new Set([...kinds, ...moved])] : kinds;
    const groups = new GroupReads(rows.some((row) => inLayer(row) && row.kind === 'autoscaling-group'));
    const { resources: tagged, ignored } = await this.tags.list(keyArn, wanted, groups);
    const taggedArns = new Set(tagged.map((resource) => resource.resourceArn));
    // Whose a row's resource is, when its tag does not name this key, needs every key's tags of its kind.
    // Read only then: once the rows are migrated, only layer settings of tagged resources remain, and
    // cost nothing.
    const untagged = [
      ...new Set(
        rows.filter((row) => inLayer(row) && !taggedArns.has(row.resourceArn)).map((row) => row.kind),
      ),
    ];
    const owners =
      untagged.length > 0 ? ownersOf(await this.tags.all(untagged, groups)) : new Map<string, string>();
    const merged = mergeResources(keyArn, tagged, rows, (arn) => owners.get(arn));
    return { resources: merged.resources.filter(inLayer), overridden: merged.overridden, ignored };
  }

  /**
   * Every key's resources, by key: one read of the account's tags and one Scan of the rows, whatever the
   * number of keys. For an operator's listing, never for a workflow step.
   */
  async readAll(): Promise<{
    readonly byKey: Map<string, RegisteredResource[]>;
    readonly overridden: OverriddenRow[];
  }> {
    const [listing, rows] = await Promise.all([this.tags.all(), this.store.registry.listAll()]);
    const owners = ownersOf(listing);
    const rowsByKey = new Map<string, RegisteredResource[]>();
    for (const row of rows) rowsByKey.set(row.keyArn, [...(rowsByKey.get(row.keyArn) ?? []), row]);
    const byKey = new Map<string, RegisteredResource[]>();
    const overridden: OverriddenRow[] = [];
    for (const keyArn of [...new Set([...listing.byKey.keys(), ...rowsByKey.keys()])].sort()) {
      const merged = mergeResources(
        keyArn,
        listing.byKey.get(keyArn) ?? [],
        rowsByKey.get(keyArn) ?? [],
        (arn) => owners.get(arn),
      );
      overridden.push(...merged.overridden);
      if (merged.resources.length > 0) byKey.set(keyArn, merged.resources);
    }
    return { byKey, overridden };
  }

  /**
   * What the sweep knows of every key: the table's inventory (one Scan) with each key's resources merged
   * with the account's tags (one paginated read, whatever the number of keys). A key only its tags name
   * is swept like any other.
   */
  async inventory(): Promise<KeyInventory[]> {
    const listing = await this.tags.all();
    const owners = ownersOf(listing);
    const inventory = await this.store.inventory(new Set(listing.byKey.keys()));
    const overridden: OverriddenRow[] = [];
    const merged = inventory.map((key) => {
      const { resources, overridden: ignoredRows } = mergeResources(
        key.keyArn,
        listing.byKey.get(key.keyArn) ?? [],
        key.resources,
        (arn) => owners.get(arn),
      );
      overridden.push(...ignoredRows);
      return { ...key, resources };
    });
    warnAbout(overridden, listing.ignored);
    return merged;
  }

  /** How many keys have at least one resource, tagged or in a row: what the circuit breaker's share counts. */
  async keysWithResources(): Promise<number> {
    const [listing, rows] = await Promise.all([this.tags.all(), this.store.registry.listAll()]);
    const owners = ownersOf(listing);
    const keys = new Set(listing.byKey.keys());
    // A row counts for its key unless the resource's tag names another key.
    for (const row of rows)
      if ((owners.get(row.resourceArn) ?? row.keyArn) === row.keyArn) keys.add(row.keyArn);
    return keys.size;
  }
}

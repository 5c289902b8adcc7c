import { KEY_ARN_TAG } from '../lambdas/shared/contract';
import type { Layer, ResourceKind } from '../lambdas/shared/model';
import type { Reactor } from '../lambdas/shared/reactor';
import { ResourceTaggedForAnotherKeyError } from './errors';
import { defaultLayer } from './inputs';
import { registrationTags, type Tagger } from './tagger';

/**
 * What register, unregister and migrate share: a resource is registered by its tags (tagger.ts), and by a
 * RESOURCE row only for what a tag cannot say: a layer other than its kind's default, or a resource that
 * does not exist yet, whose tag cannot be written until it does.
 */

/** A resource to register, its layer decided. */
export interface Registration {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly layer: Layer;
}

/** Whose a resource is by its tag now: a key, none, or it does not exist (its tags could not be read). */
export type Owner = { readonly taggedFor?: string; readonly missing?: boolean };

/** An error AWS gives for a resource that does not exist, whatever the service's name for it. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return /NotFound/.test(name);
}

/** Each resource's owner by its KEY_ARN_TAG, read one resource at a time with the operator's clients. */
export async function readOwners(
  tagger: Tagger,
  resources: readonly { readonly resourceArn: string; readonly kind: ResourceKind }[],
): Promise<Map<string, Owner>> {
  const owners = new Map<string, Owner>();
  for (const resource of resources) {
    try {
      const taggedFor = await tagger.keyOf(resource);
      owners.set(resource.resourceArn, taggedFor === undefined ? {} : { taggedFor });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      owners.set(resource.resourceArn, { missing: true });
    }
  }
  return owners;
}

/** Those of `owners` tagged for a key other than `keyArn`. */
export function taggedForOthers(
  keyArn: string,
  owners: ReadonlyMap<string, Owner>,
): { resourceArn: string; taggedFor: string }[] {
  return [...owners].flatMap(([resourceArn, { taggedFor }]) =>
    taggedFor !== undefined && taggedFor !== keyArn ? [{ resourceArn, taggedFor }] : [],
  );
}

/** Refuses, before anything is written, when any resource is tagged for another key. */
export function refuseTaggedForOthers(keyArn: string, owners: ReadonlyMap<string, Owner>): void {
  const others = taggedForOthers(keyArn, owners);
  if (others.length > 0) throw new ResourceTaggedForAnotherKeyError(others);
}

/** How register recorded a resource: by its tags, its tags and a row for its layer, or a row alone. */
export type Recorded = 'tag' | 'both' | 'row';

/**
 * Registers one resource to the key: its tags, and a row only when its layer is not its kind's default
 * (a stale row is removed so that the default applies again). One that does not exist gets a row alone,
 * which the workflows read as before the tag was the registration, until it exists and is registered again.
 */
export async function record(
  r: Reactor,
  tagger: Tagger,
  keyArn: string,
  resource: Registration,
  owner: Owner | undefined,
): Promise<Recorded> {
  const row = { keyArn, resourceArn: resource.resourceArn, layer: resource.layer };
  if (!owner?.missing) {
    try {
      await tagger.tag(resource, registrationTags(keyArn, r.settings.managedTag));
      if (resource.layer === defaultLayer(resource.kind)) {
        await r.store.registry.unregister(keyArn, resource.resourceArn);
        return 'tag';
      }
      await r.store.registry.register(row);
      return 'both';
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  await r.store.registry.register(row);
  return 'row';
}

/** The tag keys that make a resource the reactor's, which unregister removes. */
export function registrationTagKeys(r: Reactor): string[] {
  return [KEY_ARN_TAG, r.settings.managedTag.key];
}

import {
  type AutoScalingClient,
  type Filter,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import {
  paginateGetResources,
  type ResourceGroupsTaggingAPIClient,
  type TagFilter,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { isKeyArn, kindOf } from './arn';
import { KEY_ARN_TAG } from './contract';
import type { ResourceKind } from './model';

/**
 * Which resources belong to which key, read from the resources' own tags (issue 14, "the tag is the
 * registration"): a resource belongs to a key when it carries KEY_ARN_TAG with the key's ARN. A tag has
 * one value, so a resource belongs to at most one key. Read only.
 *
 * The Resource Groups Tagging API answers for ECS services, EC2 instances and RDS instances and clusters.
 * It does not list Auto Scaling groups (neither does moto's), so those come from
 * DescribeAutoScalingGroups with a tag filter.
 */

/** A resource a key's tag names. */
export interface TaggedResource {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly kind: ResourceKind;
}

/** A tagged resource the reactor will not drive, and why. */
export interface IgnoredResource {
  readonly resourceArn: string;
  readonly reason: string;
}

/** One key's tagged resources. */
export interface KeyListing {
  readonly resources: readonly TaggedResource[];
  readonly ignored: readonly IgnoredResource[];
  /** AWS calls this listing made (pages of GetResources and DescribeAutoScalingGroups). */
  readonly calls: number;
}

/** Every tagged resource of the account, by key. */
export interface AccountListing {
  readonly byKey: ReadonlyMap<string, readonly TaggedResource[]>;
  readonly ignored: readonly IgnoredResource[];
  readonly calls: number;
}

export interface TagDirectoryClients {
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly autoscaling: AutoScalingClient;
}

/** The tagging API's name for each kind it lists; Auto Scaling groups are read apart. */
export const RESOURCE_TYPE_FILTERS: Readonly<Record<Exclude<ResourceKind, 'autoscaling-group'>, string>> = {
  'ecs-service': 'ecs:service',
  'ec2-instance': 'ec2:instance',
  'rds-instance': 'rds:db',
  'rds-cluster': 'rds:cluster',
};

/** Every kind the reactor drives: what a listing asks for unless told fewer. */
export const ALL_KINDS: readonly ResourceKind[] = [
  ...(Object.keys(RESOURCE_TYPE_FILTERS) as Exclude<ResourceKind, 'autoscaling-group'>[]),
  'autoscaling-group',
];

/** The tag EC2 puts on an instance an Auto Scaling group launched. */
export const AUTOSCALING_GROUP_TAG = 'aws:autoscaling:groupName';

/** The largest pages each API gives: GetResources 100 resources, DescribeAutoScalingGroups 100 groups. */
const RESOURCES_PER_PAGE = 100;
const GROUPS_PER_PAGE = 100;

type Tags = readonly { readonly Key?: string; readonly Value?: string }[] | undefined;
const tagValue = (tags: Tags, key: string): string | undefined => tags?.find((tag) => tag.Key === key)?.Value;

/** One resource as either API returned it: its ARN and its tags. */
export interface Found {
  readonly resourceArn: string;
  readonly tags: Tags;
}

/** Whose Auto Scaling groups a listing asks for: one key's, or every key's. */
type GroupScope = { readonly keyArn: string } | 'account';

/**
 * One invocation's listing of the Auto Scaling groups: DescribeAutoScalingGroups draws from the same
 * small bucket as the groups' stops and starts (rate-limits.ts), so a step lists them at most once,
 * however many of its reads need them. Built per invocation and dropped with it, never kept in a
 * module: the tags are the registration, and a group tagged a minute ago must be seen by the next step.
 *
 * `accountWide`: list every key's groups from the start, for a read that will need them (whose a row's
 * group is) and can then answer its own key's from the same listing.
 */
export class GroupReads {
  private account: Promise<Found[]> | undefined;
  private readonly byKey = new Map<string, Promise<Found[]>>();

  constructor(private readonly accountWide = false) {}

  /** The groups of `scope`, listed by `list` once per scope, or taken from the account's listing. */
  async read(scope: GroupScope, list: (filter: Filter) => Promise<Found[]>): Promise<Found[]> {
    if (scope === 'account' || this.accountWide || this.account) {
      this.account ??= this.remember(list({ Name: 'tag-key', Values: [KEY_ARN_TAG] }), () => {
        this.account = undefined;
      });
      const every = await this.account;
      return scope === 'account'
        ? every
        : every.filter((group) => tagValue(group.tags, KEY_ARN_TAG) === scope.keyArn);
    }
    let listing = this.byKey.get(scope.keyArn);
    if (!listing) {
      listing = this.remember(list({ Name: `tag:${KEY_ARN_TAG}`, Values: [scope.keyArn] }), () =>
        this.byKey.delete(scope.keyArn),
      );
      this.byKey.set(scope.keyArn, listing);
    }
    return listing;
  }

  /** A failed listing is not kept: a read after it (the same invocation's, if it goes on) asks again. */
  private remember(listing: Promise<Found[]>, forget: () => void): Promise<Found[]> {
    listing.catch(forget);
    return listing;
  }
}

/** Reads the key tags of the account's resources. */
export class TagDirectory {
  private callCount = 0;

  constructor(private readonly clients: TagDirectoryClients) {}

  /** Every AWS call this directory has made since it was built: the bench's figure. */
  get calls(): number {
    return this.callCount;
  }

  /**
   * The resources tagged for `keyArn`, in a stable order; with `kinds`, only those kinds are asked for
   * (a layer's step reads only its layer's kinds: ECS services are a tenth of a fleet's pages). With
   * `groups`, the Auto Scaling groups come from that invocation's one listing of them.
   */
  async list(keyArn: string, kinds?: readonly ResourceKind[], groups?: GroupReads): Promise<KeyListing> {
    const before = this.callCount;
    const { resources, ignored } = this.sort(
      await this.read([{ Key: KEY_ARN_TAG, Values: [keyArn] }], { keyArn }, kinds, groups),
    );
    return { resources, ignored, calls: this.callCount - before };
  }

  /**
   * Every resource of the account that carries the key tag, grouped by key, for the sweep: one paginated
   * read of each API whatever the number of keys, not one per key. With `kinds`, only those kinds (whose
   * a few rows' resources are needs only their kinds).
   */
  async all(kinds?: readonly ResourceKind[], groups?: GroupReads): Promise<AccountListing> {
    const before = this.callCount;
    const { resources, ignored } = this.sort(
      await this.read([{ Key: KEY_ARN_TAG }], 'account', kinds, groups),
    );
    const byKey = new Map<string, TaggedResource[]>();
    for (const resource of resources) {
      const group = byKey.get(resource.keyArn);
      if (group) group.push(resource);
      else byKey.set(resource.keyArn, [resource]);
    }
    return { byKey, ignored, calls: this.callCount - before };
  }

  private async read(
    tagFilters: TagFilter[],
    scope: GroupScope,
    kinds: readonly ResourceKind[] = ALL_KINDS,
    groups: GroupReads = new GroupReads(),
  ): Promise<Found[]> {
    const types = kinds.flatMap((kind) =>
      kind === 'autoscaling-group' ? [] : [RESOURCE_TYPE_FILTERS[kind]],
    );
    const [tagged, found] = await Promise.all([
      types.length > 0 ? this.taggedResources(tagFilters, types) : [],
      kinds.includes('autoscaling-group') ? groups.read(scope, (filter) => this.groups(filter)) : [],
    ]);
    return [...tagged, ...found];
  }

  private async taggedResources(TagFilters: TagFilter[], ResourceTypeFilters: string[]): Promise<Found[]> {
    const found: Found[] = [];
    // The SDK's paginator ends on the empty token the tagging API ends a listing with.
    const pages = paginateGetResources(
      { client: this.clients.tagging },
      {
        TagFilters,
        ResourceTypeFilters,
        ResourcesPerPage: RESOURCES_PER_PAGE,
      },
    );
    for await (const page of pages) {
      this.callCount++;
      for (const mapping of page.ResourceTagMappingList ?? []) {
        if (!mapping.ResourceARN) continue;
        // The group is the unit the reactor stops and starts: an instance it launched (which inherits the
        // key tag when the group propagates it) is the group's to replace, never the reactor's to stop.
        if (tagValue(mapping.Tags, AUTOSCALING_GROUP_TAG) !== undefined) continue;
        found.push({ resourceArn: mapping.ResourceARN, tags: mapping.Tags });
      }
    }
    return found;
  }

  private async groups(filter: Filter): Promise<Found[]> {
    const found: Found[] = [];
    const pages = paginateDescribeAutoScalingGroups(
      { client: this.clients.autoscaling },
      { Filters: [filter], MaxRecords: GROUPS_PER_PAGE },
    );
    for await (const page of pages) {
      this.callCount++;
      for (const group of page.AutoScalingGroups ?? []) {
        if (group.AutoScalingGroupARN)
          found.push({ resourceArn: group.AutoScalingGroupARN, tags: group.Tags });
      }
    }
    return found;
  }

  /** Each found resource as a key's, or ignored with the reason, ordered by key then ARN. */
  private sort(found: readonly Found[]): {
    resources: TaggedResource[];
    ignored: IgnoredResource[];
  } {
    const resources: TaggedResource[] = [];
    const ignored: IgnoredResource[] = [];
    for (const { resourceArn, tags } of found) {
      const keyArn = tagValue(tags, KEY_ARN_TAG);
      if (keyArn === undefined || !isKeyArn(keyArn)) {
        ignored.push({
          resourceArn,
          reason: `its ${KEY_ARN_TAG} tag is not a KMS key ARN: "${keyArn ?? ''}"`,
        });
        continue;
      }
      let kind: ResourceKind;
      try {
        kind = kindOf(resourceArn);
      } catch (error) {
        // An ECS service with the old short ARN, which does not name its cluster, is the usual case.
        ignored.push({ resourceArn, reason: (error as Error).message });
        continue;
      }
      resources.push({ keyArn, resourceArn, kind });
    }
    resources.sort((a, b) => a.keyArn.localeCompare(b.keyArn) || a.resourceArn.localeCompare(b.resourceArn));
    return { resources, ignored };
  }
}

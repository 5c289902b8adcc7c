import { KEY_ARN_TAG } from '../../lambdas/shared/contract';
import type { RegisteredResource } from '../../lambdas/shared/model';
import type { CliSession } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { nameOf, table } from '../format';
import { defaultLayer } from '../inputs';
import { isNotFound } from '../registration';
import { registrationTags, Tagger, type Tags } from '../tagger';

export interface MigrateOptions {
  /** Do it; without, only print what would be done. */
  readonly yes?: boolean;
}

/** What migrate does with one row. */
export type MigrateAction =
  /** Tag the resource for the row's key (when it lacks a tag), and delete the row: its layer is the default. */
  | 'tag, drop row'
  /** Tag it, and keep the row: it sets a layer other than the kind's default. */
  | 'tag, keep row'
  /** Its tag names another key: left as it is, row and tags. */
  | 'refused'
  /** It does not exist: its row stays, the only registration it can have until it does. */
  | 'missing';

export interface MigrateStep {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly kind: RegisteredResource['kind'];
  readonly layer: RegisteredResource['layer'];
  readonly action: MigrateAction;
  /** The tags it lacks for its key (none: already tagged); only for the two tag actions. */
  readonly tags?: Tags;
  /** For a refused row: the key its tag names. */
  readonly taggedFor?: string;
}

/** What one row needs, from the resource's tags now. */
async function stepOf(tagger: Tagger, row: RegisteredResource, wanted: Tags): Promise<MigrateStep> {
  const base = { keyArn: row.keyArn, resourceArn: row.resourceArn, kind: row.kind, layer: row.layer };
  let current: Tags;
  try {
    current = await tagger.tagsOf(row);
  } catch (error) {
    if (isNotFound(error)) return { ...base, action: 'missing' };
    throw error;
  }
  const taggedFor = current[KEY_ARN_TAG];
  if (taggedFor !== undefined && taggedFor !== row.keyArn) return { ...base, action: 'refused', taggedFor };
  const lacking = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
  const action = row.layer === defaultLayer(row.kind) ? 'tag, drop row' : 'tag, keep row';
  return { ...base, action, tags: lacking };
}

/**
 * Moves the registrations made before the tag was the registration onto the resources' tags: every
 * RESOURCE row's resource is tagged for the row's key (KEY_ARN_TAG and the managed tag), then the rows
 * that only repeat their kind's default layer are deleted; a row that sets another layer stays, as the
 * workflows read the layer from it. A resource tagged for another key is refused and reported, its row
 * and tags untouched; one that does not exist keeps its row. A dry run unless --yes: it reads only.
 */
export async function migrate(session: CliSession, options: MigrateOptions): Promise<ExitCode> {
  const r = session.reactor();
  const { out } = session;
  const tagger = new Tagger(session.aws);
  const rows = await r.store.registry.listAll();
  const steps: MigrateStep[] = [];
  for (const row of rows)
    steps.push(await stepOf(tagger, row, registrationTags(row.keyArn, r.settings.managedTag)));

  if (options.yes) {
    for (const step of steps) {
      if (step.action !== 'tag, drop row' && step.action !== 'tag, keep row') continue;
      if (step.tags && Object.keys(step.tags).length > 0) await tagger.tag(step, step.tags);
      if (step.action === 'tag, drop row') await r.store.registry.unregister(step.keyArn, step.resourceArn);
    }
  }
  const refused = steps.filter((step) => step.action === 'refused');
  for (const step of refused) {
    out.warn(
      `${step.resourceArn} has a row under ${step.keyArn} but is tagged for ${step.taggedFor}: not migrated; ` +
        'unregister it from the key it does not belong to',
    );
  }
  const exitCode = refused.length > 0 ? EXIT.usage : EXIT.ok;
  if (out.json) {
    out.data({ dryRun: !options.yes, steps });
    return exitCode;
  }
  if (steps.length === 0) {
    out.line('No table rows register a resource: nothing to migrate.');
    return exitCode;
  }
  out.line(
    options.yes
      ? `Migrated ${steps.length} row(s) to tags:`
      : `Would migrate ${steps.length} row(s) to tags (a dry run: nothing changed; --yes does it):`,
  );
  out.lines(
    table(
      ['KEY', 'LAYER', 'KIND', 'NAME', 'ACTION'],
      steps.map((step) => [
        nameOf(step.keyArn),
        step.layer,
        step.kind,
        nameOf(step.resourceArn),
        step.action === 'refused'
          ? `refused: tagged for ${step.taggedFor}`
          : step.action === 'missing'
            ? 'missing: row kept'
            : step.tags && Object.keys(step.tags).length === 0
              ? `already tagged, ${step.action.slice('tag, '.length)}`
              : step.action,
      ]),
    ),
  );
  return exitCode;
}

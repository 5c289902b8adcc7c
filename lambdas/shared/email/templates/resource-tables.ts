/** The tables of resources the emails list, in the order the reactor acts on them. */

import { resourceIdOf } from '../../arn';
import type { Layer } from '../../model';
import { type Block, heading, paragraph } from '../blocks';
import type { Wording } from '../i18n';
import type { EmailContext, EmailResource } from '../types';

type Skipped = NonNullable<EmailContext['skipped']>;
type Direction = 'shutdown' | 'restart';

/** The layers, in the order each run acts on them. */
const ORDER: Readonly<Record<Direction, readonly Layer[]>> = {
  shutdown: ['service', 'server'],
  restart: ['server', 'service'],
};

/**
 * What a run did: for the subject, how many resources it acted on and how many it skipped; for the body,
 * a table per layer of those it acted on, then the ones it skipped, with why.
 */
export function runReport(
  w: Wording,
  context: EmailContext,
  direction: Direction,
): { tally: string; blocks: Block[] } {
  const skipped = context.skipped ?? [];
  const skippedArns = new Set(skipped.map((item) => item.resourceArn));
  const acted = context.resources.filter((resource) => !skippedArns.has(resource.resourceArn));
  return {
    tally: w.tables.tally(
      w.resources(acted.length),
      direction,
      skipped.length > 0 ? w.needAttention(skipped.length) : null,
    ),
    blocks: [
      ...ORDER[direction].map((layer) =>
        resourceTable(w, w.tables.acted(layer, direction), inOrder(acted, [layer])),
      ),
      ...needsAttention(w, skipped, w.tables.missed(direction)),
    ],
  };
}

/** A key's resources before anything stops, as the reactor would stop them. */
export function resourcesAtRisk(w: Wording, resources: readonly EmailResource[], alertOnly: boolean): Block {
  return resourceTable(w, alertOnly ? w.tables.atRiskAlertOnly : w.tables.atRisk, servicesFirst(resources));
}

/** The order the reactor stops in: services, then the servers that run them. */
export function servicesFirst(resources: readonly EmailResource[]): EmailResource[] {
  return inOrder(resources, ['service', 'server']);
}

export function resourceTable(w: Wording, caption: string, resources: readonly EmailResource[]): Block {
  if (resources.length === 0) return paragraph(w.tables.none(caption));
  return {
    kind: 'table',
    caption,
    columns: w.tables.resourceColumns,
    rows: resources.map((resource) => [
      w.tables.layers[resource.layer],
      resource.kind,
      resourceIdOf(resource.resourceArn),
      resource.resourceArn,
    ]),
  };
}

function needsAttention(w: Wording, skipped: Skipped, introduction: string): Block[] {
  if (skipped.length === 0) return [];
  return [
    heading(w.tables.needsAttention),
    paragraph(introduction),
    {
      kind: 'table',
      caption: w.tables.skipped,
      columns: w.tables.skippedColumns,
      rows: skipped.map((item) => [resourceIdOf(item.resourceArn), item.resourceArn, item.reason]),
    },
  ];
}

function inOrder(resources: readonly EmailResource[], layers: readonly Layer[]): EmailResource[] {
  return layers.flatMap((layer) => resources.filter((resource) => resource.layer === layer));
}

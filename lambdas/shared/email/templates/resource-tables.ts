/** The tables of resources the emails list, in the order the reactor acts on them. */

import { resourceIdOf } from '../../arn';
import type { Layer } from '../../model';
import { type Block, heading, paragraph } from '../blocks';
import type { EmailContext, EmailResource } from '../types';
import { count, needAttention } from '../wording';

type Skipped = NonNullable<EmailContext['skipped']>;

const LAYER_TITLE: Readonly<Record<Layer, string>> = { service: 'Services', server: 'Servers' };

/** How a run's email words what the run did, and in which order it did it. */
interface Run {
  /** As the tables say it: `Services stopped`. */
  readonly done: string;
  /** As the subject counts it: `2 resources restarted`. */
  readonly tally: string;
  /** The layers, in the order the run acted on them. */
  readonly order: readonly Layer[];
  /** What the reactor failed to do to the resources under "Needs attention": `did not stop`. */
  readonly missed: string;
}

const RUNS: Readonly<Record<'shutdown' | 'restart', Run>> = {
  shutdown: { done: 'stopped', tally: 'stopped', order: ['service', 'server'], missed: 'did not stop' },
  restart: { done: 'started', tally: 'restarted', order: ['server', 'service'], missed: 'could not start' },
};

/**
 * What a run did: for the subject, how many resources it acted on and how many it skipped; for the body,
 * a table per layer of those it acted on, then the ones it skipped, with why.
 */
export function runReport(
  context: EmailContext,
  direction: keyof typeof RUNS,
): { tally: string; blocks: Block[] } {
  const run = RUNS[direction];
  const skipped = context.skipped ?? [];
  const skippedArns = new Set(skipped.map((item) => item.resourceArn));
  const acted = context.resources.filter((resource) => !skippedArns.has(resource.resourceArn));
  return {
    tally:
      `${count(acted.length, 'resource')} ${run.tally}` +
      (skipped.length > 0 ? `, ${needAttention(skipped.length)}` : ''),
    blocks: [
      ...run.order.map((layer) =>
        resourceTable(`${LAYER_TITLE[layer]} ${run.done}`, inOrder(acted, [layer])),
      ),
      ...needsAttention(skipped, `The reactor ${run.missed} these resources. Check each one yourself:`),
    ],
  };
}

/** A key's resources before anything stops, as the reactor would stop them. */
export function resourcesAtRisk(resources: readonly EmailResource[], alertOnly: boolean): Block {
  return resourceTable(
    alertOnly ? 'Resources that depend on the key' : 'Resources that will stop, in order',
    servicesFirst(resources),
  );
}

/** The order the reactor stops in: services, then the servers that run them. */
export function servicesFirst(resources: readonly EmailResource[]): EmailResource[] {
  return inOrder(resources, ['service', 'server']);
}

export function resourceTable(caption: string, resources: readonly EmailResource[]): Block {
  if (resources.length === 0) return paragraph(`${caption}: none.`);
  return {
    kind: 'table',
    caption,
    columns: ['Layer', 'Kind', 'Name', 'ARN'],
    rows: resources.map((resource) => [
      resource.layer,
      resource.kind,
      resourceIdOf(resource.resourceArn),
      resource.resourceArn,
    ]),
  };
}

function needsAttention(skipped: Skipped, introduction: string): Block[] {
  if (skipped.length === 0) return [];
  return [
    heading('Needs attention'),
    paragraph(introduction),
    {
      kind: 'table',
      caption: 'Resources the reactor did not act on',
      columns: ['Name', 'ARN', 'Why'],
      rows: skipped.map((item) => [resourceIdOf(item.resourceArn), item.resourceArn, item.reason]),
    },
  ];
}

function inOrder(resources: readonly EmailResource[], layers: readonly Layer[]): EmailResource[] {
  return layers.flatMap((layer) => resources.filter((resource) => resource.layer === layer));
}

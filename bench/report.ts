import type { CostBreakdown, CostReport } from './cost';
import type { BaselineCycle, CycleName, Scenario } from './figures';
import type { BenchReport } from './harness';
import type { Spread } from './metrics';

/**
 * The printed tables of `npm run bench`: one row per scenario and cycle with {min, median, max} for
 * the reactor and both baselines, then where the reactor's time went, the bundles, the targets and
 * the cost.
 */

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`);
/** median (min–max), or the median alone when there was one round. */
const spread = (value: Spread | undefined, format: (n: number) => string = ms): string =>
  value === undefined
    ? '-'
    : value.min === value.max
      ? format(value.median)
      : `${format(value.median)} (${format(value.min)}–${format(value.max)})`;
const times = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '-' : `${value.toFixed(2)}x`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const count = (n: number): string => n.toLocaleString('en-US');
const usd = (value: number): string =>
  value === 0 ? '$0' : value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;

function cycleRow(scenario: Scenario, cycle: CycleName): string[] {
  const reactor = scenario.reactor[cycle];
  const naive: BaselineCycle | undefined = scenario.naive?.[cycle];
  const batched: BaselineCycle | undefined = scenario.batched?.[cycle];
  const wall = (side: 'naive' | 'batched') =>
    cycle === 'disable' ? scenario.ratios[side]?.disableWall : scenario.ratios[side]?.enableWall;
  const converged = [reactor, batched, naive]
    .map((side) => (side === undefined ? '-' : side.converged ? 'y' : 'NO'))
    .join('/');
  return [
    `${scenario.name} ${cycle}`,
    count(scenario.resources),
    String(scenario.rounds),
    spread(reactor.wallMs),
    spread(batched?.wallMs),
    times(wall('batched')),
    spread(naive?.wallMs),
    times(wall('naive')),
    String(reactor.transitions.max.median),
    String(reactor.taskInvocations.max.median),
    [reactor, batched, naive].map((side) => (side ? count(side.awsCalls.total.median) : '-')).join(' / '),
    [reactor, batched, naive].map((side) => (side ? count(side.throttled.total.median) : '-')).join(' / '),
    converged,
  ];
}

function costTable(cost: CostReport): string[] {
  const parts: string[] = [];
  parts.push(
    table(
      ['price (us-east-1)', 'USD', 'per', 'source'],
      cost.prices.map((price) => [
        price.item,
        `$${price.usd}`,
        `${count(price.per)} ${price.unit}`,
        price.source,
      ]),
    ),
  );
  const columns = (breakdown: CostBreakdown) => [
    usd(breakdown.stepFunctions),
    usd(breakdown.lambdaRequests + breakdown.lambdaDuration),
    usd(breakdown.dynamodb),
    usd(breakdown.kms),
    usd(breakdown.ses + breakdown.sns + breakdown.eventBridge),
    usd(breakdown.total),
  ];
  const head = ['Step Functions', 'Lambda', 'DynamoDB', 'KMS', 'SES+SNS+EB', 'total'];
  parts.push('');
  parts.push(
    table(
      ['one key, disable + enable', 'resources/key', ...head],
      cost.cycles.map((cycle) => [
        cycle.scenario,
        count(cycle.resourcesPerKey),
        ...columns(cycle.perKeyCycle),
      ]),
    ),
  );
  if (cost.sweep) {
    parts.push('');
    parts.push(
      table(
        [`sweep, every ${cost.settings.sweepMinutes} min, a month`, 'runs', ...head],
        cost.sweep.costs.map((sweep) => [
          `${count(sweep.keys)} keys`,
          count(sweep.runsPerMonth),
          ...columns(sweep.perMonth),
        ]),
      ),
    );
    parts.push(`(scaled per key from the sweep measured on ${cost.sweep.measuredOn})`);
  }
  return parts;
}

export function formatReport(report: BenchReport): string {
  const { settings, machine } = report;
  const parts: string[] = [];
  parts.push(
    `Grace 0 s, poll wait ${settings.pollMs} ms, added latency ${settings.latencyMs} ms, ${settings.modelledClock ? 'modelled' : 'wall'} clock; ` +
      `${settings.repeats} repeats (${settings.roundsPolicy}); naive baseline up to ${count(settings.naiveUpTo)} resources. ` +
      `${settings.mix}; K scenarios: ${settings.smallFleet.services} service, ${settings.smallFleet.instances} instances, ${settings.smallFleet.databases} database per key. ` +
      `Node ${machine.node}, ${machine.cpus} CPUs, load average ${machine.loadAverage.before} before, ${machine.loadAverage.after} after.`,
  );
  parts.push('Times: median (min–max) over the rounds; ratios: reactor median ÷ baseline median, same run.');
  parts.push('');
  parts.push(
    table(
      [
        'scenario',
        'resources',
        'rounds',
        'reactor',
        'batched',
        'ratio',
        'naive',
        'ratio',
        'transitions/exec',
        'lambda/exec',
        'calls r/b/n',
        'throttled r/b/n',
        'converged r/b/n',
      ],
      report.scenarios.flatMap((scenario) => [cycleRow(scenario, 'disable'), cycleRow(scenario, 'enable')]),
    ),
  );
  parts.push('');
  parts.push(
    table(
      [
        'reactor disable',
        'order',
        'time waiting for AWS, summed over calls (median round): the largest three',
      ],
      report.scenarios.map((scenario) => [
        scenario.name,
        scenario.sequence.slice(0, 3).join(', ') + (scenario.sequence.length > 3 ? ', ...' : ''),
        Object.entries(scenario.reactor.disable.callTime)
          .slice(0, 3)
          .map(([operation, time]) => `${operation} ${time.calls} calls ${ms(time.ms)}`)
          .join(', '),
      ]),
    ),
  );
  if (report.bundles.length > 0) {
    parts.push('');
    parts.push(
      table(
        ['bundle', 'minified', 'init (median)', 'runs'],
        report.bundles.map((bundle) => [
          bundle.function,
          kib(bundle.bytes),
          `${bundle.initMs.median.toFixed(0)} ms`,
          bundle.initMs.runs.map((run) => run.toFixed(0)).join(' '),
        ]),
      ),
    );
  }
  parts.push('');
  parts.push(
    table(
      ['target', 'limit', 'actual', 'met'],
      report.targets.map((target) => [
        target.target,
        String(target.limit),
        target.actual === null ? 'not measured' : String(target.actual),
        target.met ? 'yes' : 'NO',
      ]),
    ),
  );
  parts.push('');
  parts.push(...costTable(report.cost));
  parts.push('');
  // Modelled runs: what each scenario cost in real time, to budget a run, beside the time it modelled.
  const spans = report.scenarios.map((s) => `${s.name} ${ms(s.realMs)} real / ${ms(s.modelledMs)} modelled`);
  parts.push(`Scenarios: ${spans.join(', ')}.`);
  parts.push(`Total ${ms(report.totalMs)} real.`);
  return parts.join('\n');
}

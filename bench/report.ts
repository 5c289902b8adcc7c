import type { BaselineCycle, BenchReport, ReactorCycle, Scenario } from './harness';

/** The printed tables of `npm run bench`: one row per scenario and cycle, then bundles, then targets. */

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
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
const times = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '-' : `${value.toFixed(2)}x`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

/** The few operations that say most: the three most frequent. */
function topCalls(byOperation: Record<string, number>): string {
  return Object.entries(byOperation)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([operation, count]) => `${operation.replace(/^DynamoDB/, 'DDB')} ${count}`)
    .join(', ');
}

function cycleRows(scenario: Scenario, cycle: 'disable' | 'enable'): string[][] {
  const reactor: ReactorCycle = scenario.reactor[cycle];
  const baseline: BaselineCycle | undefined = scenario.baseline?.[cycle];
  const label = `${scenario.name} ${cycle}`;
  const wallRatio = cycle === 'disable' ? scenario.ratio?.disableWall : scenario.ratio?.enableWall;
  const callRatio = cycle === 'disable' ? scenario.ratio?.disableCalls : scenario.ratio?.enableCalls;
  return [
    [
      label,
      String(scenario.resources),
      ms(reactor.wallMs),
      baseline ? ms(baseline.wallMs) : '-',
      times(wallRatio),
      `${reactor.transitions.max}`,
      `${reactor.taskInvocations.max}`,
      `${reactor.historyEvents.max}`,
      String(reactor.awsCalls.total),
      baseline ? String(baseline.awsCalls.total) : '-',
      times(callRatio),
      topCalls(reactor.awsCalls.byOperation),
    ],
  ];
}

export function formatReport(report: BenchReport): string {
  const parts: string[] = [];
  parts.push(
    `Grace period 0 s, poll wait ${report.settings.pollMs} ms, added latency per AWS call ${report.settings.latencyMs} ms; ${report.settings.mix}; ` +
      `K scenarios: ${report.settings.smallFleet.services} service, ${report.settings.smallFleet.instances} instances, ` +
      `${report.settings.smallFleet.databases} database per key. Node ${report.machine.node}, ${report.machine.cpus} CPUs, load average ${report.machine.loadAverage.before} before, ${report.machine.loadAverage.after} after.`,
  );
  parts.push('');
  parts.push(
    table(
      [
        'scenario',
        'resources',
        'reactor',
        'baseline',
        'ratio',
        'transitions/exec',
        'lambda/exec',
        'history/exec',
        'calls',
        'base calls',
        'ratio',
        'most calls (reactor)',
      ],
      report.scenarios.flatMap((scenario) => [
        ...cycleRows(scenario, 'disable'),
        ...cycleRows(scenario, 'enable'),
      ]),
    ),
  );
  parts.push('');
  parts.push(
    table(
      ['reactor disable', 'wall', 'time waiting for AWS (moto), summed over calls: the largest three'],
      report.scenarios.map((scenario) => [
        scenario.name,
        ms(scenario.reactor.disable.wallMs),
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
        ['bundle', 'minified', 'init (median)', 'runs', 'largest parts'],
        report.bundles.map((bundle) => [
          bundle.function,
          kib(bundle.bytes),
          `${bundle.initMs.median.toFixed(0)} ms`,
          bundle.initMs.runs.map((run) => run.toFixed(0)).join(' '),
          bundle.largest.map((part) => `${part.module} ${kib(part.bytes)}`).join(', '),
        ]),
      ),
    );
  }
  if (report.targets.length > 0) {
    parts.push('');
    parts.push(
      table(
        ['target', 'limit', 'actual', 'met'],
        report.targets.map((target) => [
          target.target,
          String(target.limit),
          String(target.actual),
          target.met ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  parts.push('');
  parts.push(`Total ${ms(report.totalMs)}.`);
  return parts.join('\n');
}

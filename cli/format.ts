import { resourceIdOf } from '../lambdas/shared/arn';

/** Columns padded to their widest cell, two spaces apart, the last one unpadded. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** `10 minutes`, `1 hour 30 minutes`, `45 seconds`, `0 seconds`. */
export function duration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    ...(hours > 0 ? [plural(hours, 'hour')] : []),
    ...(minutes > 0 ? [plural(minutes, 'minute')] : []),
    ...(rest > 0 ? [plural(rest, 'second')] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
}

/** The short name of a resource: its instance ID, DB identifier or service name. */
export const nameOf = resourceIdOf;

/** A time in UTC to the second, `2026-11-22T15:22:33Z`, or `-` when there is none. */
export function utcTime(value?: string | Date): string {
  return value === undefined || value === '' ? '-' : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Step Functions console page of an execution. */
export function consoleLink(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: 'en (English)', ja: 'ja (Japanese)' };

/** The policy in one phrase each: what happens, after how long, to whom the emails go. */
export function policyLines(
  policy: {
    readonly action: string;
    readonly onAccessDenied: string;
    readonly graceSeconds?: number;
    readonly administrators: readonly string[];
    readonly language: string;
  },
  deployedGraceSeconds?: number,
): { action: string; accessDenied: string; grace: string; administrators: string; language: string } {
  const grace =
    policy.graceSeconds !== undefined
      ? `${duration(policy.graceSeconds)} (the key's own)`
      : deployedGraceSeconds !== undefined
        ? `${duration(deployedGraceSeconds)} (the deployed default)`
        : 'the deployed default';
  return {
    action:
      policy.action === 'alert-only'
        ? 'alert-only (nothing stops; the administrators are emailed)'
        : 'shutdown (services, then servers, stop after the grace period)',
    accessDenied:
      policy.onAccessDenied === 'alert-only'
        ? 'alert-only (revoked access only emails)'
        : 'shutdown (revoked access, once confirmed, stops the resources)',
    grace,
    administrators:
      policy.administrators.length > 0
        ? policy.administrators.join(', ')
        : 'none (only the operators are emailed)',
    language: LANGUAGE_NAMES[policy.language] ?? policy.language,
  };
}

const LAYER_ORDER = ['service', 'server'];

/** Services first (the order they stop in), then by kind, then by ARN. */
export function byStopOrder<
  T extends { readonly layer: string; readonly kind: string; readonly resourceArn: string },
>(resources: readonly T[]): T[] {
  return [...resources].sort(
    (a, b) =>
      LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) ||
      a.kind.localeCompare(b.kind) ||
      a.resourceArn.localeCompare(b.resourceArn),
  );
}

/** The AWS CLI command that puts the managed tag on a resource. */
export function tagCommand(kind: string, resourceArn: string, tag: { key: string; value: string }): string {
  switch (kind) {
    case 'ec2-instance':
      return `aws ec2 create-tags --resources ${nameOf(resourceArn)} --tags Key=${tag.key},Value=${tag.value}`;
    case 'ecs-service':
      return `aws ecs tag-resource --resource-arn ${resourceArn} --tags key=${tag.key},value=${tag.value}`;
    case 'rds-instance':
    case 'rds-cluster':
      return `aws rds add-tags-to-resource --resource-name ${resourceArn} --tags Key=${tag.key},Value=${tag.value}`;
    case 'autoscaling-group':
      return (
        `aws autoscaling create-or-update-tags --tags ResourceId=${nameOf(resourceArn)},ResourceType=auto-scaling-group,` +
        `Key=${tag.key},Value=${tag.value},PropagateAtLaunch=false`
      );
    default:
      return `tag ${resourceArn} with ${tag.key}=${tag.value}`;
  }
}

/** The LAYER, KIND, NAME, STATE table of a key's resources, as register and status print it. */
export function resourceTable(
  resources: readonly { readonly layer: string; readonly kind: string; readonly resourceArn: string }[],
  stateOf: (resourceArn: string) => string,
): string[] {
  return table(
    ['LAYER', 'KIND', 'NAME', 'STATE'],
    resources.map((resource) => [
      resource.layer,
      resource.kind,
      nameOf(resource.resourceArn),
      stateOf(resource.resourceArn),
    ]),
  );
}

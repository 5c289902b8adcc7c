import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_MANAGED_TAG, ENV } from '../lambdas/shared/contract';
import { KeyLifecycleReactor, type ManagedTag } from './key-lifecycle-reactor';

/** What a deploy passes for the two settings with no default, shown when either is missing. */
const REQUIRED_SETTINGS_EXAMPLE =
  '-c senderAddress=reactor@platform.example -c operatorAddresses=ops@platform.example,oncall@platform.example';

/**
 * The deployable stack: reads the operator's settings from CDK context (cdk.json or `-c name=value`)
 * and configures one KeyLifecycleReactor with them.
 */
export class KeyLifecycleReactorStack extends Stack {
  public readonly reactor: KeyLifecycleReactor;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description:
        'Key-lifecycle reactor: stops the resources that depend on a customer KMS key when it becomes unusable, and restarts them when it returns',
      ...props,
    });

    // cfn-lint W3005: the CDK gives each function and state machine a DependsOn on its role beside the
    // GetAtt of the role's ARN (it needs the DependsOn for the role's policy). Redundant, and harmless.
    this.templateOptions.metadata = { 'cfn-lint': { config: { ignore_checks: ['W3005'] } } };

    const context = new ContextReader(this);
    // Both at once, before anything else: a deploy must not go out with a placeholder address, and one
    // message naming both options saves a second failed run.
    context.requireAll(
      ['senderAddress', 'operatorAddresses'],
      `npx cdk deploy ${id} ${REQUIRED_SETTINGS_EXAMPLE}`,
    );
    const managedTagKey = context.optionalString('managedTagKey');
    const managedTagValue = context.optionalString('managedTagValue');
    const managedTag: ManagedTag | undefined =
      managedTagKey === undefined && managedTagValue === undefined
        ? undefined
        : {
            key: managedTagKey ?? DEFAULT_MANAGED_TAG.key,
            value: managedTagValue ?? DEFAULT_MANAGED_TAG.value,
          };
    const gracePeriodMinutes = context.optionalNumber('gracePeriodMinutes');
    const sweepMinutes = context.optionalNumber('sweepMinutes');
    const warningDays = context.optionalList('warningDays')?.map(Number);

    this.reactor = new KeyLifecycleReactor(this, 'Reactor', {
      senderAddress: context.requiredString('senderAddress', 'reactor@platform.example'),
      operatorAddresses: context.requiredList(
        'operatorAddresses',
        'ops@platform.example,oncall@platform.example',
      ),
      gracePeriod:
        gracePeriodMinutes === undefined ? undefined : Duration.seconds(Math.round(gracePeriodMinutes * 60)),
      managedTag,
      allowedAccounts: context.optionalList('allowedAccounts'),
      allowedOrganizationId: context.optionalString('allowedOrganization'),
      sweepInterval: sweepMinutes === undefined ? undefined : Duration.seconds(Math.round(sweepMinutes * 60)),
      warningDays,
      breakerKeys: context.optionalNumber('breakerKeys'),
      customerEvents: context.optionalBoolean('customerEvents'),
    });

    // What the operators' CLI (npx key-reactor) needs, and where to look: see the README's CLI section.
    const outputs = {
      TableName: [
        this.reactor.table.tableName,
        `The reactor table: ${ENV.tableName} (or --table) for the CLI`,
      ],
      DisableStateMachineArn: [
        this.reactor.stateMachines.disable.stateMachineArn,
        `The key-disabled workflow: ${ENV.disableStateMachineArn} for the CLI`,
      ],
      EnableStateMachineArn: [
        this.reactor.stateMachines.enable.stateMachineArn,
        `The key-enabled workflow: ${ENV.enableStateMachineArn} for the CLI`,
      ],
      DashboardName: [this.reactor.dashboard.dashboardName, 'The CloudWatch dashboard'],
      DeadLetterQueueUrl: [
        this.reactor.deadLetterQueue.queueUrl,
        'Events that could not be dispatched: docs/operating.md says how to redrive them',
      ],
      DispatcherFunctionName: [
        this.reactor.functions.Dispatcher.functionName,
        'The dispatcher, which a redrive invokes with each dead-lettered event',
      ],
      PlatformBusArn: [
        this.reactor.platformBus.bus.eventBusArn,
        "Give this to customers: their CustomerForwarderStack's platformBusArn",
      ],
    } as const;
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

/** A CDK context value is missing or malformed: lib/app.ts prints the message alone and fails the synth. */
export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

/** Reads context values that may come from cdk.json (typed JSON) or from `-c name=value` (always strings). Shared by the stacks. */
export class ContextReader {
  constructor(private readonly scope: Construct) {}

  private raw(name: string): unknown {
    const value: unknown = this.scope.node.tryGetContext(name);
    return typeof value === 'string' && value.trim() === '' ? undefined : value;
  }

  private missing(name: string, example: string): ContextError {
    return new ContextError(
      `Missing CDK context "${name}". Pass it on the command line, for example: npx cdk synth -c ${name}=${example} ` +
        '(or set it under "context" in cdk.json).',
    );
  }

  /** Fails with one message naming every missing value among `names`, and the command line that sets them. */
  requireAll(names: readonly string[], commandLine: string): void {
    const missing = names.filter((name) => {
      const value = this.raw(name);
      return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    });
    if (missing.length === 0) return;
    throw new ContextError(
      `Missing CDK context ${missing.map((name) => `"${name}"`).join(' and ')}: there is no default address. ` +
        `Pass ${missing.length > 1 ? 'them' : 'it'} on the command line, for example: ${commandLine} (docs/deploying.md)`,
    );
  }

  requiredString(name: string, example: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw this.missing(name, example);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new ContextError(`CDK context "${name}" must be a string, got ${JSON.stringify(value)}.`);
    }
    return value.trim();
  }

  /** `true` or `false`, as JSON or as a string. */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new Error(`CDK context "${name}" must be true or false, got ${JSON.stringify(value)}.`);
  }

  /** A comma-separated string (`a@x.com,b@x.com`), a JSON array in a string, or a JSON array. */
  requiredList(name: string, example: string): string[] {
    const value = this.optionalList(name);
    if (value === undefined || value.length === 0) throw this.missing(name, example);
    return value;
  }

  optionalList(name: string): string[] | undefined {
    let value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && value.trim().startsWith('[')) {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        throw new ContextError(`CDK context "${name}" looks like a JSON array but does not parse: ${value}`);
      }
    }
    const items = typeof value === 'string' ? value.split(',') : value;
    if (
      !Array.isArray(items) ||
      !items.every((item) => typeof item === 'string' || typeof item === 'number')
    ) {
      throw new ContextError(
        `CDK context "${name}" must be a comma-separated string or a JSON array of strings, got ${JSON.stringify(value)}.`,
      );
    }
    return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
  }

  /** A number or a numeric string (`-c gracePeriodMinutes=10`). */
  optionalNumber(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    const number =
      typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
    if (!Number.isFinite(number)) {
      throw new ContextError(
        `CDK context "${name}" must be a number, got ${JSON.stringify(value)} (for example -c ${name}=10).`,
      );
    }
    return number;
  }
}

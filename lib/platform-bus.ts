import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PlatformEventBusProps {
  /**
   * The customer accounts whose forwarders may put events on the bus (12-digit IDs). No other account
   * may; the dispatcher refuses events from any other account as well, should one arrive.
   */
  readonly customerAccounts: readonly string[];
  /**
   * An AWS Organization whose accounts may all put events on the bus (`aws:PrincipalOrgID`), for
   * platforms whose customers' accounts are in one organization. The dispatcher then leaves the account
   * check to this policy.
   * @default - no organization: only `customerAccounts`
   */
  readonly organizationId?: string;
  /**
   * @default 'key-lifecycle-reactor'
   */
  readonly eventBusName?: string;
  /**
   * How long the bus keeps the KMS events it received, so missed ones can be replayed.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}

/**
 * The bus that customer accounts forward their KMS events to (see CustomerKeyForwarder): in BYOK the
 * key's events land in the customer's account. Its resource policy admits only the listed accounts, and
 * the organization if one is given.
 */
export class PlatformEventBus extends Construct {
  public readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: PlatformEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName ?? 'key-lifecycle-reactor',
    });
    this.bus.archive('KmsEvents', {
      description: 'KMS events received from customer accounts, for replay',
      eventPattern: { source: ['aws.kms'] },
      retention: props.archiveRetention ?? Duration.days(30),
    });
    for (const account of new Set(props.customerAccounts)) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: Token.isUnresolved(account) ? undefined : `CustomerAccount${account}`,
          principals: [new iam.AccountPrincipal(account)],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
        }),
      );
    }
    if (props.organizationId !== undefined) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CustomerOrganization',
          principals: [new iam.StarPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        }),
      );
    }
  }
}

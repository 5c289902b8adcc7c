import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SESClient,
} from '@aws-sdk/client-ses';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsOptions, awsClient } from '../../lambdas/shared/aws';
import { explain } from '../errors';
import { type CheckResult, ok, problem } from './check';

/** The account and Region the credentials resolve to, once the credentials check has passed. */
export interface AwsPlace {
  readonly account: string;
  readonly region: string;
}

/** SES's sandbox allows 200 messages a day; an account with production access gets more. */
const SES_SANDBOX_DAILY_QUOTA = 200;

const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET)\b/;

/**
 * The CLI's one-line explanation of an AWS error. The SDK wraps a refused connection in an error whose
 * message alone names it ("AWS SDK error wrapper for Error: connect ECONNREFUSED ..."): said plainly.
 */
function oneLine(error: unknown, aws: AwsOptions): string {
  const unreachable = UNREACHABLE.exec((error as Error | undefined)?.message ?? '');
  if (unreachable) return `cannot reach AWS${aws.endpoint ? ` at ${aws.endpoint}` : ''}: ${unreachable[1]}`;
  return explain(error, { region: aws.region, endpoint: aws.endpoint }).message;
}

/** STS GetCallerIdentity: the credentials work, and for which account and Region. */
export async function checkCredentials(aws: AwsOptions): Promise<{ result: CheckResult; place?: AwsPlace }> {
  const check = 'AWS credentials';
  const sts = awsClient(STSClient, aws);
  try {
    const region = await sts.config.region();
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const account = identity.Account ?? '?';
    return {
      result: ok(check, `${identity.Arn ?? 'someone'} in account ${account}, Region ${region}`),
      place: { account, region },
    };
  } catch (error) {
    return {
      result: problem(
        check,
        'fail',
        oneLine(error, aws),
        'configure credentials (aws configure, aws sso login, or AWS_PROFILE) and a Region (--region or AWS_REGION)',
      ),
    };
  }
}

const FAILED_STACK = /FAILED|ROLLBACK_COMPLETE|DELETE/;

/** CloudFormation DescribeStacks CDKToolkit: `cdk deploy` needs the bootstrap stack in the Region. */
export async function checkBootstrap(aws: AwsOptions, place: AwsPlace): Promise<CheckResult> {
  const check = 'CDK bootstrap';
  const fix = `npx cdk bootstrap aws://${place.account}/${place.region}`;
  try {
    const { Stacks } = await awsClient(CloudFormationClient, aws).send(
      new DescribeStacksCommand({ StackName: 'CDKToolkit' }),
    );
    const stack = Stacks?.[0];
    const status = stack?.StackStatus ?? 'unknown';
    if (FAILED_STACK.test(status)) return problem(check, 'fail', `the CDKToolkit stack is ${status}`, fix);
    const version = stack?.Outputs?.find((output) => output.OutputKey === 'BootstrapVersion')?.OutputValue;
    return ok(check, `CDKToolkit ${status}${version ? `, bootstrap version ${version}` : ''}`);
  } catch (error) {
    const missing = /does not exist/.test((error as Error).message ?? '');
    return problem(
      check,
      'fail',
      missing ? `no CDKToolkit stack in ${place.region}` : oneLine(error, aws),
      fix,
    );
  }
}

/** SES GetIdentityVerificationAttributes: the sender, or its domain, verified in the Region. */
export async function checkSesIdentity(
  aws: AwsOptions,
  place: AwsPlace,
  sender: string | undefined,
): Promise<CheckResult> {
  const check = 'SES sender';
  if (!sender) {
    return problem(
      check,
      'skip',
      'no sender address given',
      'pass --sender <address>, the -c senderAddress you deploy with',
    );
  }
  const domain = sender.slice(sender.lastIndexOf('@') + 1);
  const verify = `aws ses verify-email-identity --email-address ${sender} --region ${place.region}, then open the link SES emails`;
  try {
    const { VerificationAttributes = {} } = await awsClient(SESClient, aws).send(
      new GetIdentityVerificationAttributesCommand({ Identities: [sender, domain] }),
    );
    const statusOf = (identity: string) => VerificationAttributes[identity]?.VerificationStatus;
    if (statusOf(sender) === 'Success') return ok(check, `${sender} is verified in ${place.region}`);
    if (statusOf(domain) === 'Success')
      return ok(check, `${sender}'s domain ${domain} is verified in ${place.region}`);
    const status = statusOf(sender) ?? statusOf(domain);
    return problem(
      check,
      'fail',
      status
        ? `${sender} is ${status} in ${place.region}, not verified`
        : `neither ${sender} nor ${domain} is an SES identity in ${place.region}`,
      status === 'Pending' ? `open the link SES emailed to ${sender}` : verify,
    );
  } catch (error) {
    return problem(check, 'fail', oneLine(error, aws), verify);
  }
}

/** SES GetSendQuota: in the sandbox, SES delivers only to verified recipients. */
export async function checkSesSandbox(aws: AwsOptions, place: AwsPlace): Promise<CheckResult> {
  const check = 'SES production access';
  try {
    const quota = await awsClient(SESClient, aws).send(new GetSendQuotaCommand({}));
    const daily = quota.Max24HourSend ?? 0;
    if (daily > SES_SANDBOX_DAILY_QUOTA) return ok(check, `production access: ${daily} messages a day`);
    return problem(
      check,
      'warn',
      `SES is in the sandbox in ${place.region} (${daily} messages a day): it delivers only to verified recipients`,
      `request production access: SES console, Account dashboard, "Request production access" (${place.region})`,
    );
  } catch (error) {
    return problem(check, 'fail', oneLine(error, aws), 'allow ses:GetSendQuota, or check SES in the console');
  }
}

/**
 * Whether a trail's selectors log management write events, KMS's among them. A trail created without
 * selectors logs every management event (CloudTrail's default), and some answer with no selector then.
 */
function logsKmsWrites(selectors: GetEventSelectorsCommandOutput): boolean {
  if (!selectors.EventSelectors?.length && !selectors.AdvancedEventSelectors?.length) return true;
  const basic = (selectors.EventSelectors ?? []).some(
    (selector) =>
      selector.IncludeManagementEvents !== false &&
      selector.ReadWriteType !== 'ReadOnly' &&
      !(selector.ExcludeManagementEventSources ?? []).includes('kms.amazonaws.com'),
  );
  const advanced = (selectors.AdvancedEventSelectors ?? []).some((selector) => {
    const field = (name: string) => selector.FieldSelectors?.find((each) => each.Field === name);
    return (
      (field('eventCategory')?.Equals ?? []).includes('Management') &&
      !(field('readOnly')?.Equals ?? []).includes('true') &&
      !(field('eventSource')?.NotEquals ?? []).includes('kms.amazonaws.com')
    );
  });
  return basic || advanced;
}

interface TrailState {
  readonly name: string;
  readonly logging: boolean;
  readonly management: boolean;
}

async function trailState(cloudtrail: CloudTrailClient, trail: Trail): Promise<TrailState> {
  const id = trail.TrailARN ?? trail.Name ?? '';
  const [status, selectors] = await Promise.all([
    cloudtrail.send(new GetTrailStatusCommand({ Name: id })),
    cloudtrail.send(new GetEventSelectorsCommand({ TrailName: id })),
  ]);
  return { name: trail.Name ?? id, logging: status.IsLogging === true, management: logsKmsWrites(selectors) };
}

/**
 * CloudTrail: EventBridge gets `AWS API Call via CloudTrail` events only from a trail that is logging
 * management events in the Region (a multi-Region trail counts).
 */
export async function checkCloudTrail(aws: AwsOptions, place: AwsPlace): Promise<CheckResult> {
  const check = 'CloudTrail';
  const create =
    `aws cloudtrail create-trail --name key-reactor --s3-bucket-name <bucket> --is-multi-region-trail --region ${place.region}` +
    ' && aws cloudtrail start-logging --name key-reactor';
  try {
    const cloudtrail = awsClient(CloudTrailClient, aws);
    const { trailList = [] } = await cloudtrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: true }),
    );
    const inRegion = trailList.filter(
      (trail) => trail.IsMultiRegionTrail || trail.HomeRegion === place.region,
    );
    const states = await Promise.all(inRegion.map((trail) => trailState(cloudtrail, trail)));
    const good = states.find((state) => state.logging && state.management);
    if (good) return ok(check, `trail ${good.name} logs management events in ${place.region}`);
    const stopped = states.find((state) => state.management);
    if (stopped) {
      return problem(
        check,
        'fail',
        `trail ${stopped.name} is not logging`,
        `aws cloudtrail start-logging --name ${stopped.name}`,
      );
    }
    return problem(
      check,
      'fail',
      states.length > 0
        ? `no trail logs management write events in ${place.region} (${states.map((state) => state.name).join(', ')} do not)`
        : `no trail covers ${place.region}: only the native KMS events would reach the reactor`,
      states.length > 0
        ? `log management events: aws cloudtrail put-event-selectors --trail-name ${states[0]?.name} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`
        : create,
    );
  } catch (error) {
    return problem(check, 'fail', oneLine(error, aws), create);
  }
}

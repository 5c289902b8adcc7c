import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import type { CheckResult } from '../../cli/doctor/check';
import { run } from '../../cli/main';
import { SANDBOX_CREDENTIALS } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// `key-reactor doctor` in-process against moto: a set-up account passes, and each missing piece is
// reported with its fix and makes doctor exit 1. Node's check depends on the machine, so it is left out.

const REGION = 'us-east-1';
const SENDER = 'reactor@platform.example';
const BUCKET = 'key-reactor-trail';

interface Report {
  readonly ok: boolean;
  readonly checks: CheckResult[];
}

describe('key-reactor doctor', () => {
  let endpoint: string;
  const client = <C>(Client: new (config: object) => C) =>
    new Client({ endpoint, region: REGION, credentials: SANDBOX_CREDENTIALS });

  async function doctor(...extra: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(
      ['doctor', '--sender', SENDER, ...extra],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
      { AWS_ENDPOINT_URL: endpoint, AWS_REGION: REGION, PATH: process.env.PATH },
    );
    return { code, stdout, stderr };
  }

  /** The report as `--json` gives it, each check by name, Node's left out. */
  async function report(): Promise<{ code: number; ok: boolean; checks: Record<string, CheckResult> }> {
    const result = await doctor('--json');
    const parsed = JSON.parse(result.stdout) as Report;
    const checks = Object.fromEntries(
      parsed.checks.filter((check) => check.check !== 'Node.js').map((check) => [check.check, check]),
    );
    return { code: result.code, ok: parsed.ok, checks };
  }

  /** S3 has no SDK client in this project: the trail's bucket is made with one raw call to moto. */
  async function createBucket(): Promise<void> {
    const response = await fetch(`${endpoint}/${BUCKET}`, {
      method: 'PUT',
      headers: {
        Authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=sandbox`,
      },
    });
    expect(response.ok).toBe(true);
  }

  async function createTrail(): Promise<void> {
    await createBucket();
    await client(CloudTrailClient).send(
      new CreateTrailCommand({ Name: 'org-trail', S3BucketName: BUCKET, IsMultiRegionTrail: true }),
    );
  }

  async function setUpAccount(): Promise<void> {
    await client(CloudFormationClient).send(
      new CreateStackCommand({
        StackName: 'CDKToolkit',
        TemplateBody: JSON.stringify({
          Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: { BootstrapVersion: { Value: '29' } },
        }),
      }),
    );
    await client(SESClient).send(new VerifyEmailIdentityCommand({ EmailAddress: SENDER }));
    await createTrail();
    await client(CloudTrailClient).send(new StartLoggingCommand({ Name: 'org-trail' }));
  }

  beforeEach(async () => {
    endpoint = (await workerMoto()).endpoint;
  });

  it('passes a set-up account, warning that SES is in the sandbox', async () => {
    // Prepare
    await setUpAccount();

    // Act
    const { code, ok, checks } = await report();

    // Assess
    expect({ code, ok }).toEqual({ code: 0, ok: true });
    expect(checks).toEqual({
      moto: expect.objectContaining({ status: 'ok', detail: expect.stringMatching(/^moto 5\./) }),
      'AWS credentials': expect.objectContaining({
        status: 'ok',
        detail: expect.stringMatching(/account 123456789012, Region us-east-1/),
      }),
      'CDK bootstrap': expect.objectContaining({
        status: 'ok',
        detail: 'CDKToolkit CREATE_COMPLETE, bootstrap version 29',
      }),
      'SES sender': expect.objectContaining({ status: 'ok', detail: `${SENDER} is verified in us-east-1` }),
      'SES production access': expect.objectContaining({
        status: 'warn',
        fix: expect.stringMatching(/Request production access/),
      }),
      CloudTrail: expect.objectContaining({
        status: 'ok',
        detail: 'trail org-trail logs management events in us-east-1',
      }),
    });
  });

  it('fails an empty account, printing the fix for each problem', async () => {
    // Act
    const result = await doctor();

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^fail +CDK bootstrap +no CDKToolkit stack in us-east-1\n +fix: npx cdk bootstrap aws:\/\/123456789012\/us-east-1$/m,
    );
    expect(result.stdout).toMatch(
      /^fail +SES sender .*\n +fix: aws ses verify-email-identity --email-address reactor@platform\.example --region us-east-1/m,
    );
    expect(result.stdout).toMatch(
      /^fail +CloudTrail +no trail covers us-east-1.*\n +fix: aws cloudtrail create-trail /m,
    );
    expect(result.stdout).toMatch(/^3 problems to fix, each with its fix above\.$/m);
  });

  it('tells a trail that is not logging, or logs no management events, from a missing one', async () => {
    // Prepare: a trail that has never been started
    await createTrail();

    // Act
    const stopped = (await report()).checks.CloudTrail;

    // Prepare: the trail started, logging data events alone
    await client(CloudTrailClient).send(new StartLoggingCommand({ Name: 'org-trail' }));
    await client(CloudTrailClient).send(
      new PutEventSelectorsCommand({
        TrailName: 'org-trail',
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }],
      }),
    );

    // Act
    const dataOnly = (await report()).checks.CloudTrail;

    // Assess
    expect(stopped).toMatchObject({ status: 'fail', fix: 'aws cloudtrail start-logging --name org-trail' });
    expect(dataOnly).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^no trail logs management write events in us-east-1/),
      fix: expect.stringMatching(
        /^log management events: aws cloudtrail put-event-selectors --trail-name org-trail /,
      ),
    });
  });

  it('skips the AWS checks, each saying why, when the credentials do not work', async () => {
    // Prepare: nothing listens there
    endpoint = 'http://127.0.0.1:9';

    // Act
    const { code, ok, checks } = await report();

    // Assess
    expect({ code, ok }).toEqual({ code: 1, ok: false });
    expect(checks['AWS credentials']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^cannot reach AWS at http:\/\/127\.0\.0\.1:9/),
      fix: expect.stringMatching(/aws configure/),
    });
    expect(
      ['CDK bootstrap', 'SES sender', 'SES production access', 'CloudTrail'].map(
        (name) => checks[name]?.status,
      ),
    ).toEqual(['skip', 'skip', 'skip', 'skip']);
  });
});

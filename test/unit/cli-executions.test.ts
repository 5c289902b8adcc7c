import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { run } from '../../cli/main';

// redrive and the outcome of a failed run, with Step Functions mocked: moto 5.2 implements no
// RedriveExecution, and keeps no error on an execution it did not run.

const sfn = mockClient(SFNClient);

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:key-reactor-disable';
const NAME = 'disable-1234abcd-20261122T152233Z-9e2d7c1b';
const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:key-reactor-disable:${NAME}`;
const ENV = { AWS_REGION: 'us-east-1', DISABLE_STATE_MACHINE_ARN: MACHINE };

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await run(argv, io, ENV);
  return { code, stdout, stderr };
}

beforeEach(() => {
  sfn.reset();
});

describe('key-reactor redrive', () => {
  it('redrives the execution and says it runs again, with its console link', async () => {
    // Prepare
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-22T16:00:00Z') });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', redriveCount: 1 });

    // Act
    const result = await cli('redrive', EXECUTION);
    const json = await cli('--json', 'redrive', EXECUTION);

    // Assess
    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: EXECUTION });
    expect(result).toEqual({
      code: 0,
      stdout:
        `Redrove ${NAME} at 2026-11-22T16:00:00Z: RUNNING again from the step that stopped it (redrive 1).\n` +
        `  https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION}\n`,
      stderr: '',
    });
    expect(JSON.parse(json.stdout)).toEqual({
      executionArn: EXECUTION,
      redriveDate: '2026-11-22T16:00:00.000Z',
      status: 'RUNNING',
      redriveCount: 1,
      console: expect.stringContaining(EXECUTION),
    });
  });

  it('says in one line, exit code 2, why an execution cannot be redriven', async () => {
    // Prepare
    sfn.on(RedriveExecutionCommand).rejects(
      new ExecutionNotRedrivable({
        message: `Execution ${EXECUTION} cannot be redriven: execution status is SUCCEEDED`,
        $metadata: {},
      }),
    );

    // Act
    const text = await cli('redrive', EXECUTION);
    const json = await cli('redrive', EXECUTION, '--json');

    // Assess
    expect(text).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `error: ${NAME} cannot be redriven: Execution ${EXECUTION} cannot be redriven: execution status is SUCCEEDED ` +
        '(only a FAILED, ABORTED or TIMED_OUT execution of the last 14 days can be; a new key change or the sweep ' +
        'starts a new one)\n',
    });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'not-redrivable', exitCode: 2 } });
  });

  it('says an execution that does not exist is not found, exit code 3', async () => {
    sfn
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));

    const result = await cli('--json', 'redrive', EXECUTION);

    expect(result.code).toBe(3);
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'not-found',
        message: `no execution ${NAME}: check the ARN and the Region`,
        exitCode: 3,
      },
    });
  });
});

describe('key-reactor runs', () => {
  it("shows a failed run's error and how to redrive it", async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: NAME,
          executionArn: EXECUTION,
          stateMachineArn: MACHINE,
          status: 'FAILED',
          startDate: new Date('2026-11-22T15:22:33Z'),
          stopDate: new Date('2026-11-22T15:32:40Z'),
        },
      ],
    });
    sfn.on(DescribeExecutionCommand).resolves({
      input: JSON.stringify({ keyArn: KEY }),
      status: 'FAILED',
      error: 'ServiceStopTimeout',
      cause: 'api did not stop in 30 minutes\nmore detail',
      redriveStatus: 'REDRIVABLE',
    });

    // Act
    const result = await cli('runs', KEY);

    // Assess
    expect(result).toEqual({
      code: 0,
      stdout: [
        `Executions of ${KEY} (1), newest first:`,
        `  FAILED     disable  started 2026-11-22T15:22:33Z  stopped 2026-11-22T15:32:40Z  ${NAME}`,
        `             error: ServiceStopTimeout (api did not stop in 30 minutes); redrive: key-reactor redrive ${EXECUTION}`,
        `             https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });
});

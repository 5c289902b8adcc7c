import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Meter } from '../../bench/meter';
import { awsClient } from '../../lambdas/shared/aws';

// The meter on a real SDK client whose HTTP handler answers like EC2: a throttled first attempt that
// the SDK's standard retry then repeats must still be counted, once, under its operation.

const THROTTLED = `<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>`;
const OK = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>2</requestId><reservationSet/></DescribeInstancesResponse>`;

function answering(bodies: { status: number; body: string }[]) {
  let call = 0;
  return {
    handle: async () => {
      const { status, body } = bodies[Math.min(call++, bodies.length - 1)] as {
        status: number;
        body: string;
      };
      const { Readable } = await import('node:stream');
      return {
        response: {
          statusCode: status,
          headers: { 'content-type': 'text/xml' },
          body: Readable.from([body]),
        },
      };
    },
    calls: () => call,
  };
}

it('counts each throttled attempt inside the retry loop, under Service:Operation', async () => {
  const meter = new Meter();
  const handler = answering([
    { status: 503, body: THROTTLED },
    { status: 200, body: OK },
  ]);
  const client = awsClient(EC2Client, {
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    instrument: [meter.instrument],
  });
  (client.config as { requestHandler: unknown }).requestHandler = handler;
  await client.send(new DescribeInstancesCommand({}));
  expect(handler.calls()).toBe(2);
  expect(meter.snapshot()).toEqual({
    throttled: { 'EC2:DescribeInstances': 1 },
    throttledTotal: 1,
    dynamodb: { read: 0, write: 0 },
  });
});

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { KEY_ARN_TAG } from './lambdas/shared/contract';
import { TagDirectory } from './lambdas/shared/tag-directory';
import { startMoto } from './sandbox/moto';
import { stockImageId, SANDBOX_CREDENTIALS } from './sandbox/world';

async function main() {
  const moto = await startMoto();
  try {
    const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
    const ec2 = new EC2Client(config);
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const other = 'arn:aws:kms:us-east-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab';
    const ImageId = await stockImageId(ec2);
    for (const [keyArn, count] of [[key, 1000], [other, 1000]] as const) {
      for (let done = 0; done < count; done += 250) {
        await ec2.send(new RunInstancesCommand({ ImageId, InstanceType: 't3.micro', MinCount: 250, MaxCount: 250,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: KEY_ARN_TAG, Value: keyArn }, { Key: 'key-reactor:managed', Value: 'true' }] }] }));
      }
    }
    const tags = new TagDirectory({ tagging: new ResourceGroupsTaggingAPIClient(config), autoscaling: new AutoScalingClient(config) });
    for (let run = 0; run < 3; run++) {
      let t = performance.now();
      const one = await tags.list(key);
      const listMs = performance.now() - t;
      t = performance.now();
      const all = await tags.all();
      const allMs = performance.now() - t;
      console.log(JSON.stringify({ run, list: { resources: one.resources.length, calls: one.calls, ms: Math.round(listMs) },
        all: { keys: all.byKey.size, resources: [...all.byKey.values()].reduce((n, r) => n + r.length, 0), calls: all.calls, ms: Math.round(allMs) } }));
    }
  } finally { await moto.stop(); }
}
main().catch((e) => { console.error(e); process.exit(1); });

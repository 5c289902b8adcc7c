import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type Clock, systemClock } from '../../lambdas/shared/clock';
import { Reactor } from '../../lambdas/shared/reactor';
import type { Store } from '../../lambdas/shared/store';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../sandbox/local-workflows';
import { createReactorTable, localSettings, SANDBOX_CREDENTIALS, worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

/**
 * The reactor's own store, as the local reactor builds it, on this worker's moto server: an empty
 * server and a fresh table before each test of the calling file. The store reads the time from `clock`.
 */
export function storeOnMoto(clock: Clock = systemClock): () => Store {
  let store: Store | undefined;
  beforeEach(async () => {
    const moto = await workerMoto();
    await createReactorTable(worldClients(moto.endpoint, LOCAL_REGION));
    const place = { account: LOCAL_ACCOUNT, region: LOCAL_REGION };
    store = new Reactor(
      localSettings(place),
      { endpoint: moto.endpoint, region: LOCAL_REGION, credentials: SANDBOX_CREDENTIALS },
      clock,
    ).store;
  });
  return () => {
    if (!store) throw new Error('storeOnMoto: the store is built before each test, not at collection');
    return store;
  };
}

/**
 * An AMI moto offers, for RunInstances and launch templates. Filtered by name: moto answers an
 * unfiltered DescribeImages with its whole catalogue (over a thousand images), which takes seconds.
 */
export async function motoImageId(ec2: EC2Client): Promise<string> {
  const { Images } = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] }),
  );
  const imageId = Images?.[0]?.ImageId;
  if (!imageId) throw new Error('moto offers no Amazon Linux 2 AMI');
  return imageId;
}

import { connectMoto, type MotoServer } from '../../sandbox/moto';

/** How test/setup/moto-servers.ts tells the workers where their servers are. */
export const MOTO_ENDPOINTS_VARIABLE = 'KEY_REACTOR_TEST_MOTO_ENDPOINTS';

/**
 * This jest worker's moto server, reset so that the test file starts from an empty AWS. The server
 * outlives the file: `stop()` does nothing, the global teardown stops it.
 */
export async function workerMoto(): Promise<MotoServer> {
  const endpoints = (process.env[MOTO_ENDPOINTS_VARIABLE] ?? '').split(',').filter(Boolean);
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = endpoints[(worker - 1) % Math.max(1, endpoints.length)];
  if (!endpoint)
    throw new Error(`No moto server for jest worker ${worker}: is test/setup/moto-servers.ts set up?`);
  const moto = connectMoto(endpoint);
  await moto.reset();
  return moto;
}

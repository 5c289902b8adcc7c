import { type MotoServer, startMoto } from '../../sandbox/moto';
import { DEMO } from '../../sandbox/world';
import { MOTO_ENDPOINTS_VARIABLE } from '../support/moto';

/**
 * Starts one moto server per jest worker before any test file runs, and hands the endpoints to the
 * workers through the environment (workers start after this and inherit it). A test file takes its
 * worker's server (test/support/moto.ts) and resets it, instead of paying for a server of its own.
 */
export default async function startMotoServers(globalConfig: { maxWorkers: number }): Promise<void> {
  const servers: MotoServer[] = await Promise.all(
    Array.from({ length: Math.max(1, globalConfig.maxWorkers) }, () =>
      // ECS services' running counts follow their desired counts, as the local reactor expects.
      startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: String(DEMO.desiredCount) } }),
    ),
  );
  (globalThis as { keyReactorMotoServers?: MotoServer[] }).keyReactorMotoServers = servers;
  process.env[MOTO_ENDPOINTS_VARIABLE] = servers.map((server) => server.endpoint).join(',');
}

import type { MotoServer } from '../../sandbox/moto';

/** Stops the servers test/setup/moto-servers.ts started. */
export default async function stopMotoServers(): Promise<void> {
  const servers = (globalThis as { keyReactorMotoServers?: MotoServer[] }).keyReactorMotoServers ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}

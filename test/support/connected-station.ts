import { afterEach, beforeEach } from 'vitest';
import type { FieldclaimOptions } from '../../electron/services/fieldclaim';
import { ApiSimulator } from './api-sim';
import { connectedStation } from './station';

/**
 * A Provisioning API simulator knowing `key`, and the app's services pointed at it, fresh for each
 * test of the file (the hooks are registered where this is called).
 */
export function useConnectedStation(key: string, options: Partial<FieldclaimOptions> = {}) {
  const env = {} as { sim: ApiSimulator; station: ReturnType<typeof connectedStation> };
  beforeEach(async () => {
    env.sim = await new ApiSimulator().start();
    env.sim.addKey(key);
    env.station = connectedStation(env.sim, key, options);
  });
  afterEach(async () => {
    env.station.close();
    await env.sim.stop();
  });
  return env;
}

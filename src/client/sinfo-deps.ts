/**
 * What sinfo asks of Redis and of the machine: the same whether sinfo runs in
 * its own process or the controller answers for it (src/served).
 */
import { freemem, loadavg } from 'node:os';
import type { SinfoDeps } from '../commands/sinfo.js';
import type { Cluster } from '../cluster/load.js';
import { readControllerView } from './held-resources.js';
import type { Session } from './session.js';

export function sinfoDeps(open: (cluster: Cluster) => Promise<Session>, sleep: SinfoDeps['sleep']): SinfoDeps {
  return {
    held: async (cluster) => (await readControllerView(await open(cluster), cluster.config.firstJobId)).held,
    // every emulated node runs on this machine: its load and free memory
    host: () => ({ cpuLoad: Math.round((loadavg()[0] ?? 0) * 100), freeMem: Math.floor(freemem() / 1048576) }),
    sleep,
  };
}

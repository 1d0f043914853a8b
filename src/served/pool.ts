/**
 * The controller's threads answering commands (worker.ts): slurmctld answers
 * each RPC on a thread of its own. FLOW_SERVE_WORKERS of them (default 2)
 * take any request, those that change jobs first; one more takes only those,
 * so a long squeue keeps no sbatch waiting. A thread that dies is started again.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';

export interface ServePool {
  stop(): Promise<void>;
}

export function startServePool(env: Readonly<Record<string, string | undefined>>, clusterName: string, log: (line: string) => void): ServePool {
  const count = Math.max(1, Math.min(16, Number(env.FLOW_SERVE_WORKERS) || 2));
  const file = join(packageRoot(), 'dist', 'serve-worker.cjs');
  let stopping = false;
  const workers = new Set<Worker>();
  const start = (changesOnly: boolean) => {
    const w = new Worker(file, { workerData: { env: { ...env }, clusterName, changesOnly } });
    workers.add(w);
    w.on('message', (line: string) => log(line));
    w.on('error', (e) => log(`serve: ${e.message}`));
    w.on('exit', () => {
      workers.delete(w);
      if (!stopping) setTimeout(() => !stopping && start(changesOnly), 1000).unref();
    });
  };
  start(true);
  for (let i = 0; i < count; i++) start(false);
  return {
    async stop() {
      stopping = true;
      await Promise.all([...workers].map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage('stop');
        // a thread stuck in an answer is not waited for long
        setTimeout(() => void w.terminate(), 3000).unref();
      })));
    },
  };
}

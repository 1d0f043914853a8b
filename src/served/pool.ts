/**
 * The controller's threads answering commands (worker.ts), FLOW_SERVE_WORKERS
 * of them (default 2): slurmctld answers each RPC on a thread of its own, so
 * a long squeue does not keep an sbatch waiting. A thread that dies is started again.
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
  const start = () => {
    const w = new Worker(file, { workerData: { env: { ...env }, clusterName } });
    workers.add(w);
    w.on('message', (line: string) => log(line));
    w.on('error', (e) => log(`serve: ${e.message}`));
    w.on('exit', () => {
      workers.delete(w);
      if (!stopping) setTimeout(() => !stopping && start(), 1000).unref();
    });
  };
  for (let i = 0; i < count; i++) start();
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

/**
 * One thread of the controller answering commands (pool.ts starts them): its
 * own Redis connection, its own kept listing, its own event loop, so a slow
 * answer (squeue over 10,000 jobs) holds up no other caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectRedis } from '../store/ioredis-connect.js';
import { keysFor } from '../store/keys.js';
import { CommandServer } from './server.js';

interface Data {
  env: Record<string, string | undefined>;
  clusterName: string;
  changesOnly: boolean;
}

async function main(): Promise<void> {
  const { env, clusterName, changesOnly } = workerData as Data;
  const log = (line: string) => parentPort!.postMessage(line);
  const redis = await connectRedis(env);
  const server = new CommandServer(redis, keysFor(clusterName), env, log, changesOnly);
  parentPort!.once('message', () => {
    void server.stop().then(() => redis.disconnect());
  });
  await server.run();
  redis.disconnect();
}

main().catch((e: unknown) => {
  parentPort!.postMessage(`serve: ${(e as Error).message}`);
  process.exit(1);
});

/**
 * `flow controller [--daemon]`: run the controller for the cluster SLURM_CONF
 * describes. In the foreground it waits as a standby while another controller
 * leads; as a daemon (started on demand by the commands) it exits instead.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadCluster } from '../cluster/load.js';
import { redisTarget } from '../store/connect.js';
import { MINUTE_SECONDS, minuteSecondsFromEnv, timeScaleOf } from '../store/cluster-settings.js';
import { holderDead, holderId, LEASE_MS } from '../store/holder.js';
import { clusterPaths } from '../cluster/paths.js';
import { connectRedis, ioredisOptions } from '../store/ioredis-connect.js';
import { IoredisRunner } from '../store/ioredis-runner.js';
import { Controller, type CrashPoint } from '../controller/controller.js';
import { startServePool, type ServePool } from '../served/pool.js';
import { keysFor } from '../store/keys.js';
import { Scripts } from '../store/scripts.js';
import { LaunchQueue } from '../controller/worker.js';
import { packageRoot } from '../package-root.js';
import { LocalDriver } from '../providers/local/local.js';
import { MithrilDriver } from '../providers/mithril/driver.js';
import type { Cluster } from '../cluster/load.js';
import { MithrilClient } from '../providers/mithril/client.js';
import { mithrilSettings } from '../providers/mithril/settings.js';
import { redact } from '../redact.js';
import type { IO } from './io.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function controllerCommand(args: string[], io: IO): Promise<number> {
  const daemon = args.includes('--daemon');
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`flow: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const name = cluster.config.clusterName;
  const paths = clusterPaths(io.env, name);
  mkdirSync(paths.dir, { recursive: true });
  // every line of the log is one line, and no secret gets into it (redact.ts)
  const log = (line: string, error?: unknown) => {
    const detail = io.env.FLOW_DEBUG === '1' && error instanceof Error && error.stack ? `\n${error.stack}` : '';
    const text = redact(`${new Date().toISOString()} [${process.pid}] ${line.replace(/[\r\n]+/g, ' ')}${detail}\n`, io.env);
    if (daemon) appendFileSync(paths.log, text);
    else io.stderr(text);
  };

  const redis = await connectRedis(io.env);
  const keys = keysFor(name);
  const scripts = new Scripts(new IoredisRunner(redis), keys);
  const id = holderId();
  // the lease, if free, or if its holder is known to be dead; a standby (foreground) waits for it
  const takeLead = async (): Promise<boolean> => {
    if (await scripts.lead(id, LEASE_MS)) return true;
    const holder = await redis.get(keys.controller);
    return holder === null || holderDead(holder) ? scripts.lead(id, LEASE_MS, holder ?? undefined) : false;
  };
  const started = Date.now();
  // a daemon leaves it to the leader; a standby waits, unless the controllers are shut down (scontrol shutdown)
  const shutDown = async () => Number(await redis.get(keys.shutdown)) >= started;
  for (;;) {
    if (!daemon && (await shutDown())) {
      log('shutdown requested; stopping');
      redis.disconnect();
      return 0;
    }
    if (await takeLead()) break;
    if (daemon) {
      redis.disconnect();
      return 0;
    }
    await sleep(1000);
  }
  // what `flow controller status` shows; the claim of the command that started us is spent
  await redis.multi()
    .del(keys.controllerStarting, keys.controllerInfo)
    .hset(keys.controllerInfo, { id, host: hostname(), pid: process.pid, started: Date.now(), redis: paths.redis, log: daemon ? paths.log : '(stderr)', spool: paths.spool })
    .exec();
  writeFileSync(paths.pid, `${process.pid}\n`);

  // the cluster's minute length, not this process's: fixed by the cluster's first command (or by us, if none came first)
  await redis.hsetnx(keys.settings, MINUTE_SECONDS, minuteSecondsFromEnv(io.env));
  const timeScale = timeScaleOf(await redis.hget(keys.settings, MINUTE_SECONDS));
  // BullMQ's workers block on their connection: no per-request retry limit
  const bullConnection = { ...ioredisOptions(redisTarget(io.env).target), maxRetriesPerRequest: null };
  const controller = new Controller({
    cluster,
    redis,
    subscriber: redis.duplicate(),
    keys,
    scripts,
    drivers: {
      local: new LocalDriver(join(packageRoot(), 'bin'), io.env.SLURM_CONF, paths.spool, timeScale),
      ...mithrilDriver(io.env, cluster, paths.spool, timeScale, log, scripts),
    },
    timeScale,
    id,
    log,
    makeQueue: (launch, provider, limit) => new LaunchQueue(bullConnection, keys.bullPrefix, launch, { name: provider === 'local' ? 'launch' : `launch-${provider}`, limit }),
    crashAt: io.env.FLOW_CRASH_AT as CrashPoint | undefined,
    startedAt: started,
  });
  // commands of the same build may ask a controller to answer them (src/served), on threads of its own
  let server: ServePool | undefined;
  const stop = () => {
    // a clean stop talks to Redis; if Redis is gone for good, do not hang on it
    setTimeout(() => process.exit(0), 5000).unref();
    void server?.stop();
    void controller.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await controller.start();
  server = startServePool(io.env, name, log);
  await controller.done;
  await server.stop();
  rmSync(paths.pid, { force: true });
  return 0;
}

/**
 * The Mithril driver, when this controller has an API key (MITHRIL_API_KEY or
 * ~/.flow/config.yaml): without one, submissions to Mithril are refused, and a
 * job that got here anyway fails for want of a driver, saying so in the log.
 */
function mithrilDriver(env: Readonly<Record<string, string | undefined>>, cluster: Cluster, spool: string, timeScale: number, log: (line: string) => void, scripts: Scripts): { mithril?: MithrilDriver } {
  const s = mithrilSettings(env, cluster.flow);
  if (!s.ok) return {};
  // a call that hangs is given up after FLOW_MITHRIL_TIMEOUT_MS (default 10 s) and retried where that is safe
  const timeoutMs = Number(env.FLOW_MITHRIL_TIMEOUT_MS) > 0 ? Number(env.FLOW_MITHRIL_TIMEOUT_MS) : 10_000;
  const client = new MithrilClient(s.settings, { log, timeoutMs });
  return {
    mithril: new MithrilDriver({
      client, dir: join(spool, 'mithril'), sshUser: s.settings.sshUser ?? 'ubuntu', cluster: cluster.config.clusterName,
      timeScale, secrets: [s.settings.key.reveal()], log,
      steps: { start: (jobId, step) => scripts.stepStart(jobId, step), end: (jobId, step) => scripts.stepEnd(jobId, step) },
      money: (jobId, run, priceCents, costCents) => scripts.money(jobId, run, priceCents, costCents),
    }),
  };
}

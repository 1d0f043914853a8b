/**
 * Operating flow-slurm: `flow status <job>`, `flow controller status|stop`,
 * `flow controllers`, `flow clean [--purge] [--hosts]`. None of them starts a controller.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCluster, type Cluster } from '../cluster/load.js';
import { listControllers, readController, stopController, type ControllerView } from '../client/controllers.js';
import { RedisClient } from '../client/redis-client.js';
import { keysFor } from '../store/keys.js';
import { hostsPolicy, removeNodeLines } from '../providers/local/node-hosts.js';
import { clusterPaths } from '../cluster/paths.js';
import type { JobRecord, Placement } from '../job/job.js';
import { SlurmError } from '../store/slurm-errors.js';
import { batchFileName } from '../job/patterns.js';
import { StringDecoder } from 'node:string_decoder';
import { FINAL_STATES } from '../job/job-states.js';
import { paidBy } from '../job/paid.js';
import type { IO } from './io.js';

const HEADER = ['CLUSTER', 'STATE', 'PID', 'HOST', 'LEASE', 'MINUTE', 'REDIS', 'LOG'];

/** Columns as wide as their widest value, two spaces apart (the last one unpadded). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function row(v: ControllerView): string[] {
  const seconds = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
  return [v.cluster, v.state, v.pid ? String(v.pid) : '-', v.host ?? '-', seconds(v.leaseAgeMs),
    v.minuteSeconds === undefined ? '-' : `${v.minuteSeconds}s`, v.redis ?? '-', v.log ?? '-'];
}

function print(io: IO, views: ControllerView[], json: boolean): void {
  if (json) io.stdout(`${JSON.stringify(views, null, 2)}\n`);
  else io.stdout(table([HEADER, ...views.map(row)]));
}

async function withCluster(io: IO, run: (cluster: Cluster, redis: RedisClient) => Promise<number>): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`flow: error: ${loaded.message}\n`);
    return 1;
  }
  const redis = await RedisClient.open(io.env);
  try {
    return await run(loaded.cluster, redis);
  } finally {
    redis.close();
  }
}

/** The cluster's controller; exit 0 while one leads, 1 otherwise. */
export function controllerStatus(io: IO, json: boolean): Promise<number> {
  return withCluster(io, async (cluster, redis) => {
    const name = cluster.config.clusterName;
    const view = await readController(redis, name);
    // none leads: where one started from here would be, and log
    const paths = clusterPaths(io.env, name);
    print(io, [{ ...view, redis: view.redis ?? paths.redis, log: view.log ?? (existsSync(paths.log) ? paths.log : undefined) }], json);
    return view.state === 'leading' ? 0 : 1;
  });
}

/** Every controller in this Redis database. */
export async function controllersList(io: IO, json: boolean): Promise<number> {
  const redis = await RedisClient.open(io.env);
  try {
    print(io, await listControllers(redis), json);
    return 0;
  } finally {
    redis.close();
  }
}

/** How a stop went, in one line; the exit code. */
async function stopped(io: IO, redis: RedisClient, name: string): Promise<number> {
  const r = await stopController(redis, name);
  if ('none' in r) {
    io.stdout(`flow: no controller runs for cluster ${name}\n`);
    return 0;
  }
  if ('stuck' in r) {
    io.stderr(`flow: error: the controller of cluster ${name} (pid ${r.stuck.pid} on ${r.stuck.host}) did not stop\n`);
    return 1;
  }
  io.stdout(`flow: stopped the controller of cluster ${name} (pid ${r.stopped.pid} on ${r.stopped.host})\n`);
  return 0;
}

export function controllerStop(io: IO): Promise<number> {
  return withCluster(io, (cluster, redis) => stopped(io, redis, cluster.config.clusterName));
}

/**
 * Stop the cluster's controller and remove what its runs left in the spool
 * (the records of runs that are no longer running: a controller collects the
 * others later). `purge`: also forget the cluster, every key of it in Redis
 * (jobs, accounting, settings) and its directory; refused while jobs run.
 */
export async function clean(io: IO, purge: boolean, hosts = false): Promise<number> {
  const code = await cleanCluster(io, purge);
  if (code !== 0 || !hosts) return code;
  const file = hostsPolicy(io.env, {}).file;
  const r = removeNodeLines(file);
  if (!r.ok) {
    io.stderr(`flow: error: ${r.message}\n`);
    return 1;
  }
  io.stdout(`flow: removed ${r.removed} emulated node line${r.removed === 1 ? '' : 's'} from ${file}\n`);
  return 0;
}

function cleanCluster(io: IO, purge: boolean): Promise<number> {
  return withCluster(io, async (cluster, redis) => {
    const name = cluster.config.clusterName;
    const k = keysFor(name);
    const paths = clusterPaths(io.env, name);
    if (purge) {
      const running = Number(await redis.call(['SCARD', k.running]));
      if (running > 0) {
        io.stderr(`flow: error: cluster ${name} has ${running} running job${running === 1 ? '' : 's'}; cancel ${running === 1 ? 'it' : 'them'} first (scancel)\n`);
        return 1;
      }
    }
    const code = await stopped(io, redis, name);
    if (code !== 0) return code;
    await redis.call(['DEL', k.controllerStarting]);
    const removed = await leftoverRuns(redis, name, paths.spool);
    if (removed) io.stdout(`flow: removed ${removed} leftover run record${removed === 1 ? '' : 's'} from ${paths.spool}\n`);
    if (!purge) return 0;
    let keys = 0;
    let cursor = '0';
    do {
      const [next, found] = (await redis.call(['SCAN', cursor, 'MATCH', `${k.bullPrefix}*`, 'COUNT', 1000])) as [string, string[]];
      cursor = next;
      if (found.length) keys += Number(await redis.call(['UNLINK', ...found]));
    } while (cursor !== '0');
    rmSync(paths.dir, { recursive: true, force: true });
    io.stdout(`flow: removed cluster ${name}: ${keys} keys from ${paths.redis}, and ${paths.dir}\n`);
    return 0;
  });
}

/** Remove run directories and end records of runs whose job no longer runs them; how many. */
async function leftoverRuns(redis: RedisClient, name: string, spool: string): Promise<number> {
  const k = keysFor(name);
  const entries: { path: string; job: number; run: number }[] = [];
  const scan = (dir: string, pattern: RegExp) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // no such directory
    }
    for (const n of names) {
      const m = pattern.exec(n);
      if (m) entries.push({ path: join(dir, n), job: Number(m[1]), run: Number(m[2]) });
    }
  };
  scan(spool, /^job(\d+)\.(\d+)$/);
  scan(join(spool, 'ends'), /^(\d+)\.(\d+)(\..*)?$/);
  if (entries.length === 0) return 0;
  const jobs = [...new Set(entries.map((e) => e.job))];
  const states = await redis.pipeline(jobs.map((id) => ['HMGET', k.job(id), 'state', 'run']));
  const live = new Set<string>();
  jobs.forEach((id, i) => {
    const [state, run] = (states[i] ?? []) as (string | null)[];
    if (state === 'RUNNING' || state === 'COMPLETING') live.add(`${id}.${run}`);
  });
  let removed = 0;
  for (const e of entries) {
    if (live.has(`${e.job}.${e.run}`)) continue;
    rmSync(e.path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * `flow status <job>...`: each job's state and where it runs (its placement:
 * provider, instance type and count, limit price, region, image).
 */
export function jobStatus(io: IO, ids: string[], json: boolean): Promise<number> {
  return withCluster(io, async (cluster, redis) => {
    const keys = keysFor(cluster.config.clusterName);
    let code = 0;
    const out: Record<string, unknown>[] = [];
    // no ids: every job squeue would list (the cluster's, within MinJobAge), the caller's own unless root
    const mine = ids.length > 0 ? undefined : process.getuid?.() === 0 ? -1 : process.getuid?.() ?? -1;
    if (ids.length === 0) {
      const listed = (await redis.call(['HKEYS', keys.listing])) as string[];
      ids = listed.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    }
    for (const text of ids) {
      const id = Number(text);
      const reply = Number.isInteger(id) && id > 0 ? await redis.call(['HMGET', keys.job(id), 'record', 'state', 'reason', 'exit', 'money']) : [null];
      const [recordText, state, reason, exit, moneyText] = reply as (string | null)[];
      if (!recordText) {
        io.stderr(`flow: error: job ${text}: ${new SlurmError('ESLURM_INVALID_JOB_ID').message}\n`);
        code = 1;
        continue;
      }
      const record = JSON.parse(recordText) as JobRecord;
      if (mine !== undefined && mine !== -1 && record.userId !== mine) continue;
      // what its runs paid (Mithril): the latest price per instance-hour, and the cost of every run so far
      const money = paidBy(moneyText);
      const paid = money ? { pricePerHour: money.priceCents / 100, cost: money.costCents / 100 } : {};
      out.push({ jobId: id, name: record.name, state, reason, exitCode: exit, placement: record.placement ?? { provider: 'local' }, ...paid });
    }
    if (json) io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    else {
      for (const j of out) {
        const p = j.placement as Placement;
        const where = [`Provider=${p.provider}`, p.instanceType && `InstanceType=${p.instanceType}`, p.instanceCount !== undefined && `InstanceCount=${p.instanceCount}`,
          p.maxPricePerHour !== undefined && `MaxPricePerHour=${p.maxPricePerHour.toFixed(2)}`, p.priority && `Priority=${p.priority}`, p.region && `Region=${p.region}`, p.image && `Image=${p.image}`];
        const paid = j.cost === undefined ? '' : `\n   PricePerHour=${(j.pricePerHour as number).toFixed(2)} Cost=${(j.cost as number).toFixed(2)}`;
        io.stdout(`JobId=${j.jobId} JobName=${j.name} JobState=${j.state} Reason=${j.reason} ExitCode=${j.exitCode}\n   ${where.filter(Boolean).join(' ')}${paid}\n`);
      }
    }
    return code;
  });
}

/**
 * `flow logs <job>`: the job's batch output as it is on this machine (a
 * Mithril job's is copied back as it grows), with `-f` until the job ends.
 */
export function jobLogs(io: IO, text: string, o: { follow: boolean; node: string; stderr: boolean }): Promise<number> {
  return withCluster(io, async (cluster, redis) => {
    const id = Number(text);
    const keys = keysFor(cluster.config.clusterName);
    const read = async () => (Number.isInteger(id) && id > 0 ? await redis.call(['HMGET', keys.job(id), 'record', 'state', 'batchHost']) : [null]) as (string | null)[];
    const [recordText, , batchHost] = await read();
    if (!recordText) {
      io.stderr(`flow: error: job ${text}: ${new SlurmError('ESLURM_INVALID_JOB_ID').message}\n`);
      return 1;
    }
    if (!/^\d+$/.test(o.node) || o.node !== '0') {
      io.stderr(`flow: error: job ${text}: only node 0 (the batch node) has a log: srun's tasks on the other nodes write into the batch output\n`);
      return 1;
    }
    const record = JSON.parse(recordText) as JobRecord;
    const file = batchFileName(o.stderr ? record.stderr : record.stdout, record, batchHost || 'unknown');
    let at = 0;
    const text8 = new StringDecoder('utf8');
    const copy = (): void => {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch {
        return;
      }
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (let n = readSync(fd, buf, 0, buf.length, at); n > 0; n = readSync(fd, buf, 0, buf.length, at)) {
          io.stdout(text8.write(buf.subarray(0, n)));
          at += n;
        }
      } finally {
        closeSync(fd);
      }
    };
    copy();
    if (!o.follow) return 0;
    for (;;) {
      const [, state] = await read();
      const over = !state || FINAL_STATES.has(state);
      // the last bytes copied back just before the end are read once more
      await new Promise((r) => setTimeout(r, over ? 1200 : 500));
      copy();
      if (over) return 0;
    }
  });
}

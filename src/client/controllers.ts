/**
 * Seeing and stopping controllers through Redis (for `flow controller
 * status|stop`, `flow controllers`, `flow clean` and `scontrol shutdown`):
 * each leader keeps a lease and a hash about itself (keys.controllerInfo);
 * a stop is asked for with a message and a timestamp, which a leader on
 * any host (and a standby started before it) obeys.
 */
import { MINUTE_SECONDS } from '../store/cluster-settings.js';
import { holderDead, holderHere, LEASE_MS, parseHolder, pidAlive } from '../store/holder.js';
import { keysFor, type Keys } from '../store/keys.js';
import type { RedisClient } from './redis-client.js';
import type { Reply } from './resp.js';

export interface ControllerView {
  cluster: string;
  /** leading: its lease is renewed; dead: its holder is known to be gone, the lease not yet expired; none */
  state: 'leading' | 'dead' | 'none';
  /** the lease value */
  holder?: string;
  pid?: number;
  host?: string;
  /** the Redis target as the controller reached it (no password) */
  redis?: string;
  log?: string;
  spool?: string;
  /** ms since the lease was last renewed */
  leaseAgeMs?: number;
  /** ms epoch when the controller took the lease */
  since?: number;
  /** the cluster's minute length in seconds (cluster-settings.ts) */
  minuteSeconds?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function hashOf(reply: Reply): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out.set(String(reply[i]), String(reply[i + 1]));
  return out;
}

/** One cluster's controller, as Redis knows it. */
export async function readController(redis: RedisClient, cluster: string): Promise<ControllerView> {
  const k = keysFor(cluster);
  const [holder, pttl, info, minute] = await redis.pipeline([
    ['GET', k.controller], ['PTTL', k.controller], ['HGETALL', k.controllerInfo], ['HGET', k.settings, MINUTE_SECONDS],
  ]);
  const view: ControllerView = { cluster, state: 'none' };
  if (typeof minute === 'string') view.minuteSeconds = Number(minute);
  if (typeof holder !== 'string') return view;
  const h = parseHolder(holder);
  const about = hashOf(info ?? null);
  const mine = about.get('id') === holder;
  return {
    ...view,
    state: holderDead(holder) ? 'dead' : 'leading',
    holder,
    pid: h.pid,
    host: h.host,
    ...(mine ? { redis: about.get('redis'), log: about.get('log'), spool: about.get('spool'), since: Number(about.get('started')) } : {}),
    leaseAgeMs: typeof pttl === 'number' && pttl >= 0 ? Math.max(0, LEASE_MS - pttl) : undefined,
  };
}

/** Every cluster in this Redis database that has a controller (or had one whose lease is not yet gone). */
export async function listControllers(redis: RedisClient): Promise<ControllerView[]> {
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = (await redis.call(['SCAN', cursor, 'MATCH', 'flow:{*}:controller*', 'COUNT', 1000])) as [string, string[]];
    cursor = next;
    for (const key of keys) {
      const m = /^flow:\{(.*)\}:controller(-info)?$/.exec(key);
      if (m) names.add(m[1]!);
    }
  } while (cursor !== '0');
  const views = await Promise.all([...names].sort().map((n) => readController(redis, n)));
  return views.filter((v) => v.state !== 'none');
}

export type StopResult = { stopped: ControllerView } | { none: true } | { stuck: ControllerView };

/**
 * Ask the cluster's controllers to stop (the leader, and standbys started
 * before now) and wait until the leader has let go of its lease. A leader
 * known to be dead just loses its lease; one on this host that does not
 * answer within `waitMs` gets SIGTERM.
 */
export async function stopController(redis: RedisClient, cluster: string, waitMs = 10_000): Promise<StopResult> {
  const k: Keys = keysFor(cluster);
  const view = await readController(redis, cluster);
  await redis.pipeline([
    ['SET', k.shutdown, Date.now(), 'PX', LEASE_MS * 3],
    ['PUBLISH', k.wake, 'shutdown'],
  ]);
  if (view.state === 'none') return { none: true };
  const gone = async () => (await redis.call(['GET', k.controller])) !== view.holder;
  let deadline = Date.now() + waitMs;
  let termed = false;
  for (;;) {
    if (view.state === 'dead' || holderDead(view.holder!)) {
      await redis.call(['EVAL', "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0", 2,
        k.controller, k.controllerInfo, view.holder!]);
      return { stopped: view };
    }
    // gone: the lease let go of, and on this host the process ended
    if ((await gone()) && !(holderHere(view.holder!) && pidAlive(view.pid!))) return { stopped: view };
    if (Date.now() > deadline) {
      // not listening (its subscriber lost, a controller of an older build): on this host, a signal reaches it
      if (termed || !holderHere(view.holder!)) return { stuck: view };
      try {
        process.kill(view.pid!, 'SIGTERM');
      } catch {
        // gone meanwhile: seen dead on the next look
      }
      termed = true;
      deadline = Date.now() + 5000;
    }
    await sleep(100);
  }
}

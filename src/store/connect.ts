/**
 * Reaching Redis. FLOW_REDIS_URL names it (database index included). Without
 * it we use our own redis-server, started on demand with persistence (AOF)
 * under the state directory; if redis-server is not installed we say exactly
 * what to install. Commands connect with their light RESP client, the
 * controller with ioredis; both find Redis the same way.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../state-dir.js';
import { parseRedisUrl, type RedisTarget } from '../client/redis-url.js';
import { pidAlive } from './holder.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Redis cannot be reached, and trying again will not change that (or the time to try is up). */
export class RedisUnavailable extends Error {}

const INSTALL_HINT = 'install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; Fedora: `sudo dnf install redis`; macOS: `brew install redis`), or set FLOW_REDIS_URL to a running Redis (e.g. redis://127.0.0.1:6379/0)';

/** Where Redis is: FLOW_REDIS_URL, or our own server's socket. */
export function redisTarget(env: Env): { target: RedisTarget; own: boolean } {
  if (env.FLOW_REDIS_URL) {
    const target = parseRedisUrl(env.FLOW_REDIS_URL);
    if (target.tls) target.tls = tlsFiles(env);
    return { target, own: false };
  }
  return { target: { path: join(ownDir(env), 'redis.sock') }, own: true };
}

/**
 * rediss://: the CA to trust (FLOW_REDIS_CA; else the system's), and a client certificate and key
 * (FLOW_REDIS_CERT, FLOW_REDIS_KEY) for a server that asks for one (tls-auth-clients). A file that
 * cannot be read is reported by name, without the URL's password.
 */
function tlsFiles(env: Env): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (name: 'FLOW_REDIS_CA' | 'FLOW_REDIS_CERT' | 'FLOW_REDIS_KEY') => {
    const path = env[name];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new RedisUnavailable(`cannot read ${name} (${path}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const files = { ca: read('FLOW_REDIS_CA'), cert: read('FLOW_REDIS_CERT'), key: read('FLOW_REDIS_KEY') };
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}

/** A Redis target as a user reads it: no user name, no password. */
export function redisLabel(target: RedisTarget, own = false): string {
  if (own) return `own redis-server (${target.path})`;
  const db = target.db ?? 0;
  if (target.path) return `unix://${target.path}?db=${db}`;
  const host = target.host ?? '127.0.0.1';
  return `${target.tls ? 'rediss' : 'redis'}://${host.includes(':') ? `[${host}]` : host}:${target.port ?? 6379}/${db}`;
}

/**
 * How long a command keeps trying to reach Redis (through a restart, while
 * it loads its data) before it gives up with one line: FLOW_REDIS_TIMEOUT
 * seconds, default 30.
 */
export function redisTimeoutMs(env: Env): number {
  const s = Number(env.FLOW_REDIS_TIMEOUT);
  return (Number.isFinite(s) && s > 0 ? s : 30) * 1000;
}

function ownDir(env: Env): string {
  return join(stateDir(env), 'redis');
}


/** Our own redis-server runs: its pid file names a live redis-server. */
function ownServerRuns(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
    return pid > 0 && pidAlive(pid) && (!existsSync('/proc') || readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis'));
  } catch {
    return false; // no pid file, or no such process
  }
}

/**
 * Start our own redis-server, unless one is starting or running already:
 * a second server on the same socket would take the socket over from the
 * first and split the data between them. One starter at a time (a lock file);
 * a server whose pid lives is left to finish starting.
 */
export async function startOwnRedis(env: Env): Promise<void> {
  const dir = ownDir(env);
  mkdirSync(dir, { recursive: true });
  if (ownServerRuns(dir)) return;
  const lock = join(dir, 'start.lock');
  try {
    // left by a starter that died (its time is in the file: an mtime is the kernel's clock, not ours)
    if (Date.now() - Number(readFileSync(lock, 'utf8') || statSync(lock).mtimeMs) > 10_000) unlinkSync(lock);
  } catch {
    // no lock
  }
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    return; // another process is starting it
  }
  writeSync(fd, String(Date.now()));
  // a starter that held the lock just before us may have started it: look again, under the lock
  if (ownServerRuns(dir)) {
    closeSync(fd);
    unlinkSync(lock);
    return;
  }
  try {
    // loaded only here: most commands never start a server, and child_process is slow to load
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('redis-server', [
      '--port', '0', '--unixsocket', join(dir, 'redis.sock'), '--unixsocketperm', '700',
      '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
      '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log'),
    ], { stdio: 'ignore', env: serverEnv(process.env) });
    if (r.error) throw new RedisUnavailable(`no Redis: FLOW_REDIS_URL is not set and redis-server could not be started (${(r.error as NodeJS.ErrnoException).code}); ${INSTALL_HINT}`);
    if (r.status !== 0) throw new RedisUnavailable(`no Redis: redis-server failed to start (see ${join(dir, 'redis.log')}); ${INSTALL_HINT}`);
    // the daemon writes its pid file just after it forks: the lock is held until it has, so the next
    // starter finds it running
    for (let i = 0; i < 100 && !ownServerRuns(dir); i++) await new Promise((res) => setTimeout(res, 20));
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

/**
 * The environment for a redis-server we start: without libfaketime, which a
 * shifted-clock test run (or a user) may have preloaded and which redis-server
 * cannot run under (it hangs in clock_gettime). Leases and TTLs are relative,
 * so a server on the real clock serves commands on a shifted one.
 */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('FAKETIME')) continue;
    if (k === 'LD_PRELOAD' && v?.includes('faketime')) {
      const rest = v.split(/[: ]/).filter((lib) => lib && !lib.includes('faketime')).join(':');
      if (rest) out[k] = rest;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Connect with `open`, starting our own redis-server first if that is what we
 * use and it is not up. Errors are the connection's own (retried by the
 * caller), or RedisUnavailable when retrying cannot help.
 */
export async function reach<T>(env: Env, open: (target: RedisTarget) => Promise<T>): Promise<T> {
  const { target, own } = redisTarget(env);
  try {
    return await open(target);
  } catch (e) {
    if (!own) throw e;
  }
  await startOwnRedis(env);
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    if (existsSync(target.path!)) {
      try {
        return await open(target);
      } catch (e) {
        last = e; // not accepting yet
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server does not answer on ${target.path}${last ? ` (${(last as Error).message})` : ''}`);
}

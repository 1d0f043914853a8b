/**
 * Reaching Redis. FLOW_REDIS_URL names it (database index included). Without
 * it we use our own redis-server, started on demand with persistence (AOF)
 * under the state directory; if redis-server is not installed we say exactly
 * what to install. Commands connect with their light RESP client, the
 * controller with ioredis; both find Redis the same way.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../state-dir.js';
import { parseRedisUrl, type RedisTarget } from '../client/resp.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class RedisUnavailable extends Error {}

const INSTALL_HINT = 'install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; Fedora: `sudo dnf install redis`; macOS: `brew install redis`), or set FLOW_REDIS_URL to a running Redis (e.g. redis://127.0.0.1:6379/0)';

/** Where Redis is: FLOW_REDIS_URL, or our own server's socket. */
export function redisTarget(env: Env): { target: RedisTarget; own: boolean; url?: string } {
  if (env.FLOW_REDIS_URL) return { target: parseRedisUrl(env.FLOW_REDIS_URL), own: false, url: env.FLOW_REDIS_URL };
  return { target: { path: join(ownDir(env), 'redis.sock') }, own: true };
}

function ownDir(env: Env): string {
  return join(stateDir(env), 'redis');
}

/** Start our own redis-server (idempotent: redis refuses a second one on the same socket). */
export async function startOwnRedis(env: Env): Promise<void> {
  // loaded only here: most commands never start a server, and child_process is slow to load
  const { spawnSync } = await import('node:child_process');
  const dir = ownDir(env);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('redis-server', [
    '--port', '0', '--unixsocket', join(dir, 'redis.sock'), '--unixsocketperm', '700',
    '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log'),
  ], { stdio: 'ignore' });
  if (r.error) throw new RedisUnavailable(`no Redis: FLOW_REDIS_URL is not set and redis-server could not be started (${(r.error as NodeJS.ErrnoException).code}); ${INSTALL_HINT}`);
  if (r.status !== 0) throw new RedisUnavailable(`no Redis: redis-server failed to start (see ${join(dir, 'redis.log')}); ${INSTALL_HINT}`);
}

/**
 * Connect with `open`, starting our own redis-server first if that is what we
 * use and it is not up yet.
 */
export async function reach<T>(env: Env, open: (target: RedisTarget) => Promise<T>): Promise<T> {
  const { target, own, url } = redisTarget(env);
  try {
    return await open(target);
  } catch (e) {
    if (!own) throw new RedisUnavailable(`cannot reach Redis at ${url}: ${(e as Error).message}`);
  }
  await startOwnRedis(env);
  for (let i = 0; i < 100; i++) {
    if (existsSync(target.path!)) {
      try {
        return await open(target);
      } catch {
        // not accepting yet
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new RedisUnavailable(`no Redis: started redis-server but could not connect to ${target.path}; ${INSTALL_HINT}`);
}

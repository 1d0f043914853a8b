/**
 * Reaching Redis. FLOW_REDIS_URL names it (database index included). Without
 * it we use our own redis-server, started on demand with persistence (AOF)
 * under the state directory; if redis-server is not installed we say exactly
 * what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { stateDir } from '../state-dir.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class RedisUnavailable extends Error {}

const INSTALL_HINT = 'install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; Fedora: `sudo dnf install redis`; macOS: `brew install redis`), or set FLOW_REDIS_URL to a running Redis (e.g. redis://127.0.0.1:6379/0)';

const baseOptions: RedisOptions = {
  lazyConnect: true,
  connectTimeout: 2000,
  maxRetriesPerRequest: 2,
  enableReadyCheck: false,
};

export function redisOptions(env: Env): { url?: string; options: RedisOptions; own: boolean } {
  if (env.FLOW_REDIS_URL) return { url: env.FLOW_REDIS_URL, options: baseOptions, own: false };
  return { options: { ...baseOptions, path: ownSocket(env) }, own: true };
}

function ownDir(env: Env): string {
  return join(stateDir(env), 'redis');
}

function ownSocket(env: Env): string {
  return join(ownDir(env), 'redis.sock');
}

/** Start our own redis-server (idempotent: redis refuses a second one on the same socket). */
export function startOwnRedis(env: Env): void {
  const dir = ownDir(env);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('redis-server', [
    '--port', '0', '--unixsocket', ownSocket(env), '--unixsocketperm', '700',
    '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log'),
  ], { stdio: 'ignore' });
  if (r.error) throw new RedisUnavailable(`no Redis: FLOW_REDIS_URL is not set and redis-server could not be started (${(r.error as NodeJS.ErrnoException).code}); ${INSTALL_HINT}`);
  if (r.status !== 0) throw new RedisUnavailable(`no Redis: redis-server failed to start (see ${join(dir, 'redis.log')}); ${INSTALL_HINT}`);
}

async function tryConnect(url: string | undefined, base: RedisOptions): Promise<Redis> {
  let connected = false;
  // the first connection fails fast (we may start our own server); later drops are retried a few times
  const options: RedisOptions = { ...base, retryStrategy: (times) => (connected && times <= 5 ? 100 * times : null) };
  const redis = url ? new Redis(url, options) : new Redis(options);
  redis.on('error', () => undefined); // reported through the failing command instead
  try {
    await redis.connect();
    connected = true;
  } catch (e) {
    redis.disconnect(); // or it keeps retrying, and holds the process open
    throw e;
  }
  return redis;
}

/** A connected client, starting our own redis-server first if that is what we use and it is down. */
export async function connectRedis(env: Env): Promise<Redis> {
  const { url, options, own } = redisOptions(env);
  try {
    return await tryConnect(url, options);
  } catch (e) {
    if (!own) throw new RedisUnavailable(`cannot reach Redis at ${url}: ${(e as Error).message}`);
  }
  startOwnRedis(env);
  for (let i = 0; i < 50; i++) {
    if (existsSync(options.path!)) {
      try {
        return await tryConnect(undefined, options);
      } catch {
        // not accepting yet
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new RedisUnavailable(`no Redis: started redis-server but could not connect to ${options.path}; ${INSTALL_HINT}`);
}

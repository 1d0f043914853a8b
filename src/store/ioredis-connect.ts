/** The controller's ioredis connections (the commands use the light RESP client instead). */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../client/resp.js';
import { reach, redisTarget, startOwnRedis, type Env } from './connect.js';

export function ioredisOptions(t: RedisTarget): RedisOptions {
  return {
    ...(t.path ? { path: t.path } : { host: t.host, port: t.port }),
    password: t.password,
    username: t.username,
    db: t.db,
    ...(t.tls && { tls: { ...t.tls, servername: /^[\d.:]+$/.test(t.host ?? '') ? undefined : t.host } }),
    // a Redis that restarts and reads its data back answers LOADING: connect again (ioredis then waits until it is ready)
    reconnectOnError: (e) => (/^LOADING\b/.test(e.message) ? 2 : false),
  };
}

/**
 * Reconnect forever after the first connection, backing off up to 2 s.
 * Our own redis-server is started again when it stays away (a command would
 * do it too, but the controller may be the only one still running).
 */
export function retryStrategy(env: Env, onRetry?: (times: number) => void): (times: number) => number {
  const own = redisTarget(env).own;
  return (times) => {
    onRetry?.(times);
    if (own && times % 5 === 0) void startOwnRedis(env).catch(() => undefined);
    return Math.min(100 * times, 2000);
  };
}

async function open(env: Env, t: RedisTarget): Promise<Redis> {
  let connected = false;
  const retry = retryStrategy(env);
  // the first connection fails fast (our own server may need starting); later drops are retried
  const redis = new Redis({
    ...ioredisOptions(t),
    lazyConnect: true,
    connectTimeout: 2000,
    retryStrategy: (times) => (connected ? retry(times) : null),
  });
  redis.on('error', () => undefined); // reported through the failing command instead
  try {
    await redis.connect();
    connected = true;
  } catch (e) {
    redis.disconnect(); // or it keeps retrying and holds the process open
    throw e;
  }
  return redis;
}

export function connectRedis(env: Env): Promise<Redis> {
  return reach(env, (t) => open(env, t));
}

/** The controller's ioredis connections (the commands use the light RESP client instead). */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../client/resp.js';
import { reach, type Env } from './connect.js';

export function ioredisOptions(t: RedisTarget): RedisOptions {
  return t.path
    ? { path: t.path, password: t.password, username: t.username, db: t.db }
    : { host: t.host, port: t.port, password: t.password, username: t.username, db: t.db };
}

async function open(t: RedisTarget): Promise<Redis> {
  let connected = false;
  // the first connection fails fast (our own server may need starting); later drops are retried
  const redis = new Redis({
    ...ioredisOptions(t),
    lazyConnect: true,
    connectTimeout: 2000,
    retryStrategy: (times) => (connected ? Math.min(100 * times, 2000) : null),
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
  return reach(env, open);
}

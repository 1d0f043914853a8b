/**
 * FLOW_REDIS_URL read into a target. Pure (no socket code), so the served
 * commands' client (src/served/client) reads it too.
 */
export interface RedisTarget {
  path?: string;
  host?: string;
  port?: number;
  db?: number;
  password?: string;
  username?: string;
  /** rediss://: TLS, with these PEM files when given (a CA to trust; a client certificate and its key) */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** A FLOW_REDIS_URL that is not one: said without quoting it (it may hold a password). */
export class RedisUrlError extends Error {}

const URL_FORM = 'redis[s]://[[user]:password@]host[:port][/db]';

/** redis[s]://[user:pass@]host[:port][/db] (rediss: over TLS) */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(`FLOW_REDIS_URL is not a URL (expected ${URL_FORM})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(`FLOW_REDIS_URL must start with redis:// or rediss:// (expected ${URL_FORM})`);
  const db = u.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(db)) throw new RedisUrlError(`FLOW_REDIS_URL: what follows the host must be a database number (expected ${URL_FORM})`);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    ...(u.protocol === 'rediss:' && { tls: {} }),
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    password: u.password ? decode(u.password) : undefined,
    username: u.username ? decode(u.username) : undefined,
  };
}

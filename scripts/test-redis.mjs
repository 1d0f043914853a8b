/**
 * The Redis the tests use (FLOW_TEST_REDIS_URL, default redis://127.0.0.1:6379/7): when it is a
 * local address and nothing answers there, start a throw-away redis-server on that port (no
 * persistence), so `npm test` works on a machine whose Redis is not running. Used by the vitest
 * global setup and by .ci/run (`node scripts/test-redis.mjs`).
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';

export const TEST_REDIS_URL = process.env.FLOW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
const INSTALL = 'install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set FLOW_TEST_REDIS_URL to a running one';

function answers(host, port) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => s.end(() => resolve(true))).once('error', () => resolve(false)).once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** Resolves to a stop function for a server this call started, or undefined when one was already up. */
export async function ensureTestRedis(url = TEST_REDIS_URL) {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  if (await answers(host, port)) return undefined;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`no Redis answers at ${host}:${port} (FLOW_TEST_REDIS_URL); start it, or ${INSTALL}`);
  // without libfaketime (a shifted-clock run): redis-server hangs under it
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('FAKETIME') && !(k === 'LD_PRELOAD' && v.includes('faketime'))));
  const r = spawnSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore', env });
  if (r.error || r.status !== 0) throw new Error(`no Redis at ${host}:${port} and redis-server could not be started: ${INSTALL}`);
  for (let i = 0; i < 100; i++) {
    if (await answers(host, port)) {
      return () => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore' });
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`started redis-server on port ${port}, but it does not answer`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  ensureTestRedis().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
}

/**
 * A secret never shows: a Redis password (in FLOW_REDIS_URL) and a Mithril
 * API key are searched for in everything a whole job and its error paths
 * leave: every command's stdout and stderr, the controller's log, the job's
 * output files, and every file under the state directory and HOME.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverEnv } from '../../src/store/connect.js';
import { SMALL_CONF, TestCluster, type RunResult } from '../helpers/cluster.js';
import { rng } from '../helpers/rng.js';
import { freePort } from '../helpers/ports.js';

const random = rng(4711);
const token = (n: number) => Array.from({ length: n }, () => 'abcdefghijkmnpqrstuvwxyz23456789'[Math.floor(random() * 32)]).join('');
const PASSWORD = `pw-${token(20)}`;
const KEY = `fkey_${token(32)}`;


function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)).filter((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false; // a socket or a file gone meanwhile
    }
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanups.reverse()) await f();
});

describe('secrets', () => {
  it('a Redis password and a Mithril key appear in no output, log or file', async () => {
    const port = await freePort();
    const redisDir = mkdtempSync(join(tmpdir(), 'flow-secret-redis-'));
    const started = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no',
      '--requirepass', PASSWORD, '--daemonize', 'yes', '--pidfile', join(redisDir, 'redis.pid'), '--logfile', join(redisDir, 'redis.log')], { env: serverEnv(process.env) });
    expect(started.status).toBe(0);
    cleanups.push(() => {
      spawnSync('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', 'shutdown', 'nosave']);
      rmSync(redisDir, { recursive: true, force: true });
    });
    const home = mkdtempSync(join(tmpdir(), 'flow-secret-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const url = `redis://:${PASSWORD}@127.0.0.1:${port}/0`;
    const c = new TestCluster({ confText: `${SMALL_CONF}AccountingStorageType=accounting_storage/slurmdbd\n`, redisUrl: url, stateDir: join(home, 'state'), extraEnv: { HOME: home, MITHRIL_API_KEY: KEY } });
    cleanups.push(() => c.destroy());

    const outputs: RunResult[] = [];
    const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
      const r = c.run(cmd, args, { env });
      outputs.push(r);
      return r;
    };

    // a whole job, and one cancelled
    const id = c.submit(['-o', 'job-%j.out', '-e', 'job-%j.err', '--wrap', 'echo hello; srun hostname; echo to-stderr >&2']);
    await c.waitState(id, ['COMPLETED'], 60_000);
    const long = c.submit(['--wrap', 'sleep 60']);
    for (const [cmd, args] of [
      ['squeue', ['-t', 'all']], ['sacct', ['-j', String(id)]], ['scontrol', ['show', 'job', String(id)]], ['sinfo', []],
      ['scancel', [String(long)]], ['flow', ['controller', 'status']], ['flow', ['controllers']], ['scontrol', ['show', 'config']],
    ] as [string, string[]][]) {
      const r = run(cmd, args);
      expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(readFileSync(join(c.dir, `job-${id}.out`), 'utf8')).toMatch(/^hello\n/);

    // error paths: a wrong password, an unreachable host, a Mithril that is not there or answers badly
    const wrong = `redis://:${PASSWORD}-wrong@127.0.0.1:${port}/0`;
    for (const cmd of ['sbatch', 'squeue']) {
      const r = run(cmd, cmd === 'sbatch' ? ['--wrap', 'true'] : [], { FLOW_REDIS_URL: wrong });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${cmd}: error: Redis at redis://127\\.0\\.0\\.1:${port}/0 refused us: WRONGPASS [^\\n]*\\n$`));
    }
    const closed = await freePort();
    for (const cmd of ['sbatch', 'scontrol']) {
      const r = run(cmd, cmd === 'sbatch' ? ['--wrap', 'true'] : ['show', 'job', '1'], { FLOW_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${closed}/0`, FLOW_REDIS_TIMEOUT: '1' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${cmd}: error: cannot reach Redis at redis://127\\.0\\.0\\.1:${closed}/0 \\(gave up after 1 s: [^\\n]*\\)\\n$`));
    }
    // a URL that is not one is not quoted
    const bad = run('squeue', [], { FLOW_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}/x` });
    expect(bad.stderr).toMatch(/^squeue: error: FLOW_REDIS_URL: [^\n]*\n$/);
    // even what the user typed is shown without the secret in it
    expect(run('sbatch', [`--bogus=${PASSWORD}`, '--wrap', 'true']).stderr).toContain("sbatch: unrecognized option '--bogus=***'");
    // with FLOW_DEBUG=1 the stack shows, the secrets still do not
    run('sbatch', ['--wrap', 'true'], { FLOW_REDIS_URL: wrong, FLOW_DEBUG: '1' });

    // Mithril: nothing listening, and a service that echoes what it was sent (the key included) in its errors
    const echo = createHttpServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `bad request ${req.url} with ${req.headers.authorization ?? ''}` }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => echo.close(() => r())));
    const echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    for (const [apiUrl, debug] of [[`http://127.0.0.1:${closed}`, '1'], [echoUrl, '1'], [echoUrl, '']]) {
      // not spawnSync: the echoing service runs in this process
      const r = await c.runAsync('flow', ['pricing'], { env: { MITHRIL_API_URL: apiUrl!, FLOW_DEBUG: debug! } });
      outputs.push(r);
      expect(r.status).toBe(1);
      // with FLOW_DEBUG=1 the client's log comes first
      expect(r.stderr).toMatch(debug ? /(^|\n)flow: error: [^\n]+\n$/ : /^flow: error: [^\n]+\n$/);
    }
    // a key from ~/.flow/config.yaml instead of the environment
    mkdirSync(join(home, '.flow'), { recursive: true });
    writeFileSync(join(home, '.flow', 'config.yaml'), `api_key: ${KEY}\n`);
    const fromFile = await c.runAsync('flow', ['pricing'], { env: { MITHRIL_API_KEY: '', MITHRIL_API_URL: echoUrl, FLOW_DEBUG: '1' } });
    outputs.push(fromFile);
    expect(fromFile.status).toBe(1);
    rmSync(join(home, '.flow'), { recursive: true, force: true });

    // the controller has logged its run
    const log = filesUnder(join(home, 'state')).find((f) => f.endsWith('controller.log'));
    expect(log && readFileSync(log, 'utf8')).toMatch(/leading cluster/);
    const everything = [
      ...outputs.flatMap((r) => [r.stdout, r.stderr]),
      ...[...filesUnder(home), ...filesUnder(c.dir)].map((f) => `${f}\n${readFileSync(f, 'latin1')}`),
    ];
    for (const text of everything) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(KEY);
    }
  });
});

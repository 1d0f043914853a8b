/**
 * A team's Redis closed to strangers: a redis-server of the test's own, on its own port, that speaks
 * TLS only (a throw-away CA and certificate made with openssl) and knows only ACL users with
 * passwords (the default user is off). FLOW_REDIS_URL=rediss://user:password@host:port/db with
 * FLOW_REDIS_CA runs a job end to end (sbatch, the controller it starts, squeue, scontrol, scancel);
 * a wrong password, a missing CA or plain redis:// are refused in one line, and no output, error or
 * log ever shows a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverEnv } from '../../src/store/connect.js';
import { clockEnv, SMALL_CONF, type RunResult } from '../helpers/cluster.js';
import { ROOT } from '../helpers/oracle.js';
import { freePort } from '../helpers/ports.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const skip = !has('redis-server') || !has('openssl') ? 'needs redis-server (7, with TLS) and openssl' : undefined;
if (skip) process.stderr.write(`redis-acl-tls.test.ts skipped: ${skip}\n`);

const PASSWORD = 'Pw-team-4f9c2a';
const OTHER_PASSWORD = 'Pw-eve-77b1d0';


/** Every file under dir, as text (the controller's log and the spool). */
function allText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'latin1');
  }
  return out;
}

describe.skipIf(skip !== undefined)('Redis with ACL users over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-acl-'));
  let server: ChildProcess | undefined;
  let port = 0;
  const seen: string[] = [];
  const env = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', USER: process.env.USER ?? 'root', ...clockEnv(),
    SLURM_CONF: join(dir, 'slurm.conf'), FLOW_STATE_DIR: join(dir, 'state'), FLOW_REDIS_URL: url, FLOW_REDIS_CA: join(dir, 'ca.pem'),
    FLOW_REDIS_TIMEOUT: '5', ...extra,
  });
  const url = (user: string, password: string, scheme = 'rediss') => `${scheme}://${user}:${password}@127.0.0.1:${port}/3`;
  const run = (cmd: string, args: string[], e: Record<string, string>): RunResult => {
    const r = spawnSync(join(ROOT, 'bin', cmd), args, { cwd: dir, env: e, encoding: 'utf8', timeout: 120_000 });
    seen.push(r.stdout, r.stderr);
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    const ssl = (args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
    };
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=flow test CA']);
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
    writeFileSync(join(dir, 'slurm.conf'), SMALL_CONF.replace('ClusterName=x', `ClusterName=acl${process.pid}`));
    // the team's user may do everything flow-slurm does; another user only sees keys of its own
    writeFileSync(join(dir, 'users.acl'), [
      'user default off',
      `user flow on >${PASSWORD} ~* &* +@all`,
      `user eve on >${OTHER_PASSWORD} ~eve:* resetchannels +@all`,
    ].join('\n') + '\n');
    port = await freePort();
    server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1',
      '--tls-cert-file', join(dir, 'server.pem'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.pem'),
      '--tls-auth-clients', 'no', '--aclfile', join(dir, 'users.acl'), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore', env: serverEnv(process.env) });
    // ready when a TLS client with the team's password is answered
    for (let i = 0; i < 100; i++) {
      const r = spawnSync('redis-cli', ['--tls', '--cacert', join(dir, 'ca.pem'), '-p', String(port), '--user', 'flow', '--pass', PASSWORD, '--no-auth-warning', 'PING'], { encoding: 'utf8' });
      if (r.stdout.trim() === 'PONG') break;
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  afterAll(() => {
    if (server) {
      run('flow', ['controller', 'stop'], env(url('flow', PASSWORD)));
      server.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job through rediss:// with an ACL user and password (the controller included)', () => {
    const e = env(url('flow', PASSWORD));
    const sub = run('sbatch', ['--wait', '-o', 'out.txt', '--wrap', 'echo through-tls'], e);
    expect([sub.status, sub.stderr]).toEqual([0, '']);
    expect(sub.stdout).toMatch(/^Submitted batch job \d+\n$/);
    const id = sub.stdout.trim().split(' ').pop()!;
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('through-tls\n');
    const show = run('scontrol', ['-o', 'show', 'job', id], e);
    expect(show.stdout).toContain('JobState=COMPLETED');
    const held = run('sbatch', ['--parsable', '-H', '--wrap', 'true'], e);
    expect(run('squeue', ['-h', '-o', '%i %T %r'], e).stdout).toBe(`${held.stdout.trim()} PENDING JobHeldUser\n`);
    expect(run('scancel', [held.stdout.trim()], e).status).toBe(0);
    const status = run('flow', ['controller', 'status'], e);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`rediss://127.0.0.1:${port}/3`);
  });

  it('refuses a wrong password, another ACL user\'s narrower rights, plain redis:// and a CA it does not trust, in one line each', () => {
    const fast = { FLOW_NO_AUTOSTART: '1' };
    const wrong = run('squeue', [], env(url('flow', 'not-the-password'), fast));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^squeue: error: .*WRONGPASS/);
    const eve = run('squeue', [], env(url('eve', OTHER_PASSWORD), fast));
    expect(eve.status).toBe(1);
    expect(eve.stderr.trim().split('\n')).toHaveLength(1);
    expect(eve.stderr).toMatch(/^squeue: error: .*NOPERM/);
    const plain = run('squeue', [], env(url('flow', PASSWORD, 'redis'), fast));
    expect(plain.status).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const noCa = run('squeue', [], env(url('flow', PASSWORD), { ...fast, FLOW_REDIS_CA: '' }));
    expect(noCa.status).toBe(1);
    expect(noCa.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCa.stderr).toMatch(/^squeue: error: .*certificate/);
  });

  it('never shows a password: not in any output, error or log', () => {
    const everything = seen.join('\n') + allText(join(dir, 'state'));
    for (const secret of [PASSWORD, OTHER_PASSWORD, 'not-the-password']) expect(everything).not.toContain(secret);
  });
});

/**
 * The README's first command, as a new user runs it: in a fresh clone of the
 * committed HEAD, with a fresh HOME (so flow-slurm starts its own
 * redis-server and controller there, as the README says), the command taken
 * from the README's text, and every promise the README makes about it
 * checked: what it prints, the output file, and what squeue, sacct and
 * scontrol say afterwards. Then the README's flow.json example, run as
 * written on the built-in cluster, and the /etc/hosts promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT } from '../helpers/oracle.js';
import { clockEnv } from '../helpers/cluster.js';

const MARK = '# flow-slurm emulated node';

/** The body of the first ``` block (of the given language) after `after` in the text. */
function blockAfter(text: string, after: string | RegExp, lang = ''): string {
  const at = typeof after === 'string' ? text.indexOf(after) : text.search(after);
  if (at < 0) throw new Error(`README: no ${String(after)}`);
  const fence = `\`\`\`${lang}\n`;
  const start = text.indexOf(fence, at);
  if (start < 0) throw new Error(`README: no code block after ${String(after)}`);
  const end = text.indexOf('\n```', start + fence.length);
  return text.slice(start + fence.length, end + 1);
}

let base: string;
let clone: string;
let home: string;
let hostsFile: string;
let readme: string;
let env: Record<string, string>;

const run = (cmd: string, opts: { env?: Record<string, string> } = {}) => {
  const r = spawnSync('bash', ['-c', cmd], { cwd: clone, env: { ...env, ...opts.env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'flow-readme-'));
  clone = join(base, 'clone');
  home = join(base, 'home');
  hostsFile = join(base, 'hosts');
  writeFileSync(hostsFile, '127.0.0.1 localhost\n');
  // the committed HEAD, as a user gets it: nothing uncommitted, nothing built
  execFileSync('git', ['clone', '--quiet', ROOT, clone]);
  readme = readFileSync(join(clone, 'README.md'), 'utf8');
  // `npm ci` in a fresh clone takes ~50 s with a warm cache and needs the registry (a fresh HOME
  // has no cache): the worktree's node_modules (installed by `npm ci` from the same lock file)
  // stand in for it, and the build that `npm ci` runs (`prepare`) is run here.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: clone, stdio: 'ignore' });
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'root',
    ...clockEnv(),
    // /etc/hosts is the machine's, shared with every other test: a stand-in file takes its part
    FLOW_HOSTS_FILE: hostsFile,
  };
}, 120_000);

afterAll(async () => {
  // what the README says stops them: the controller, then our own redis-server
  run('bin/flow controller stop');
  const redis = new Redis({ path: join(home, '.local/state/flow-slurm/redis/redis.sock'), lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    await redis.shutdown('NOSAVE').catch(() => undefined);
  } catch {
    // not running
  } finally {
    redis.disconnect();
  }
  rmSync(base, { recursive: true, force: true });
});

describe('the README, as a new user reads it', () => {
  it('first command: the sample job runs on the local provider, with every promise kept', async () => {
    const setup = readme.slice(readme.indexOf('## Set-up'));
    const line = blockAfter(setup, '## Set-up', 'sh').split('\n')[0]!;
    const command = line.replace(/\s+#.*$/, '');
    const [install, ...rest] = command.split(' && ');
    expect(install).toBe('npm ci'); // done in beforeAll, see there
    expect(rest[0]).toMatch(/^bin\/sbatch /);

    const r = run(rest.join(' && '));
    const promisedOutput = blockAfter(setup, 'shows its output file');
    const fileName = /shows its output file, `([^`]+)`/.exec(setup)![1]!;
    const submitted = /first command prints `([^`]+)`/.exec(setup)![1]!;
    expect(r).toEqual({ status: 0, stdout: `${submitted}\n${promisedOutput}`, stderr: '' });
    expect(readFileSync(join(clone, fileName), 'utf8')).toBe(promisedOutput);

    // "Then `bin/squeue` no longer lists the job"
    expect(setup).toContain('Then `bin/squeue` no longer lists the job');
    const q = run('bin/squeue');
    expect(q.status).toBe(0);
    expect(q.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^\s+JOBID PARTITION\s+NAME\s+USER ST\s+TIME\s+NODES NODELIST\(REASON\)$/)]);

    // "`bin/sacct -j 1` shows `1` and `1.batch` `COMPLETED` with exit code `0:0`"
    expect(setup).toContain('`bin/sacct -j 1` shows `1` and `1.batch` `COMPLETED`\nwith exit code `0:0`');
    const acct = run('bin/sacct -j 1');
    expect(acct.status).toBe(0);
    const rows = acct.stdout.trimEnd().split('\n').slice(2).map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => [c[0], c.at(-2), c.at(-1)])).toEqual([['1', 'COMPLETED', '0:0'], ['1.batch', 'COMPLETED', '0:0']]);

    // "`bin/scontrol show job 1` shows `JobState=COMPLETED` and `ExitCode=0:0`"
    expect(setup).toContain('`bin/scontrol show job 1` shows `JobState=COMPLETED` and `ExitCode=0:0`');
    const show = run('bin/scontrol show job 1');
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/ JobState=COMPLETED /);
    expect(show.stdout).toMatch(/ ExitCode=0:0\n/);

    // its own redis-server under ~/.local/state/flow-slurm/redis, and a controller
    expect(existsSync(join(home, '.local/state/flow-slurm/redis/redis.sock'))).toBe(true);
    expect(run('bin/flow controller status').status).toBe(0);

    // as root, node names that do not resolve were added to the hosts file, one line each
    if (process.getuid?.() === 0) {
      const hosts = readFileSync(hostsFile, 'utf8');
      for (const node of ['node1', 'node2', 'node3', 'node4']) {
        const added = new RegExp(`^127\\.0\\.1\\.\\d+ ${node}  ${MARK}$`, 'm').test(hosts);
        const resolvedElsewhere = await lookup(node).then(() => true, () => false);
        expect(added || resolvedElsewhere, node).toBe(true);
      }
    }
  });

  it('the flow.json example works on the built-in cluster, as written', () => {
    const example = blockAfter(readme, 'so it reads one only through `FLOW_CONFIG`', 'sh');
    expect(example).toContain('cat > ~/flow.json');
    const r = run(`${example}bin/sbatch --parsable --wait fixtures/samples/hello.slurm && bin/squeue -h`);
    expect(r).toEqual({ status: 0, stdout: expect.stringMatching(/^\d+\n$/), stderr: '' });
    expect(existsSync(join(home, 'flow.json'))).toBe(true);
  });

  it('flow clean --hosts removes the node lines and nothing else', () => {
    expect(readme).toContain('`bin/flow clean --hosts` removes the lines again');
    writeFileSync(hostsFile, `127.0.0.1 localhost\n127.0.1.1 node1  ${MARK}\n::1 localhost6\n127.0.1.2 node2  ${MARK}\n`);
    const r = run('bin/flow clean --hosts');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`flow: removed 2 emulated node lines from ${hostsFile}\n`);
    expect(readFileSync(hostsFile, 'utf8')).toBe('127.0.0.1 localhost\n::1 localhost6\n');
  });
});

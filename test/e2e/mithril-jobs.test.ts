/**
 * Slurm jobs on Mithril, against the fake market started here: real HTTP to
 * the fake API, instances that are process trees with their own sshd, disk
 * (a directory) and address, and our commands by path. The driver reaches an
 * instance only over ssh, so what comes back into the submit directory came
 * through it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessMachines, findSshd } from '../../src/providers/fake-mithril/machines.js';
import { FakeMithril } from '../../src/providers/fake-mithril/server.js';
import { MithrilClient } from '../../src/providers/mithril/client.js';
import { Secret } from '../../src/providers/mithril/secret.js';
import { ClusterSet, alive, type TestCluster } from '../helpers/cluster.js';
import { clusterPaths } from '../../src/cluster/paths.js';
import { freePort } from '../helpers/ports.js';

const KEY = `fkey_${randomBytes(16).toString('hex')}`;
const H100 = 'h100-80gb.sxm.8x';

const CONF = `ClusterName=x
KillWait=2
AccountingStorageType=accounting_storage/slurmdbd
NodeName=h100-[1-8] CPUs=8 RealMemory=64000 Gres=gpu:h100:8 State=CLOUD
PartitionName=h100 Nodes=h100-[1-8] Default=YES MaxTime=INFINITE State=UP
`;
const FLOW_JSON = JSON.stringify({ partitions: { h100: { provider: 'mithril', instanceType: H100, region: 'us-central1-a', maxPricePerHour: 40 } } });

let dir: string;
let machines: ProcessMachines;
let server: FakeMithril;
const clusters = new ClusterSet();

interface Bid { fid: string; name: string; status: string; limit_price: string; instance_quantity: number; instances: string[] }

async function bids(): Promise<Bid[]> {
  const r = await fetch(`${server.url}/v2/spot/bids?project=${server.market.projects[0]!.fid}&limit=100`, { headers: { authorization: `Bearer ${KEY}` } });
  return ((await r.json()) as { data: Bid[] }).data;
}

async function instanceStatuses(bidFid: string): Promise<string[]> {
  const r = await fetch(`${server.url}/v2/instances?project=${server.market.projects[0]!.fid}&bid_fid_in=${bidFid}`, { headers: { authorization: `Bearer ${KEY}` } });
  return ((await r.json()) as { data: { status: string }[] }).data.map((i) => i.status);
}

/** The bids named with this prefix, once none of them is open any more (within 5 s). */
async function endedBids(prefix: string): Promise<Bid[]> {
  for (let i = 0; i < 50 && (await bids()).some((b) => b.name.startsWith(prefix) && b.status !== 'Terminated'); i++) await new Promise((r) => setTimeout(r, 100));
  return (await bids()).filter((b) => b.name.startsWith(prefix));
}

/** A file of the submit directory says this (it may not exist yet). */
function says(c: TestCluster, file: string, text: string): boolean {
  try {
    return readFileSync(join(c.dir, file), 'utf8').includes(text);
  } catch {
    return false;
  }
}

function mithrilCluster(extraEnv: Record<string, string> = {}): TestCluster {
  const c = clusters.make({
    confText: CONF,
    extraEnv: { MITHRIL_API_URL: server.url, MITHRIL_API_KEY: KEY, MITHRIL_PROJECT: 'default', MITHRIL_SSH_USER: userInfo().username, ...extraEnv },
  });
  writeFileSync(join(c.dir, 'flow.json'), FLOW_JSON);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flow-mithril-jobs-'));
  machines = new ProcessMachines({ root: join(dir, 'instances'), sshd: findSshd(), graceMs: 300, log: () => {} });
  server = new FakeMithril({
    pools: [{ typeName: H100, region: 'us-central1-a', capacity: 8 }],
    tickMs: 100, noticeMs: 8000, stageMs: 100, relocateMs: 400, quota: 100, apiKey: KEY, seed: 7, sshPort: await freePort(), machines,
  });
  await server.start();
});

afterAll(async () => {
  await clusters.destroy();
  await server?.stop();
  await machines?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a batch job on Mithril', () => {
  it('is one bid at the limit price; the script runs on the instance; its output comes back; the bid is deleted at the end', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'data.txt'), 'from the submit directory\n');
    writeFileSync(join(c.dir, 'job.sh'), '#!/bin/bash\n#SBATCH -o out-%j.txt\necho "host $(hostname) node $SLURMD_NODENAME job $SLURM_JOB_ID nodes $SLURM_JOB_NODELIST"\ncat data.txt\necho to-stderr >&2\nexit 0\n');
    writeFileSync(join(c.dir, 'fails.sh'), '#!/bin/sh\n#SBATCH -o fails-%j.out\n#SBATCH -e fails-%j.err\necho out; echo err >&2; exit 3\n');
    const failing = c.submit(['fails.sh']);
    const id = c.submit(['job.sh']);
    const done = await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED', 'NODE_FAIL'], 60_000);
    expect(done.get('JobState')).toBe('COMPLETED');
    const out = readFileSync(join(c.dir, `out-${id}.txt`), 'utf8');
    expect(out).toMatch(new RegExp(`^host \\S+ node (h100-\\d) job ${id} nodes \\1\\nfrom the submit directory\\nto-stderr\\n$`));
    const node = / node (h100-\d) /.exec(out)![1];
    // the instance's own name, not this machine's
    expect(out).not.toContain(`host ${readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()} `);
    const mine = (await bids()).filter((b) => b.name.startsWith(`${c.name}-${id}-`));
    expect(mine.map((b) => [b.instance_quantity, b.limit_price])).toEqual([[1, '$40.00']]);
    // deleted once the end is recorded
    expect((await endedBids(`${c.name}-${id}-`)).map((b) => b.status)).toEqual(['Terminated']);
    const acct = c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'JobID,State,ExitCode,NodeList']);
    expect([acct.stdout, acct.stderr]).toEqual([`${id}|COMPLETED|0:0|${node}\n`, '']);
    // a separate --error file, and the exit status
    expect((await c.waitState(failing, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('ExitCode')).toBe('3:0');
    expect(c.job(failing).get('JobState')).toBe('FAILED');
    expect(readFileSync(join(c.dir, `fails-${failing}.out`), 'utf8')).toBe('out\n');
    expect(readFileSync(join(c.dir, `fails-${failing}.err`), 'utf8')).toBe('err\n');
    // the startup script is ours, far under Mithril's 10,000-character limit: the job goes over ssh
    for (const b of (await bids()).filter((x) => x.name.startsWith(`${c.name}-`))) {
      expect((b as unknown as { launch_specification: { startup_script: string } }).launch_specification.startup_script.length).toBeLessThan(10_000);
    }
  }, 90_000);

  it('-N 2: one bid of 2 instances; srun runs on both; rank 1 reaches rank 0 at the first node name; steps in sacct', async () => {
    const c = mithrilCluster();
    const port = await freePort();
    writeFileSync(join(c.dir, 'rendezvous.py'), [
      'import os, socket, sys, time',
      `port = ${port}`,
      'master = sys.argv[1]',
      'if os.environ["SLURM_PROCID"] == "0":',
      '    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      '    s.bind((socket.gethostbyname(master), port)); s.listen(1)',
      '    c, _ = s.accept(); print("rank 0 got:", c.recv(100).decode(), flush=True)',
      'else:',
      '    for i in range(100):',
      '        try:',
      '            c = socket.create_connection((master, port), timeout=2); break',
      '        except OSError:',
      '            time.sleep(0.1)',
      '    c.sendall(("hello from rank %s on %s" % (os.environ["SLURM_PROCID"], os.popen("hostname").read().strip())).encode())',
      '',
    ].join('\n'));
    writeFileSync(join(c.dir, 'mn.sh'), [
      '#!/bin/bash',
      '#SBATCH -N 2',
      '#SBATCH -o mn-%j.out',
      'srun -l hostname | sort > hosts.txt',
      'cat hosts.txt',
      'srun -l printenv SLURM_PROCID SLURM_NODEID SLURMD_NODENAME | sort',
      'MASTER=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)',
      'echo "master $MASTER"',
      'srun python3 rendezvous.py "$MASTER"',
      '',
    ].join('\n'));
    const id = c.submit(['-p', 'h100', '-N', '2', 'mn.sh']);
    const done = await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED', 'NODE_FAIL'], 90_000);
    const out = readFileSync(join(c.dir, `mn-${id}.out`), 'utf8');
    expect(done.get('JobState'), out).toBe('COMPLETED');
    const mine = (await bids()).filter((b) => b.name.startsWith(`${c.name}-${id}-`));
    expect(mine.map((b) => [b.instance_quantity, b.limit_price])).toEqual([[2, '$40.00']]);
    // the two instances' own names (what `hostname` prints there), one per rank
    const hosts = out.split('\n').slice(0, 2).map((l) => /^([01]): (\S+)$/.exec(l)?.[2]);
    expect(new Set(hosts).size, out).toBe(2);
    for (const h of hosts) expect(h, out).toMatch(/^\S+$/);
    expect(out).toContain(['0: 0', '0: 0', '0: h100-1', '1: 1', '1: 1', '1: h100-2'].join('\n'));
    expect(out).toContain('master h100-1\n');
    expect(out).toContain(`rank 0 got: hello from rank 1 on ${hosts[1]}\n`);
    const acct = c.run('sacct', ['-j', String(id), '-n', '-P', '-o', 'JobID,State,ExitCode,NNodes,NTasks']);
    expect(acct.stdout.split('\n').filter((l) => /^\d+\.\d+\|/.test(l))).toEqual([`${id}.0|COMPLETED|0:0|2|2`, `${id}.1|COMPLETED|0:0|2|2`, `${id}.2|COMPLETED|0:0|2|2`]);
    // the job's row: COMPLETED, and the price paid per instance-hour (recorded once billing closed)
    const paid = await c.waitFor('the price paid', () => {
      const r = c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'JobID,State,FlowPricePerHour,FlowCost']).stdout;
      return /\|\d+\.\d\d\|\d+\.\d\d\n$/.test(r) && r;
    }, 20_000);
    expect(paid).toMatch(new RegExp(`^${id}\\|COMPLETED\\|\\d+\\.\\d\\d\\|\\d+\\.\\d\\d\\n$`));
    expect(Number(paid.split('|')[2])).toBeGreaterThan(0);
  }, 120_000);

  it('scancel deletes its bid within 2 s and the job ends CANCELLED', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'long.sh'), '#!/bin/sh\n#SBATCH -o long.out\necho started\nsleep 300\n');
    const id = c.submit(['long.sh']);
    await c.waitState(id, ['RUNNING'], 60_000);
    await c.waitFor('the script to start', () => says(c, 'long.out', 'started'), 30_000);
    const t0 = Date.now();
    expect(c.run('scancel', [String(id)]).status).toBe(0);
    const name = `${c.name}-${id}-`;
    for (;;) {
      const b = (await bids()).find((x) => x.name.startsWith(name));
      if (b?.status === 'Terminated') break;
      if (Date.now() - t0 > 5000) throw new Error(`bid still ${b?.status} after 5 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const took = Date.now() - t0;
    process.stdout.write(`mithril: scancel to bid Terminated in ${took} ms\n`);
    expect(took).toBeLessThan(2000);
    expect((await c.waitState(id, ['CANCELLED', 'COMPLETED', 'FAILED'], 20_000)).get('JobState')).toBe('CANCELLED');
    // its instance terminates
    const bid = (await bids()).find((x) => x.name.startsWith(name))!;
    for (let i = 0; i < 50 && !(await instanceStatuses(bid.fid)).every((st) => st === 'STATUS_TERMINATED'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await instanceStatuses(bid.fid)).toEqual(['STATUS_TERMINATED']);
  }, 90_000);

  it('scontrol requeue: the run ends, its bid is deleted, and the job runs again as restart 1 under a new bid', async () => {
    const c = mithrilCluster({ FLOW_MINUTE_SECONDS: '3' });
    writeFileSync(join(c.dir, 'rq.sh'), '#!/bin/sh\n#SBATCH -o rq.out\n#SBATCH --open-mode=append\necho "run ${SLURM_RESTART_COUNT:-0}"\n[ "${SLURM_RESTART_COUNT:-0}" = 1 ] && exit 0\nsleep 300\n');
    const id = c.submit(['rq.sh']);
    await c.waitFor('the first run', () => says(c, 'rq.out', 'run 0'), 60_000);
    const r = c.run('scontrol', ['requeue', String(id)]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000)).get('Restarts')).toBe('1');
    expect(c.job(id).get('JobState')).toBe('COMPLETED');
    expect(readFileSync(join(c.dir, 'rq.out'), 'utf8')).toMatch(/^run 0\n(slurmstepd-h100-\d: error: \*\*\* JOB \d+ ON h100-\d CANCELLED AT \S+ DUE TO JOB REQUEUE \*\*\*\n)run 1\n$/);
    expect((await endedBids(`${c.name}-${id}-`)).map((b) => `${b.name} ${b.status}`).sort())
      .toEqual([`${c.name}-${id}-1 Terminated`, `${c.name}-${id}-2 Terminated`]);
  }, 120_000);

  it('flow logs -f follows the output as it comes back; flow cancel ends the job as scancel does', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'talk.sh'), '#!/bin/sh\n#SBATCH -o talk.out\nfor i in 1 2 3 4 5; do echo "line $i"; sleep 0.3; done\nsleep 300\n');
    const id = c.submit(['talk.sh']);
    const following = c.runAsync('flow', ['logs', '-f', String(id)]);
    await c.waitFor('the five lines back here', () => says(c, 'talk.out', 'line 5'), 60_000);
    expect(c.run('flow', ['logs', String(id)]).stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    // flow status without ids: every job listed
    expect((JSON.parse(c.run('flow', ['status', '--json']).stdout) as { jobId: number; state: string }[]).map((j) => [j.jobId, j.state])).toEqual([[id, 'RUNNING']]);
    const cancel = c.run('flow', ['cancel', String(id)]);
    expect([cancel.status, cancel.stdout, cancel.stderr]).toEqual([0, '', '']);
    expect((await c.waitState(id, ['CANCELLED', 'COMPLETED', 'FAILED'], 20_000)).get('JobState')).toBe('CANCELLED');
    const logs = await following;
    expect(logs.status).toBe(0);
    expect(logs.stdout).toMatch(/^line 1\nline 2\nline 3\nline 4\nline 5\n(slurmstepd-h100-\d: error: \*\*\* JOB \d+ ON h100-\d CANCELLED AT \S+ \*\*\*\n)$/);
    const other = c.run('flow', ['logs', '--node', '1', String(id)]);
    expect([other.status, other.stderr]).toEqual([1, `flow: error: job ${id}: only node 0 (the batch node) has a log: srun's tasks on the other nodes write into the batch output\n`]);
    // flow cancel is scancel: the same answer to an id that does not exist
    const [flowAnswer, scancelAnswer] = [c.run('flow', ['cancel', '-v', '999999']), c.run('scancel', ['-v', '999999'])];
    expect([flowAnswer.status, flowAnswer.stdout, flowAnswer.stderr]).toEqual([scancelAnswer.status, scancelAnswer.stdout, scancelAnswer.stderr]);
    expect(scancelAnswer.stderr).toContain('Kill job error on job id 999999: Invalid job id specified');
  }, 90_000);

  it('#FLOW --image runs the batch step through docker run on the instance (the fake market records the image and has no runtime)', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'data.txt'), 'x\n');
    writeFileSync(join(c.dir, 'img.sh'), [
      '#!/bin/sh',
      '#SBATCH -o img.out',
      '#FLOW --image=nvidia/cuda:12.1.0-runtime-ubuntu22.04',
      'echo "image=$FLOW_EMULATOR_IMAGE job=$SLURM_JOB_ID args=$* data=$(cat data.txt)"',
      '',
    ].join('\n'));
    const id = c.submit(['img.sh', 'one', 'two words']);
    expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('JobState')).toBe('COMPLETED');
    expect(readFileSync(join(c.dir, 'img.out'), 'utf8')).toBe(`image=nvidia/cuda:12.1.0-runtime-ubuntu22.04 job=${id} args=one two words data=x\n`);
    expect(JSON.parse(c.run('flow', ['status', '--json', String(id)]).stdout)[0].placement.image).toBe('nvidia/cuda:12.1.0-runtime-ubuntu22.04');
  }, 90_000);

  it('--time is enforced on the instance (TIMEOUT), and the bid is deleted at the end', async () => {
    const c = mithrilCluster({ FLOW_MINUTE_SECONDS: '3' });
    writeFileSync(join(c.dir, 'slow.sh'), '#!/bin/sh\n#SBATCH -o slow.out\n#SBATCH --time=1\necho started\nsleep 300\n');
    const id = c.submit(['slow.sh']);
    expect((await c.waitState(id, ['TIMEOUT', 'COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('JobState')).toBe('TIMEOUT');
    expect(readFileSync(join(c.dir, 'slow.out'), 'utf8')).toMatch(/^started\nslurmstepd-h100-\d: error: \*\*\* JOB \d+ ON h100-\d CANCELLED AT \S+ DUE TO TIME LIMIT \*\*\*\n$/);
    expect((await endedBids(`${c.name}-${id}-`)).map((b) => b.status)).toEqual(['Terminated']);
  }, 90_000);
});

interface LedgerBid { bid_fid: string; name: string; charged_cents: number; instances: { periods: number }[] }
async function ledger(): Promise<LedgerBid[]> {
  return (await (await fetch(`${server.url}/_emulator/ledger`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as LedgerBid[];
}

/** Somebody else bidding on the pool (its own client, its own key). */
async function rivalBids(specs: { name: string; cents: number; quantity: number }[]): Promise<() => Promise<void>> {
  const client = new MithrilClient({ apiUrl: server.url, key: new Secret(KEY), project: 'default' });
  const [type] = await client.resolveInstanceType(H100, 'us-central1-a');
  const key = (await client.sshKeys()).find((k) => k.name === 'rival') ?? await client.createSshKey('rival');
  const made: { fid: string }[] = [];
  for (const b of specs) made.push(await client.createBid({ name: b.name, instanceType: type!.fid, region: 'us-central1-a', limitPriceCents: b.cents, quantity: b.quantity, sshKeys: [key.fid] }));
  return async () => {
    for (const b of made) await client.deleteBid(b.fid);
    await client.close();
  };
}

describe('a controller that dies', () => {
  it('kill -9 right after it created a bid: its successor finds the bid, there is one for the job, and the job completes', async () => {
    const c = mithrilCluster();
    const crashing = c.startController({ FLOW_CRASH_AT: 'launch-spawned' });
    expect(await c.leader()).toBe(crashing);
    writeFileSync(join(c.dir, 'once.sh'), '#!/bin/sh\n#SBATCH -o once.out\necho ran on $SLURMD_NODENAME\n');
    const id = c.submit(['once.sh']);
    await c.waitFor('the controller to die after creating the bid', () => !alive(crashing), 60_000);
    expect(readFileSync(clusterPaths(c.env, c.name).log, 'utf8')).toContain('FLOW_CRASH_AT=launch-spawned: killing this controller');
    expect((await bids()).filter((b) => b.name.startsWith(`${c.name}-${id}-`))).toHaveLength(1);
    c.startController();
    expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('JobState')).toBe('COMPLETED');
    expect(readFileSync(join(c.dir, 'once.out'), 'utf8')).toBe('ran on h100-1\n');
    expect((await bids()).filter((b) => b.name.startsWith(`${c.name}-${id}-`)).map((b) => b.name)).toEqual([`${c.name}-${id}-1`]);
  }, 120_000);
});

describe('faults', () => {
  it('with 429s, 500s, a hang and a slow start injected, every job completes, no bid is made twice, and the key is nowhere', async () => {
    const c = mithrilCluster({ FLOW_MITHRIL_TIMEOUT_MS: '1500' });
    server.faults.add({ kind: '429', method: 'POST', path: '/v2/spot/bids', rate: 1, count: 2, retryAfter: 1 });
    // the bid is made, and the answer is lost: the driver must look it up, not make a second
    server.faults.add({ kind: '500', method: 'POST', path: '/v2/spot/bids', rate: 1, count: 1, phase: 'after' });
    server.faults.add({ kind: '500', method: 'GET', path: '/v2/instances', rate: 0.3, count: 6 });
    server.faults.add({ kind: 'hang', method: 'GET', path: '/v2/spot/bids/{bid_fid}', rate: 1, count: 1 });
    server.faults.add({ kind: 'slow-start', rate: 1, count: 1, delayMs: 3000 });
    try {
      writeFileSync(join(c.dir, 'f.sh'), '#!/bin/sh\n#SBATCH -o f-%j.out\necho "job $SLURM_JOB_ID on $SLURMD_NODENAME"\nenv | sort\n');
      const ids = [c.submit(['f.sh']), c.submit(['f.sh']), c.submit(['f.sh'])];
      for (const id of ids) expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED', 'NODE_FAIL'], 90_000)).get('JobState')).toBe('COMPLETED');
      const hits = server.faults.list();
      process.stdout.write(`mithril: faults hit ${JSON.stringify(hits.map((h) => [h.rule.kind, h.rule.method ?? '', h.rule.path ?? '', h.hits]))}\n`);
      for (const h of hits.filter((x) => x.rule.rate === 1)) expect(h.hits, JSON.stringify(h)).toBeGreaterThan(0);
      const all = await bids();
      for (const id of ids) expect(all.filter((b) => b.name.startsWith(`${c.name}-${id}-`)).map((b) => b.name)).toEqual([`${c.name}-${id}-1`]);
      // the key: not in the jobs' output (their environment included), the controller's log, the
      // commands' answers, or anything on the instances' disks
      const seen = [
        ...ids.map((id) => readFileSync(join(c.dir, `f-${id}.out`), 'utf8')),
        readFileSync(clusterPaths(c.env, c.name).log, 'utf8'),
        ...['squeue', 'sacct', 'scontrol'].map((cmd) => { const r = c.run(cmd, cmd === 'scontrol' ? ['show', 'job'] : []); return r.stdout + r.stderr; }),
        c.run('flow', ['status', '--json', ...ids.map(String)]).stdout,
      ];
      expect(seen[0]).toContain('SLURM_JOB_ID=');
      for (const text of seen) expect(text.includes(KEY)).toBe(false);
      const grep = spawnSync('grep', ['-rl', KEY, join(dir, 'instances'), c.dir], { encoding: 'utf8' });
      expect([grep.status, grep.stdout, grep.stderr]).toEqual([1, '', '']);
    } finally {
      server.faults.clear();
    }
  }, 180_000);
});

describe('a failed instance', () => {
  it('an instance that fails (STATUS_ERROR) ends the run NODE_FAIL; the job is requeued, bids again and completes', async () => {
    const c = mithrilCluster({ FLOW_MINUTE_SECONDS: '3' });
    server.faults.add({ kind: 'error', rate: 1, count: 1 });
    try {
      writeFileSync(join(c.dir, 'nf.sh'), '#!/bin/sh\n#SBATCH -o nf.out\necho "run ${SLURM_RESTART_COUNT:-0}"\nsleep 2\n');
      const id = c.submit(['nf.sh']);
      expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED', 'NODE_FAIL'], 90_000)).get('JobState')).toBe('COMPLETED');
      expect(server.faults.list()[0]!.hits).toBe(1);
      const runs = c.run('sacct', ['-D', '-X', '-n', '-P', '-j', String(id), '-o', 'State']).stdout.split('\n').filter(Boolean).sort();
      expect(runs).toEqual(['COMPLETED', 'NODE_FAIL']);
      expect(readFileSync(join(c.dir, 'nf.out'), 'utf8')).toMatch(/run 1\n$/);
      expect((await bids()).filter((b) => b.name.startsWith(`${c.name}-${id}-`)).map((b) => b.name).sort()).toEqual([`${c.name}-${id}-1`, `${c.name}-${id}-2`]);
    } finally {
      server.faults.clear();
    }
  }, 120_000);
});

describe('arrays', () => {
  it('an array of 20 single-node tasks with %5 never holds more than 5 bids at once, and all 20 complete', async () => {
    // a minute of 3 s: a task whose instance failed to start is requeued, and eligible again soon
    const c = mithrilCluster({ FLOW_MINUTE_SECONDS: '3' });
    writeFileSync(join(c.dir, 'a.sh'), '#!/bin/sh\n#SBATCH -o a-%A_%a.out\necho "task $SLURM_ARRAY_TASK_ID"\nsleep 1\n');
    const id = c.submit(['--array=0-19%5', 'a.sh']);
    let most = 0;
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const open = (await bids()).filter((b) => b.name.startsWith(`${c.name}-`) && b.status !== 'Terminated').length;
        most = Math.max(most, open);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await c.waitFor('all 20 tasks to end', () => {
        const r = c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'JobID,State']);
        const lines = r.stdout.split('\n').filter(Boolean);
        return lines.length === 20 && lines.every((l) => /\|(COMPLETED|FAILED|CANCELLED)$/.test(l)) && lines;
      }, 150_000).catch(async (e: Error) => {
        // what was left, to tell why
        const log = readFileSync(clusterPaths(c.env, c.name).log, 'utf8').split('\n').slice(-30).join('\n');
        const open = (await bids()).filter((b) => b.name.startsWith(`${c.name}-`) && b.status !== 'Terminated').map((b) => `${b.name} ${b.status} ${b.instances.join(',')}`);
        throw new Error(`${e.message}\n${c.run('squeue', ['-t', 'all', '-r', '-o', '%i %T %r %N']).stdout}\nopen bids: ${open.join('; ')}\n${log}`);
      });
    } finally {
      done = true;
      await watcher;
    }
    const states = c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'JobID,State']).stdout.split('\n').filter(Boolean);
    expect(states.filter((l) => l.endsWith('|COMPLETED'))).toHaveLength(20);
    for (let t = 0; t < 20; t++) expect(readFileSync(join(c.dir, `a-${id}_${t}.out`), 'utf8')).toBe(`task ${t}\n`);
    process.stdout.write(`mithril: array %5: at most ${most} bids open at once\n`);
    expect(most).toBeLessThanOrEqual(5);
    expect(most).toBeGreaterThanOrEqual(2);
  }, 200_000);
});

describe('money', () => {
  it('the cost sacct and flow status report is the market ledger\'s to the cent, for a job whose spot price changed while it ran', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'paid.sh'), '#!/bin/sh\n#SBATCH -o paid.out\necho started\nsleep 9\n');
    const id = c.submit(['paid.sh']);
    await c.waitFor('the script to start', () => says(c, 'paid.out', 'started'), 60_000);
    // a winner beside us and a loser: the price every winner pays becomes the loser's limit
    const stop = await rivalBids([{ name: 'winner', cents: 3500, quantity: 7 }, { name: 'loser', cents: 2000, quantity: 1 }]);
    await new Promise((r) => setTimeout(r, 3000));
    await stop();
    expect((await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('JobState')).toBe('COMPLETED');
    const name = `${c.name}-${id}-1`;
    const sacct = () => c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'JobID,State,FlowCost,FlowPricePerHour']).stdout;
    let mine: LedgerBid | undefined;
    for (let i = 0; i < 100; i++) {
      mine = (await ledger()).find((b) => b.name === name);
      if (mine && sacct() === `${id}|COMPLETED|${(mine.charged_cents / 100).toFixed(2)}|${sacct().split('|')[3]}`) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // the price changed while it ran: more than one billing period
    expect(mine!.instances[0]!.periods).toBeGreaterThan(1);
    expect(mine!.charged_cents).toBeGreaterThan(0);
    const cost = (mine!.charged_cents / 100).toFixed(2);
    process.stdout.write(`mithril: job cost ${cost} USD over ${mine!.instances[0]!.periods} billing periods (ledger ${mine!.charged_cents} cents)\n`);
    expect(sacct()).toMatch(new RegExp(`^${id}\\|COMPLETED\\|${cost.replace('.', '\\.')}\\|\\d+\\.\\d\\d\\n$`));
    const status = JSON.parse(c.run('flow', ['status', '--json', String(id)]).stdout) as { cost: number; pricePerHour: number }[];
    expect(status[0]!.cost.toFixed(2)).toBe(cost);
    expect(c.run('flow', ['status', String(id)]).stdout).toContain(` Cost=${cost}\n`);
    // plain sacct is Slurm's columns only
    expect(c.run('sacct', ['-j', String(id), '-X', '-n']).stdout).not.toContain(cost);
  }, 120_000);
});

describe('--max-cost', () => {
  it('a job that reaches its cap gets its signal and ends CANCELLED, Reason=MaxCostReached, its bid deleted', async () => {
    const c = mithrilCluster();
    writeFileSync(join(c.dir, 'spend.sh'), [
      '#!/bin/bash',
      '#SBATCH -o spend.out',
      '#SBATCH --signal=B:USR1@60',
      '#FLOW --max-cost=0.01',
      'trap \'echo "got USR1"\' USR1',
      'echo started',
      'for i in $(seq 3000); do sleep 0.1; done',
      '',
    ].join('\n'));
    const id = c.submit(['spend.sh']);
    const ended = await c.waitState(id, ['CANCELLED', 'COMPLETED', 'FAILED', 'TIMEOUT'], 120_000);
    expect([ended.get('JobState'), ended.get('Reason')]).toEqual(['CANCELLED', 'MaxCostReached']);
    const out = readFileSync(join(c.dir, 'spend.out'), 'utf8');
    expect(out).toMatch(/^started\ngot USR1\nslurmstepd-h100-\d: error: \*\*\* JOB \d+ ON h100-\d CANCELLED AT \S+ DUE TO COST LIMIT \*\*\*\n/);
    expect((await endedBids(`${c.name}-${id}-`)).map((b) => b.status)).toEqual(['Terminated']);
    const cost = await c.waitFor('the final cost', () => {
      const v = c.run('sacct', ['-j', String(id), '-X', '-n', '-P', '-o', 'FlowCost']).stdout.trim();
      return v !== '' && Number(v);
    }, 20_000);
    expect(cost).toBeGreaterThanOrEqual(0.01);
    expect(readFileSync(clusterPaths(c.env, c.name).log, 'utf8')).toMatch(new RegExp(`job ${id}: it has cost \\$\\d+\\.\\d\\d, its --max-cost is \\$0\\.01: ending it`));
  }, 150_000);
});

describe('preemption', () => {
  it('a higher bid preempts: --signal=B:USR1 reaches the script, the job is PREEMPTED and runs again as restart 1; --no-requeue stays PREEMPTED', async () => {
    // a minute of 3 s: a requeued job is eligible again after Slurm's delay, shortened so
    const c = mithrilCluster({ FLOW_MINUTE_SECONDS: '3' });
    writeFileSync(join(c.dir, 'pre.sh'), [
      '#!/bin/bash',
      '#SBATCH -o pre-%j.out',
      '#SBATCH --signal=B:USR1@120',
      'echo "run ${SLURM_RESTART_COUNT:-0} on $SLURMD_NODENAME"',
      'if [ "${SLURM_RESTART_COUNT:-0}" = 1 ]; then echo "second run done"; exit 0; fi',
      'trap \'echo "got USR1"; exit 0\' USR1',
      'for i in $(seq 1500); do sleep 0.2; done',
      '',
    ].join('\n'));
    writeFileSync(join(c.dir, 'plain.sh'), '#!/bin/sh\n#SBATCH -o plain-%j.out\necho started\nsleep 300\n');
    const requeued = c.submit(['pre.sh']);
    const stays = c.submit(['--no-requeue', 'plain.sh']);
    await c.waitFor('both scripts to start', () => says(c, `pre-${requeued}.out`, 'run 0') && says(c, `plain-${stays}.out`, 'started'), 60_000);

    // somebody bids more for the whole pool
    const stopRival = await rivalBids([{ name: 'rival', cents: 10_000, quantity: 8 }]);
    let followed: Promise<{ status: number; stdout: string; stderr: string }> | undefined;
    try {
      expect((await c.waitState(stays, ['PREEMPTED', 'COMPLETED', 'FAILED', 'CANCELLED'], 60_000)).get('JobState')).toBe('PREEMPTED');
      await c.waitFor('the first run to end PREEMPTED and be requeued', () => c.job(requeued).get('Restarts') === '1', 60_000);
      expect(readFileSync(join(c.dir, `pre-${requeued}.out`), 'utf8')).toContain('run 0 on h100-');
      expect(readFileSync(join(c.dir, `pre-${requeued}.out`), 'utf8')).toContain('got USR1\n');
      // while the rival holds every instance, its new bid waits at the auction: PENDING, saying so
      const waiting = await c.waitFor('the new bid to wait at the auction', () => {
        const r = c.run('squeue', ['-h', '-j', String(requeued), '-o', '%T %r']).stdout.trim();
        return /^PENDING BidOpen,/.test(r) && r;
      }, 30_000);
      expect(waiting).toMatch(/^PENDING BidOpen,spot=\$\d+\.\d\d\/h,limit=\$40\.00\/h$/);
      expect(c.job(requeued).get('JobState')).toBe('PENDING');
      expect(c.job(requeued).get('Reason')).toBe(waiting.split(' ')[1]);
      expect(c.run('squeue', ['-h', '-t', 'PD', '-o', '%i']).stdout).toContain(`${requeued}\n`);
      // flow submit says where its bid stands while it waits, on stderr
      writeFileSync(join(c.dir, 'quick.sh'), '#!/bin/sh\n#SBATCH -o quick.out\nsleep 2\n');
      const submitting = c.runAsync('flow', ['submit', 'quick.sh']);
      followed = submitting;
      await c.waitFor('flow submit to show its bid', () => {
        const ids = c.run('squeue', ['-h', '-n', 'quick.sh', '-o', '%i %T %r']).stdout;
        return /PENDING BidOpen,/.test(ids);
      }, 30_000);
    } finally {
      await stopRival();
    }
    const sub = await followed!;
    expect(sub.status).toBe(0);
    const quick = Number(sub.stdout.trim());
    const lines = sub.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toBe(`flow: submitting quick.sh to partition h100 (mithril: 1 x ${H100})`);
    expect(lines[1]).toBe(`flow: queued as job ${quick}`);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^flow: job ${quick}: bidding for 1 x ${H100.replace(/\./g, '\\.')} at up to \\$40\\.00/h \\(spot \\$\\d+\\.\\d\\d/h\\)$`)));
    expect((await c.waitState(quick, ['COMPLETED', 'FAILED', 'CANCELLED', 'PREEMPTED'], 60_000)).get('JobState')).toBe('COMPLETED');
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^flow: job ${quick} (running on 1 x ${H100.replace(/\./g, '\\.')}, paying \\$\\d+\\.\\d\\d/h per instance|COMPLETED \\(paid \\$\\d+\\.\\d\\d/h per instance\\))$`));
    expect((await c.waitState(requeued, ['COMPLETED', 'FAILED', 'CANCELLED', 'PREEMPTED'], 60_000)).get('JobState')).toBe('COMPLETED');
    const out = readFileSync(join(c.dir, `pre-${requeued}.out`), 'utf8');
    expect(out).toMatch(/^run 0 on h100-\d\ngot USR1\nrun 1 on h100-\d\nsecond run done\n$/);
    const acct = c.run('sacct', ['-D', '-X', '-n', '-P', '-j', `${requeued},${stays}`, '-o', 'JobID,State']);
    expect(acct.stdout.split('\n').filter(Boolean).sort()).toEqual([`${requeued}|COMPLETED`, `${requeued}|PREEMPTED`, `${stays}|PREEMPTED`]);
    // no bid of theirs is left open (each is deleted once its run's end is recorded)
    expect((await endedBids(`${c.name}-`)).filter((b) => b.status !== 'Terminated')).toEqual([]);
  }, 180_000);
});

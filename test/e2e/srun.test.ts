/**
 * srun end to end: real processes, real Redis, a real controller. Each
 * recorded batch case of fixtures/oracle/srun (real Slurm 22.05.8) is
 * submitted through our sbatch with the same options and script; the job's
 * sruns are ours (bin/ is first on PATH in jobs). Its output, section by
 * section, must be what real Slurm printed once ids, times, pids, ports, the
 * host name and this cluster's own name and config path are masked alike.
 * Then srun outside an allocation, steps running side by side, and a real
 * two-process TCP rendezvous across two emulated nodes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/job/job-run.js';
import { REDIS_URL, TestCluster } from '../helpers/cluster.js';
import { ClusterPool, withPool } from '../helpers/pool.js';
import { FIXTURES, ROOT } from '../helpers/oracle.js';

interface Section { title: string; lines: string[] }
interface RecordedFile { name: string; nameNormalized: string; contentNormalized: string; sections?: Section[] }
interface DirectCommand { cmd: string; exit: number; stdoutSortedNormalized: string[]; stderrNormalized: string; jobLabels: string[] }
interface Recording {
  case: { name: string; script: string; files?: string[]; args: string[] };
  cwd: string;
  env: Record<string, string>;
  final: Record<string, string>[];
  files: RecordedFile[];
  commands?: DirectCommand[];
  placeholders: Record<string, number>;
}

const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'srun', `${name}.json`), 'utf8')) as Recording;
/** Variables naming this cluster rather than the oracle (its name, config path, controller address). */
const OWN = /^(SLURM_CLUSTER_NAME|SLURM_CONF|SLURM_WORKING_CLUSTER)=/;
const HOST = hostname().split('.')[0]!;
const BIN = join(ROOT, 'bin');

let c: TestCluster;
const pool = new ClusterPool(3);
const pit = withPool(pool);
beforeAll(() => {
  c = new TestCluster();
});
afterAll(async () => {
  await Promise.all([c.destroy(), pool.destroy()]);
});

/** Our output with the recordings' placeholders. */
function normalize(text: string, ids: Record<string, number>, cwd: string): string {
  let t = text.replaceAll(cwd, '{WORKDIR}').replaceAll(`${BIN}:`, '');
  t = t.replace(/^(SLURM_TASK_PID)=.*$/gm, '$1={VOLATILE}').replace(/^(SLURM_SUBMIT_HOST)=.*$/gm, '$1={SUBMIT_HOST}')
    .replace(/^(SLURM_SRUN_COMM_PORT|SLURM_STEP_LAUNCHER_PORT)=\d+$/gm, '$1={PORT}')
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b/g, '{TIME}')
    .replace(/\b(\d{1,3}\.){3}\d{1,3}\b/g, '{IPADDR}')
    .replace(new RegExp(`\\b${HOST}\\b`, 'g'), '{HOSTNAME}');
  // longest ids first: 1002 must not eat into 10021
  for (const [label, id] of Object.entries(ids).sort((a, b) => String(b[1]).length - String(a[1]).length)) {
    t = t.replace(new RegExp(`(?<![0-9])${id}(?![0-9])`, 'g'), label);
  }
  return t;
}

/** `== title` sections, as record-oracle-srun.sh splits them. */
function sections(text: string): Section[] {
  const out: Section[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) out.push({ title: line.slice(3), lines: [] });
    else if (out.length && line !== '') out[out.length - 1]!.lines.push(line);
  }
  return out;
}

const dropOwn = (lines: string[]) => lines.filter((l) => !OWN.test(l) && !l.startsWith('FLOW_'));
const maskElapsed = (lines: string[]) => lines.map((l) => l.replace(/elapsed=\d+/, 'elapsed=*'));

interface Ran { id: number; cwd: string; text: string; ours: Section[]; theirs: Section[]; rec: Recording; state: string }

/** Submit a recorded batch case through our sbatch and wait for its end. */
async function runCase(c: TestCluster, name: string, timeoutMs = 60_000): Promise<Ran> {
  const rec = load(name);
  const cwd = join(c.dir, 'cases', name);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  for (const f of [rec.case.script, ...(rec.case.files ?? [])]) copyFileSync(join(FIXTURES, 'scripts', 'srun', f), join(cwd, f));
  const id = c.submit([...rec.case.args, rec.case.script], { cwd, env: { PATH: '/usr/bin:/bin' } });
  const job = await c.waitState(id, ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'], timeoutMs);
  const text = normalize(readFileSync(join(cwd, `slurm-${id}.out`), 'utf8'), { '{JOBID}': id }, cwd);
  const theirs = rec.files.find((f) => f.nameNormalized.startsWith('slurm-'))!.sections!;
  return { id, cwd, text, ours: sections(text), theirs, rec, state: job.get('JobState') ?? '' };
}

function expectSections(r: Ran, titles?: string[], map: (lines: string[]) => string[] = (l) => l): void {
  const wanted = titles ?? r.theirs.map((s) => s.title);
  for (const title of wanted) {
    const theirs = r.theirs.find((s) => s.title === title);
    const ours = r.ours.find((s) => s.title === title);
    expect(ours, `section "${title}" in our output:\n${r.text}`).toBeDefined();
    expect({ title, lines: map(dropOwn(ours!.lines)) }).toEqual({ title, lines: map(dropOwn(theirs!.lines)) });
  }
}

// Alone, before the tests that run side by side: their synchronous spawns hold this process's event loop
// for seconds, and this test must look while the job's two steps run (about 14 s)
describe('squeue -s and scontrol show step while steps run (squeue-steps)', () => {
  pit('list the running steps and the batch step as Slurm does', async ({ c }) => {
    const rec = JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'srun', 'squeue-steps.json'), 'utf8')) as Recording & {
      probes: { argvNormalized: string[]; exit: number; stdoutNormalized: string }[];
    };
    const cwd = join(c.dir, 'cases', rec.case.name);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    copyFileSync(join(FIXTURES, 'scripts', 'srun', rec.case.script), join(cwd, rec.case.script));
    const id = c.submit([...rec.case.args, rec.case.script], { cwd, env: { PATH: '/usr/bin:/bin' } });
    // beside the other tests of this file the job may start late: wait up to 60 s for both steps (they run ~14 s)
    for (const until = Date.now() + 60_000; Date.now() < until && (await steps(id, c)).filter((x) => x.state === 'RUNNING').length < 2; ) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    // times are masked: the recording's elapsed seconds are not ours
    const mask = (t: string) => t.replace(/\b\d+:\d\d\b/g, '{ELAPSED}').replace(/(SrunHost:Pid=\S+:)\d+/g, '$1{VOLATILE}');
    for (const p of rec.probes.filter((x) => ['squeue', 'scontrol'].includes(x.argvNormalized[0]!) && !x.argvNormalized.includes('job'))) {
      const argv = p.argvNormalized.slice(1).map((a) => a.replaceAll('{JOBID}', String(id)));
      const r = c.run(p.argvNormalized[0]!, argv);
      const ours = mask(normalize(r.stdout, { '{JOBID}': id }, cwd)).replace(/ {2,}/g, ' ');
      expect({ argv: p.argvNormalized, exit: r.status, out: ours }).toEqual({ argv: p.argvNormalized, exit: p.exit, out: mask(p.stdoutNormalized).replace(/ {2,}/g, ' ') });
    }
    await c.waitState(id, ['COMPLETED'], 30_000);
  }, 120_000);
});

// Batch jobs that mostly wait on their own sleeps run side by side, each on a cluster of its own
describe.concurrent('batch jobs with steps', () => {
  describe('srun inside a batch job matches real Slurm', () => {
    pit('kill-on-bad-exit (-K, =1, =0, default) and -W', async ({ c }) => {
      const r = await runCase(c, 'kill-on-bad-exit', 80_000);
      // tasks that survive print at the same moment, in any order
      const survivors = (lines: string[]) => {
        const sorted = lines.filter((l) => / survived$/.test(l)).sort();
        return maskElapsed(lines).map((l) => (/ survived$/.test(l) ? sorted.shift()! : l));
      };
      expectSections(r, undefined, survivors);
    }, 90_000);

    pit('the two-node sample: batch step, one line per task, task 0 environment', async ({ c }) => {
      const r = await runCase(c, 'sample-two-node');
      expect(r.state).toBe('COMPLETED');
      expectSections(r);
    });

    pit.for(['layout-1x8', 'layout-2x4', 'layout-2x1-a100', 'layout-2x2-a100-typed', 'gpus-per-task', 'gpus-per-task-job', 'step-n3-in-n4', 'step-n3-in-2x2'])(
      'layout %s: per-task lines and task 0 environments',
      async (name, { c }) => {
        const r = await runCase(c, name);
        expect(r.state).toBe(r.rec.final[0]!.JobState);
        expectSections(r);
      },
    );

    pit('4 nodes x 1 task with --gpus-per-node: real Slurm rejects it across partitions and cannot place it in one', async ({ c }) => {
      // fixtures: layout-4x1-two-partitions (sbatch refuses) and layout-4x1-default (pends forever);
      // layout-2x1-a100 above is the one-task-per-node shape that fits the recorded cluster
      const rec = load('layout-4x1-two-partitions');
      const r = c.run('sbatch', ['--parsable', ...rec.case.args, '--wrap', 'true']);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: 'sbatch: error: Batch job submission failed: Requested node configuration is not available\n' });
      // in the default partition (2 nodes) it is accepted and never starts: PartitionConfig, then PartitionNodeLimit
      const pending = c.submit([...load('layout-4x1-default').case.args, '--wrap', 'true']);
      const reason = () => c.run('squeue', ['-h', '-j', String(pending), '-o', '%T|%r']).stdout.trim();
      await c.waitFor('the scheduler\'s verdict', () => reason() === 'PENDING|PartitionNodeLimit' || undefined, 10_000);
      c.run('scancel', [String(pending)]);
    });

    pit('uneven -n 5 -N 2: 4+1 as slurmctld allocates it; block, -m cyclic, -m block, -n 4', async ({ c }) => {
      const r = await runCase(c, 'layout-uneven-5x2');
      expect(r.state).toBe('COMPLETED');
      expectSections(r);
    });

    pit('labels: width, stderr, --unbuffered partial lines, missing newlines, SLURM_LABELIO', async ({ c }) => {
      const r = await runCase(c, 'label');
      expectSections(r);
    });

    pit('exit codes and srun\'s messages; the job completes when the script exits 0', async ({ c }) => {
      const r = await runCase(c, 'exit-codes');
      expect(r.state).toBe('COMPLETED');
      expectSections(r);
    });

    pit.for(['step-fail-last', 'step-killed-last'])('%s: the last srun decides the job\'s exit code', async (name, { c }) => {
      const r = await runCase(c, name);
      expect([r.state, (c.job(r.id).get('ExitCode'))]).toEqual([r.rec.final[0]!.JobState, r.rec.final[0]!.ExitCode]);
      expectSections(r);
    });

    pit('stdin: to every task by default, --input=0, none, a file', async ({ c }) => {
      const r = await runCase(c, 'stdin');
      expectSections(r);
    });

    pit('--export forms', async ({ c }) => {
      const r = await runCase(c, 'export');
      expectSections(r);
    });

    pit('head node and host names inside steps', async ({ c }) => {
      const r = await runCase(c, 'hostnames');
      expectSections(r);
    });

    pit('too many: steps larger than the allocation fail with Slurm\'s messages, and use no step id', async ({ c }) => {
      const r = await runCase(c, 'too-many', 80_000);
      expectSections(r);
    }, 90_000);

    pit('-o/-e patterns: per task, per node, shared, padded, none, a missing directory', async ({ c }) => {
      const r = await runCase(c, 'io-patterns');
      expectSections(r, r.theirs.map((s) => s.title).filter((t) => t !== 'files'));
      // %N is the emulated node's name here (real Slurm on one machine writes the machine's host name): a recorded
      // file per host becomes a file per node, with that node's tasks' lines
      const files = readdirSync(r.cwd).filter((f) => f !== 'io-patterns.slurm' && !f.startsWith('slurm-'));
      const ours = (f: string) => readFileSync(join(r.cwd, f), 'utf8').split('\n').filter(Boolean).sort();
      for (const f of r.rec.files.filter((x) => !x.nameNormalized.startsWith('slurm-'))) {
        const content = f.contentNormalized.split('\n').filter(Boolean);
        const byNode = new Map<string, string[]>();
        for (const line of content) {
          const task = Number(/task=(\d+)/.exec(line)![1]);
          const node = task < 2 ? 'gpu1' : 'gpu2';
          // zero-padded ids (%5j) are not masked in the recordings
          const name = f.nameNormalized.replaceAll('{JOBID}', String(r.id)).replaceAll('{HOSTNAME}', node)
            .replaceAll(String(r.rec.placeholders['{JOBID}']).padStart(5, '0'), String(r.id).padStart(5, '0'));
          byNode.set(name, [...(byNode.get(name) ?? []), line]);
        }
        for (const [name, lines] of byNode) {
          expect(files).toContain(name);
          expect(ours(name)).toEqual(lines.sort());
        }
      }
    });
  });

  describe('steps side by side', () => {
    pit('plain steps wait for each other, --exact ones do not, one per node run at once, --overlap (bg-steps)', async ({ c }) => {
      const r = await runCase(c, 'bg-steps', 60_000);
      const theirs = (t: string) => r.theirs.find((s) => s.title === t)!.lines;
      const ours = (t: string) => r.ours.find((s) => s.title === t)!.lines;
      const t0 = r.theirs[0]!.title;
      expect(maskElapsed(ours(t0))).toEqual(maskElapsed(theirs(t0)));
      // plain steps run one after another: three 2 s steps take at least 6 s; --exact ones overlap
      const elapsed = (t: string) => Number(/elapsed=(\d+)/.exec(ours(t).at(-1)!)![1]);
      expect(elapsed(t0)).toBeGreaterThanOrEqual(6);
      const t1 = r.theirs[1]!.title;
      expect(ours(t1).filter((l) => l.startsWith('start')).sort()).toEqual(theirs(t1).filter((l) => l.startsWith('start')).sort());
      expect(elapsed(t1)).toBeLessThan(6);
      const t2 = r.theirs[2]!.title;
      expect(ours(t2).filter((l) => l.startsWith('start')).sort()).toEqual(theirs(t2).filter((l) => l.startsWith('start')).sort());
      // the failed --overlap step uses up an id, as on Slurm
      for (const s of r.theirs.slice(3)) expect(maskElapsed(ours(s.title))).toEqual(maskElapsed(s.lines));
    }, 70_000);

    pit('three background --exact steps on one node run at once and are recorded as N.0, N.1, N.2', async ({ c }) => {
      const cwd = join(c.dir, 'bg');
      mkdirSync(cwd, { recursive: true });
      writeFileSync(join(cwd, 'bg.sh'), [
        '#!/bin/bash',
        'second=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | tail -n1)',
        's=$(date +%s.%N)',
        'for i in 1 2 3; do srun --exact -N1 -n1 -w "$second" bash -c \'echo "start $SLURM_STEP_ID $SLURMD_NODENAME"; sleep 2; echo "end $SLURM_STEP_ID"\' & done',
        'wait',
        'echo "elapsed=$(echo "$(date +%s.%N) - $s" | bc)"',
      ].join('\n'));
      const id = c.submit(['-N', '2', '--ntasks-per-node=4', 'bg.sh'], { cwd });
      await c.waitState(id, ['COMPLETED'], 30_000);
      const out = readFileSync(join(cwd, `slurm-${id}.out`), 'utf8');
      expect(out.split('\n').filter((l) => l.startsWith('start')).sort()).toEqual(['start 0 gpu2', 'start 1 gpu2', 'start 2 gpu2']);
      const redis = new Redis(REDIS_URL);
      try {
        const steps = JSON.parse((await redis.hget(`flow:{${c.name}}:job:${id}`, 'steps'))!) as StepRecord[];
        expect(steps.map((s) => [s.id, s.state, s.nodes, s.ntasks])).toEqual([[0, 'COMPLETED', 'gpu2', 1], [1, 'COMPLETED', 'gpu2', 1], [2, 'COMPLETED', 'gpu2', 1]]);
        // they overlapped: each started before the others ended
        expect(Math.max(...steps.map((s) => s.start))).toBeLessThan(Math.min(...steps.map((s) => s.end)));
      } finally {
        redis.disconnect();
      }
    });

    pit('every step gets a final state and end time: cancelled with its job (tasks get SIGTERM, then time), left running by the script', async ({ c }) => {
      const cwd = join(c.dir, 'ends');
      mkdirSync(cwd, { recursive: true });
      const trap = 'trap "echo term $SLURM_PROCID; sleep 0.3; echo done $SLURM_PROCID; exit 0" TERM; sleep 30 & wait';
      const cancelled = c.submit(['-n', '2', '--wrap', `srun -n2 bash -c '${trap}'`], { cwd });
      const left = c.submit(['-n', '2', '--wrap', 'srun --exact -n1 sleep 30 & sleep 1; srun --exact -n1 true; exit 0'], { cwd });
      for (let i = 0; i < 100 && (await steps(cancelled, c))[0]?.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
      c.run('scancel', [String(cancelled)]);
      await c.waitState(cancelled, ['CANCELLED']);
      await c.waitState(left, ['COMPLETED']);
      const out = readFileSync(join(cwd, `slurm-${cancelled}.out`), 'utf8');
      // each task got SIGTERM once and had time to finish
      expect(out.split('\n').filter((l) => /^(term|done) /.test(l)).sort()).toEqual(['done 0', 'done 1', 'term 0', 'term 1']);
      expect(out).toMatch(new RegExp(`^slurmstepd-gpu1: error: \\*\\*\\* STEP ${cancelled}\\.0 ON gpu1 CANCELLED AT \\S+ \\*\\*\\*$`, 'm'));
      // its tasks trapped SIGTERM and exited 0: the step ends COMPLETED, as real Slurm's does
      // (fixtures/golden/recorded/signals.json, job stepgrace: step .0 COMPLETED 0:0)
      const [c0] = await steps(cancelled, c);
      expect([c0!.state, c0!.end > 0]).toEqual(['COMPLETED', true]);
      const l = await steps(left, c);
      expect(l.map((x) => [x.id, x.state, x.end > 0])).toEqual([[0, 'CANCELLED', true], [1, 'COMPLETED', true]]);
    });

    pit('many tasks (started by one forker): each its rank, its own pid as SLURM_TASK_PID, its own labelled output', async ({ c }) => {
      const cwd = join(c.dir, 'many');
      mkdirSync(cwd, { recursive: true });
      writeFileSync(join(cwd, 'many.sh'), `#!/bin/bash\nsrun -O -n 40 -l bash -c 'echo "$SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $([ "$SLURM_TASK_PID" = $$ ] && echo self)"; [ $SLURM_PROCID = 7 ] && kill -9 $$; exit 0'\necho "srun-exit=$?"\n`);
      const id = c.submit(['-N', '2', '-n', '4', 'many.sh'], { cwd });
      await c.waitState(id, ['COMPLETED'], 30_000);
      const out = readFileSync(join(cwd, `slurm-${id}.out`), 'utf8').split('\n').filter(Boolean);
      const lines = out.filter((l) => /^ ?\d+: /.test(l)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
      expect(lines.map((l) => l.split(' ').filter(Boolean)).map(([label, rank, , , self]) => [label, rank, self]))
        .toEqual(Array.from({ length: 40 }, (_, i) => [`${i}:`, String(i), 'self']));
      // local ids count 0.. on each node, in rank order
      const byNode = new Map<string, string[]>();
      for (const l of lines) {
        const [, , local, node] = l.trim().split(/\s+/);
        byNode.set(node!, [...(byNode.get(node!) ?? []), local!]);
      }
      for (const locals of byNode.values()) expect(locals).toEqual(locals.map((_, i) => String(i)));
      expect(out.filter((l) => !/^ ?\d+: /.test(l))).toEqual(['srun: error: gpu1: task 7: Killed', `srun: Force Terminated StepId=${id}.0`, 'srun-exit=137']);
    });

    pit('signals to srun reach its tasks (SIGUSR1 forwarded), and srun reports how they ended', async ({ c }) => {
      const cwd = join(c.dir, 'fwd');
      mkdirSync(cwd, { recursive: true });
      writeFileSync(join(cwd, 'fwd.sh'), [
        '#!/bin/bash',
        'srun -n2 bash -c \'trap "echo got USR1 $SLURM_PROCID; exit 0" USR1; echo ready; sleep 20 & wait\' &',
        'pid=$!',
        'until [ "$(grep -c ready slurm-$SLURM_JOB_ID.out)" = 2 ]; do sleep 0.1; done',
        'kill -USR1 $pid',
        'wait $pid',
        'echo "srun-exit=$?"',
      ].join('\n'));
      const id = c.submit(['-n', '2', 'fwd.sh'], { cwd });
      await c.waitState(id, ['COMPLETED'], 30_000);
      const out = readFileSync(join(cwd, `slurm-${id}.out`), 'utf8').split('\n').filter((l) => l && l !== 'ready').sort();
      expect(out).toEqual(['got USR1 0', 'got USR1 1', 'srun-exit=0']);
    });

  });

});

describe('srun outside an allocation', () => {
  const direct = (name: string) => load(name).commands!;
  const sorted = (text: string) => text.split('\n').filter(Boolean).sort();

  it('srun -N2 -n4 -l hostname: labelled lines like Slurm\'s, exit 0', () => {
    const [rec] = direct('direct-hostname');
    const r = c.run('srun', ['-N2', '-n4', '-l', 'hostname']);
    expect({ exit: r.status, out: sorted(normalize(r.stdout, {}, c.dir)), err: r.stderr }).toEqual({ exit: 0, out: rec!.stdoutSortedNormalized, err: '' });
  });

  it('srun -N2 -n2 -l printenv SLURMD_NODENAME: one task per node', () => {
    const [rec] = direct('direct-printenv');
    const r = c.run('srun', ['-N2', '-n2', '-l', 'printenv', 'SLURMD_NODENAME']);
    expect({ exit: r.status, out: sorted(r.stdout) }).toEqual({ exit: 0, out: rec!.stdoutSortedNormalized });
  });

  it('srun -n1 env: the whole task environment of srun\'s own allocation', () => {
    const rec = load('direct-env');
    const cwd = join(c.dir, 'direct-env');
    mkdirSync(cwd, { recursive: true });
    const r = c.run('srun', ['-n1', 'env'], { cwd });
    const jobId = Number(/^SLURM_JOB_ID=(\d+)$/m.exec(r.stdout)![1]);
    // the caller's own variables differ (the recorder ran `bash -c`): only what srun and the job add is compared
    const callers = /^(PWD|HOME|USER|SHLVL|_|PATH|FLOW_\w+|TZ|LD_PRELOAD|FAKETIME\w*)=/; // and the clock the tests run under (clockEnv)
    const ours = sorted(normalize(r.stdout, { '{JOBID}': jobId }, cwd)).filter((l) => !callers.test(l) && !OWN.test(l));
    expect(ours).toEqual(rec.commands![0]!.stdoutSortedNormalized.filter((l) => !callers.test(l) && !OWN.test(l)));
    expect(c.job(jobId).get('JobState')).toBe('COMPLETED');
  });

  it('exit codes propagate: 4, the highest of two tasks, 2 for a missing program', () => {
    const cases: [string[], DirectCommand][] = [[['sh', '-c', 'exit 4'], direct('direct-exit4')[0]!],
      [['-n2', 'sh', '-c', 'exit $((SLURM_PROCID + 6))'], direct('direct-exit4')[1]!], [['/nonexistent'], direct('direct-exit4')[2]!]];
    for (const [argv, rec] of cases) {
      const r = c.run('srun', argv);
      expect({ exit: r.status, err: sorted(r.stderr) }).toEqual({ exit: rec.exit, err: sorted(rec.stderrNormalized) });
    }
  });

  it('bad options and impossible requests: srun\'s messages and exit codes; impossible ones stay as FAILED jobs', () => {
    const before = c.run('squeue', ['-h', '-t', 'all', '-o', '%i']).stdout.split('\n').filter(Boolean);
    for (const rec of direct('direct-bad-option')) {
      const argv = rec.cmd.split(' ').slice(1);
      const r = c.run('srun', argv);
      expect({ cmd: rec.cmd, exit: r.status, err: r.stderr }).toEqual({ cmd: rec.cmd, exit: rec.exit, err: rec.stderrNormalized });
    }
    const made = c.run('squeue', ['-h', '-t', 'all', '-o', '%i']).stdout.split('\n').filter((id) => id && !before.includes(id));
    const fields = ['JobName', 'JobState', 'Reason', 'ExitCode', 'BatchFlag', 'TimeLimit', 'NumNodes', 'Command'];
    const pick = (m: Map<string, string> | Record<string, string>) => fields.map((f) => (m instanceof Map ? m.get(f) : m[f]));
    expect(made.map((id) => pick(c.job(id)))).toEqual(load('direct-bad-option').final.map((f) => pick(f)));
  });

  it('-o/-e patterns outside an allocation', () => {
    const rec = load('direct-output');
    const cwd = join(c.dir, 'direct-output');
    mkdirSync(cwd, { recursive: true });
    // each command's job, labelled in command order as the recorder did (the second's file names have no id)
    const labels: Record<string, number> = {};
    rec.commands!.forEach((cmd, i) => {
      const before = new Set(readdirSync(cwd));
      const r = spawnSync('bash', [], { cwd, env: c.env, input: cmd.cmd.replace(/^srun/, `${BIN}/srun`), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const id = readdirSync(cwd).filter((f) => !before.has(f)).map((f) => Number(/(\d{4,})/.exec(f)?.[1])).find((n) => n > 0);
      if (id !== undefined) labels[i === 0 ? '{JOBID}' : `{JOBID_${i + 1}}`] = id;
    });
    const ours = readdirSync(cwd).map((f) => `${normalize(f, labels, cwd)}=${readFileSync(join(cwd, f), 'utf8')}`).sort();
    // %N: the node's name here, the machine's host name on the recorded cluster
    const theirs = rec.files.map((f) => `${f.nameNormalized.replace('node-{HOSTNAME}-0', 'node-gpu1-0').replace('node-{HOSTNAME}-1', 'node-gpu2-1')}=${f.contentNormalized}`)
      .map((l) => l.replace('{HOSTNAME}\n', `${HOST}\n`).replace('{HOSTNAME}\n', `${HOST}\n`)).sort();
    expect(ours.map((l) => l.replace(/\{HOSTNAME\}/g, HOST))).toEqual(theirs);
  });

  it('GPUs of srun\'s own allocation: per node, and bound per task', () => {
    for (const rec of direct('direct-gpus')) {
      const argv = ['-p', 'a100', ...(rec.cmd.includes('-N2') ? ['-N2', '--ntasks-per-node=2', '--gpus-per-node=2'] : ['-n2', '--gpus-per-task=1']), '-l', 'bash', '-c',
        /'(.*)'$/.exec(rec.cmd)![1]!];
      const r = c.run('srun', argv);
      expect({ exit: r.status, out: sorted(r.stdout) }).toEqual({ exit: 0, out: rec.stdoutSortedNormalized });
    }
  });

  it('waits for resources with Slurm\'s lines; a cancel while waiting ends it', async () => {
    const [waits, cancelled] = direct('direct-waiting');
    const holder = c.submit(['-p', 'h100', '-N', '2', '--gpus-per-node=8', '-t', '2', '--wrap', 'sleep 4', '-o', '/dev/null']);
    await c.waitState(holder, ['RUNNING']);
    const r = await runAsync(['--gres=gpu:8', '-p', 'h100', 'true']);
    const jobId = Number(/job (\d+)/.exec(r.stderr)![1]);
    expect({ exit: r.status, err: normalize(r.stderr, { '{JOBID}': jobId }, c.dir) }).toEqual({ exit: waits!.exit, err: waits!.stderrNormalized });

    const holder2 = c.submit(['-p', 'h100', '-N', '2', '--gpus-per-node=8', '-t', '2', '--wrap', 'sleep 30', '-o', '/dev/null']);
    await c.waitState(holder2, ['RUNNING']);
    const pending = runAsync(['--gres=gpu:8', '-p', 'h100', 'true']);
    const id2 = await c.waitFor('srun\'s job', () => {
      const q = c.run('squeue', ['-h', '-t', 'PD', '-o', '%i']).stdout.trim();
      return q ? Number(q) : undefined;
    });
    c.run('scancel', [String(id2)]);
    const r2 = await pending;
    expect({ exit: r2.status, err: normalize(r2.stderr, { '{JOBID_2}': id2 }, c.dir) }).toEqual({ exit: cancelled!.exit, err: cancelled!.stderrNormalized });
    c.run('scancel', [String(holder2)]);
  });

  it('--jobid from outside (SkyPilot: srun --overlap --jobid=J): the job\'s variables, all its nodes, and cancelled with the job', async () => {
    const holder = c.submit(['-N', '2', '-o', '/dev/null', '--wrap', 'sleep 60']);
    await c.waitState(holder, ['RUNNING']);
    const env = c.run('srun', ['--overlap', `--jobid=${holder}`, '--nodes=1', '--ntasks=1', 'printenv', 'SLURM_JOB_ID', 'SLURM_JOB_NODELIST', 'SLURMD_NODENAME']);
    expect({ exit: env.status, out: env.stdout }).toEqual({ exit: 0, out: `${holder}\ngpu[1-2]\ngpu1\n` });
    const all = c.run('srun', [`--jobid=${holder}`, '-l', 'printenv', 'SLURMD_NODENAME']);
    expect(sorted(all.stdout)).toEqual(['0: gpu1', '1: gpu2']);
    const attached = runAsync([`--jobid=${holder}`, 'sleep', '30']);
    for (let i = 0; i < 50 && (await steps(holder)).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    c.run('scancel', [String(holder)]);
    const r = await attached;
    expect(r.status).toBe(143);
    expect(r.stderr).toMatch(new RegExp(`^slurmstepd-gpu1: error: \\*\\*\\* STEP ${holder}\\.2 ON gpu1 CANCELLED AT `, 'm'));
    expect((await steps(holder)).map((x) => x.state)).toEqual(['COMPLETED', 'COMPLETED', 'CANCELLED']);
  });

  it('Ctrl-C: the first asks for status, a second within a second interrupts the tasks and cancels the job', async () => {
    const child = spawn(join(BIN, 'srun'), ['-n2', 'sleep', '30'], { cwd: c.dir, env: c.env });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const closed = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    const id = await c.waitFor('the job to run', () => Number(c.run('squeue', ['-h', '-t', 'R', '-o', '%i', '-n', 'sleep']).stdout.trim()) || undefined);
    for (let i = 0; i < 50 && c.job(id).get('JobState') !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr.split('\n').slice(0, 3)).toEqual([
      'srun: interrupt (one more within 1 sec to abort)', `srun: StepId=${id}.0 tasks 0-1: running`, `srun: sending Ctrl-C to StepId=${id}.0`,
    ]);
    await c.waitState(id, ['CANCELLED']);
    expect((await steps(id)).map((x) => x.state)).toEqual(['CANCELLED']);
  });

  it('a request the partition can never hold waits; SIGTERM revokes it', async () => {
    const [rec] = direct('direct-partition-limit');
    const p = runAsync(['-N3', '-p', 'h100', 'true'], 2000);
    const r = await p;
    const jobId = Number(/job (\d+)/.exec(r.stderr)![1]);
    expect({ exit: r.status, err: normalize(r.stderr, { '{JOBID}': jobId }, c.dir) }).toEqual({ exit: rec!.exit, err: rec!.stderrNormalized });
    expect(c.job(jobId).get('JobState')).toBe('CANCELLED');
  });
});

/** The job's step records, as the sacct helper reads them. */
async function steps(jobId: number, cl: TestCluster = c): Promise<StepRecord[]> {
  const redis = new Redis(REDIS_URL);
  try {
    const text = await redis.hget(`flow:{${cl.name}}:job:${jobId}`, 'steps');
    const list = text ? (JSON.parse(text) as StepRecord[] | Record<string, never>) : [];
    return Array.isArray(list) ? list : [];
  } finally {
    redis.disconnect();
  }
}

/** srun as a child process; `termAfter` ms later it gets SIGTERM. */
function runAsync(argv: string[], termAfter?: number): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(BIN, 'srun'), argv, { cwd: c.dir, env: c.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    if (termAfter) setTimeout(() => child.kill('SIGTERM'), termAfter);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

describe('emulated nodes behave like separate hosts', () => {
  it('a real two-process rendezvous: rank 0 listens on the master node, rank 1 connects to it by name', async () => {
    const cwd = join(c.dir, 'rdzv');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'rdzv.js'), `
const { execFileSync } = require('node:child_process');
const net = require('node:net');
const rank = Number(process.env.SLURM_PROCID);
const size = Number(process.env.SLURM_NTASKS);
const me = process.env.SLURMD_NODENAME;
const master = execFileSync('scontrol', ['show', 'hostnames', process.env.SLURM_JOB_NODELIST]).toString().split('\\n')[0];
const port = 15000 + (Number(process.env.SLURM_JOB_ID) % 10000);
if (rank === 0) {
  const server = net.createServer((sock) => {
    sock.once('data', (d) => {
      console.log('rank 0 of ' + size + ' on ' + me + ' got: ' + d);
      sock.end('welcome from rank 0 on ' + me);
      server.close();
    });
  });
  server.listen(port, master);
} else {
  const tryConnect = (left) => {
    const sock = net.connect(port, master, () => sock.write('hello from rank ' + rank + ' on ' + me));
    sock.on('data', (d) => console.log('rank ' + rank + ' of ' + size + ' on ' + me + ' got: ' + d));
    sock.on('error', () => (left > 0 ? setTimeout(() => tryConnect(left - 1), 100) : process.exit(3)));
  };
  tryConnect(100);
}
`);
    writeFileSync(join(cwd, 'job.sh'), `#!/bin/bash\nsrun -N2 -n2 ${process.execPath} rdzv.js\n`);
    const id = c.submit(['-N', '2', 'job.sh'], { cwd });
    const job = await c.waitState(id, ['COMPLETED', 'FAILED'], 30_000);
    const out = readFileSync(join(cwd, `slurm-${id}.out`), 'utf8');
    expect(job.get('JobState'), out).toBe('COMPLETED');
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'rank 0 of 2 on gpu1 got: hello from rank 1 on gpu2',
      'rank 1 of 2 on gpu2 got: welcome from rank 0 on gpu1',
    ]);
    // the master's name resolves to an address of its own on this machine
    expect(existsSync('/etc/hosts') && /^127\.\S+\s+gpu1\b/m.test(readFileSync('/etc/hosts', 'utf8'))).toBe(true);
  });
});

describe('sacct lists the steps', () => {
  it('of three background steps that ran at once, with the batch step, as Slurm does', async () => {
    // the golden config has accounting (slurmdbd); the oracle's has none, so sacct would be disabled there
    const acct = new TestCluster({ confText: readFileSync(join(ROOT, 'fixtures', 'golden', 'slurm.conf'), 'utf8') });
    try {
      const id = acct.submit(['-N', '1', '-n', '3', '-o', '/dev/null', '--wrap',
        'for i in 1 2 3; do srun --exact -n1 sleep 1 & done; wait']);
      await acct.waitState(id, ['COMPLETED'], 30_000);
      const r = acct.run('sacct', ['-j', String(id), '-n', '-P', '-o', 'JobID,JobName,State,ExitCode,NTasks']);
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean)).toEqual([
        `${id}|wrap|COMPLETED|0:0|`,
        `${id}.batch|batch|COMPLETED|0:0|1`,
        `${id}.0|sleep|COMPLETED|0:0|1`,
        `${id}.1|sleep|COMPLETED|0:0|1`,
        `${id}.2|sleep|COMPLETED|0:0|1`,
      ]);
    } finally {
      await acct.destroy();
    }
  });
});

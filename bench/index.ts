/**
 * npm run bench: the measurements the issues ask for, each as a ratio to
 * `node -e 0` (or as a rate) measured side by side in this one run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSlurmConf } from '../src/cluster/slurm-conf.js';
import { prepareSubmission } from '../src/submit/prepare.js';
import * as V from '../src/job/values/index.js';
import { interleaved, timeProcess } from './stats.js';
import { BenchCluster } from './cluster.js';
import { Redis } from 'ioredis';
import { mithrilBench } from './mithril.js';
import { burstBench } from './bursts.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures');
const identity = { userId: 0, userName: 'root', groupId: 0, groupName: 'root', submitHost: 'localhost' };

function parserThroughput(): void {
  const conf = parseSlurmConf(readFileSync(join(FIXTURES, 'oracle', 'slurm.conf'), 'utf8'));
  if (!conf.ok) throw new Error(conf.message);
  const scripts = readdirSync(join(FIXTURES, 'scripts')).filter((f) => f.endsWith('.slurm'))
    .map((f) => readFileSync(join(FIXTURES, 'scripts', f)));
  const env = { PATH: '/usr/bin:/bin' };
  const now = new Date();
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const bytes = scripts[i % scripts.length]!;
      prepareSubmission({ argv: [], env, cwd: '/tmp', now, readStdin: () => bytes }, conf.config, identity, i + 1);
    }
  };
  run(2000); // warm up the JIT
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    run(500);
    n += 500;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`parser: ${Math.round(perSec)} scripts/s on one core over ${scripts.length} fixture scripts (sbatch front end: read, #SBATCH scan, options, job spec) target > 20000`);
}

function dryRunRatio(): void {
  const env = { ...process.env, SLURM_CONF: join(FIXTURES, 'oracle', 'slurm.conf') };
  const script = join(FIXTURES, 'scripts', 'torchrun-4node.slurm');
  const m = interleaved({
    'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], env),
    'flow submit --dry-run': () => timeProcess(join(ROOT, 'bin', 'flow'), ['submit', '--dry-run', '--json', script], env),
  }, 20);
  console.log(`flow submit --dry-run: ${m['flow submit --dry-run']!.toFixed(1)} ms vs node -e 0: ${m['node -e 0']!.toFixed(1)} ms -> ratio ${(m['flow submit --dry-run']! / m['node -e 0']!).toFixed(2)}x (medians of 20 interleaved runs)`);
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

/** sbatch of a held job, and squeue -h with 10,000 jobs queued, each against node -e 0 in the same run. */
async function commandRatios(): Promise<void> {
  const c = new BenchCluster(ROOT);
  try {
    const sbatch = join(ROOT, 'bin', 'sbatch');
    const squeue = join(ROOT, 'bin', 'squeue');
    c.run('sbatch', ['--hold', '--wrap=true', '-o', '/dev/null'], ROOT); // starts the controller and our Redis scripts
    const m = interleaved({
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env),
      sbatch: () => timeProcess(sbatch, ['--hold', '--wrap=true', '-o', '/dev/null'], c.env),
    }, 20);
    console.log(`sbatch --hold --wrap=true: ${m.sbatch!.toFixed(1)} ms vs node -e 0: ${m['node -e 0']!.toFixed(1)} ms -> ratio ${ratio(m.sbatch!, m['node -e 0']!)} (target < 2x)`);

    // a 100,000-task array is one record: submitting it costs about what any job costs
    const array = ['--hold', '--array=0-99999', '--wrap=true', '-o', '/dev/null'];
    const a = interleaved({
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env),
      array: () => timeProcess(sbatch, array, c.env),
    }, 10);
    console.log(`sbatch --array=0-99999 (100,000 tasks): ${a.array!.toFixed(1)} ms vs node -e 0: ${a['node -e 0']!.toFixed(1)} ms -> ratio ${ratio(a.array!, a['node -e 0']!)} (target < 3x)`);

    const t0 = performance.now();
    await c.submitMany(10_000, () => ['--hold', '--wrap=true', '-o', '/dev/null']);
    const queued = c.run('squeue', ['-h'], ROOT).split('\n').filter(Boolean).length;
    console.log(`queued ${queued} held jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s (in-process submissions)`);
    const q = interleaved({
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env),
      'squeue -h': () => timeProcess(squeue, ['-h'], c.env),
    }, 10);
    console.log(`squeue -h with ${queued} jobs: ${q['squeue -h']!.toFixed(1)} ms vs node -e 0: ${q['node -e 0']!.toFixed(1)} ms -> ratio ${ratio(q['squeue -h']!, q['node -e 0']!)} (target < 4x; real Slurm: 245 ms here)`);
  } finally {
    await c.destroy();
  }
}

/** sacct over 10,000 finished jobs (the default listing, and a client's poll), against node -e 0 in the same run. */
async function sacctRatio(): Promise<void> {
  const c = new BenchCluster(ROOT, { accounting: true });
  try {
    const sacct = join(ROOT, 'bin', 'sacct');
    const t0 = performance.now();
    // no controller yet: the jobs wait for us to run them
    const ids = await c.submitMany(10_000, () => ['--wrap=true', '-o', '/dev/null'], { controller: false });
    await c.completeAll(ids);
    const rows = c.run('sacct', ['-X', '-n', '-P', '-o', 'State'], ROOT).split('\n').filter((l) => l === 'COMPLETED').length;
    console.log(`${rows} finished jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s (in-process submissions, completed through the controller's scripts)`);
    // that sacct started the controller: let it settle (it reads every job once) before measuring
    await new Promise((r) => setTimeout(r, 3000));
    const poll = ['-X', '--parsable2', '--noheader', '--format=JobIdRaw,State', '--starttime', 'now-1hours', '--endtime', 'now'];
    const m = interleaved({
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env),
      sacct: () => timeProcess(sacct, [], c.env),
      poll: () => timeProcess(sacct, poll, c.env),
    }, 10);
    const base = m['node -e 0']!;
    console.log(`sacct with ${rows} finished jobs (20,000 rows: jobs and batch steps): ${m.sacct!.toFixed(1)} ms vs node -e 0: ${base.toFixed(1)} ms -> ratio ${ratio(m.sacct!, base)} (target < 4x)`);
    console.log(`sacct ${poll.join(' ')} (${rows} rows): ${m.poll!.toFixed(1)} ms -> ratio ${ratio(m.poll!, base)}`);
  } finally {
    await c.destroy();
  }
}

/** 1,000 trivial jobs from submission to all COMPLETED. */
async function thousandJobs(): Promise<void> {
  const c = new BenchCluster(ROOT);
  try {
    c.run('sbatch', ['--hold', '--wrap=true', '-o', '/dev/null'], ROOT);
    const t0 = performance.now();
    const ids = await c.submitMany(1000, () => ['--wrap=true', '-o', '/dev/null']);
    const redis = new Redis(c.env.FLOW_REDIS_URL!);
    try {
      for (;;) {
        const pipe = redis.pipeline();
        for (const id of ids) pipe.hget(`flow:{${c.name}}:job:${id}`, 'state');
        const states = ((await pipe.exec()) ?? []).map(([, v]) => v);
        const done = states.filter((s) => s === 'COMPLETED').length;
        if (done === ids.length) break;
        if (performance.now() - t0 > 120_000) throw new Error(`only ${done} of 1000 done after 120 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      redis.disconnect();
    }
    const s = (performance.now() - t0) / 1000;
    const base = interleaved({ 'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env) }, 10)['node -e 0']!;
    console.log(`1,000 trivial jobs, submit to all COMPLETED: ${s.toFixed(1)} s (target < 20 s) = ${ratio(s * 1000, base)} node -e 0 (${base.toFixed(1)} ms)`);
  } finally {
    await c.destroy();
  }
}

/** `srun -n 8 true` inside a running batch job (with the job's own environment), against node -e 0 in that environment. */
async function srunRatio(): Promise<void> {
  const c = new BenchCluster(ROOT);
  try {
    const envFile = join(c.dir, 'job.env');
    const id = Number(c.run('sbatch', ['--parsable', '-n', '8', '-o', '/dev/null', '--wrap', `env -0 > ${envFile}.tmp && mv ${envFile}.tmp ${envFile}; sleep 600`], ROOT).trim());
    for (let i = 0; !existsSync(envFile); i++) {
      if (i > 300) throw new Error(`job ${id} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const env = Object.fromEntries(readFileSync(envFile, 'utf8').split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const srun = join(ROOT, 'bin', 'srun');
    timeProcess(srun, ['-n', '8', 'true'], env);
    const m = interleaved({
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], env),
      'srun -n 8 true': () => timeProcess(srun, ['-n', '8', 'true'], env),
    }, 20);
    console.log(`srun -n 8 true in a batch job: ${m['srun -n 8 true']!.toFixed(1)} ms vs node -e 0: ${m['node -e 0']!.toFixed(1)} ms -> ratio ${ratio(m['srun -n 8 true']!, m['node -e 0']!)} (target < 3x; medians of 20 interleaved runs)`);
    c.run('scancel', [String(id)], ROOT);
  } finally {
    await c.destroy();
  }
}

/** Each value parser alone, and a typical script's ten values (one core; target: a value in a microsecond or two). */
function valueThroughput(): void {
  const now = new Date();
  const ctx: V.PatternContext = { jobId: 12, arrayJobId: 10, arrayTaskId: 3, jobName: 'train', user: 'me', nodeName: 'gpu1', nodeIndex: 0, taskId: 0 };
  const kinds: [string, () => unknown][] = [
    ['time 1-02:30:00', () => V.parseTimeLimit('1-02:30:00')],
    ['memory 4G', () => V.parseMemory('4G')],
    ['date 2030-01-20T10:30:15', () => V.parseDateTime('2030-01-20T10:30:15', now)],
    ['date now+1hour', () => V.parseDateTime('now+1hour', now)],
    ['array 1-100%10', () => V.parseArray('1-100%10')],
    ['dependency afterok:1234:1235,afterany:1236', () => V.parseDependency('afterok:1234:1235,afterany:1236')],
    ['hostlist gpu[1-4]', () => V.expandHostlist('gpu[1-4]')],
    ['compress 4 names', () => V.compressHostlist(['gpu1', 'gpu2', 'gpu3', 'gpu4'])],
    ['gres gpu:h100:2', () => V.parseGres('gpu:h100:2')],
    ['gpus h100:2', () => V.parseGpus('h100:2')],
    ['export ALL,FOO=1,BAR', () => V.parseExport('ALL,FOO=1,BAR')],
    ['signal B:USR1@60', () => V.parseSignal('B:USR1@60')],
    ['pattern logs/%x-%A_%a.out', () => V.parseFilenamePattern('logs/%x-%A_%a.out')],
    ['expand logs/%x-%A_%4a.out', () => V.expandFilenamePattern('logs/%x-%A_%4a.out', ctx)],
    ['a script of 10 values', () => {
      V.parseTimeLimit('1-02:30:00');
      V.parseMemory('64G');
      V.parseFilenamePattern('logs/%x-%A_%a.out');
      V.parseFilenamePattern('logs/%x-%A_%a.err');
      V.parseArray('0-99%10');
      V.parseDependency('afterok:1234');
      V.parseGres('gpu:h100:2');
      V.parseSignal('B:USR1@60');
      V.parseDateTime('now+1hour', now);
      V.parseExport('ALL,OMP_NUM_THREADS=8');
    }],
  ];
  const opsPerSecond = (fn: () => unknown): number => {
    for (let i = 0; i < 5000; i++) fn();
    const n = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return n / ((performance.now() - t0) / 1000);
  };
  for (const [name, fn] of kinds) console.log(`values: ${name.padEnd(46)} ${Math.round(opsPerSecond(fn)).toLocaleString('en').padStart(11)} ops/s`);
}

// `node dist/bench.mjs [name...]` runs only the named parts
const parts: Record<string, () => void | Promise<void>> = {
  parser: parserThroughput, values: valueThroughput, dryrun: dryRunRatio, commands: commandRatios, sacct: sacctRatio, thousand: thousandJobs, srun: srunRatio, mithril: () => mithrilBench(ROOT), bursts: () => burstBench(ROOT),
};
const only = process.argv.slice(2);
for (const [name, run] of Object.entries(parts)) if (only.length === 0 || only.includes(name)) await run();

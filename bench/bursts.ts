/**
 * Commands in bursts, side by side with real Slurm when it runs here (the
 * oracle: shared/slurm-oracle, SLURM_CONF=/etc/slurm-oracle/slurm.conf) and
 * with `node -e 0` always: one held submission; 10,000 submissions from 4
 * parallel shell loops; 10 concurrent squeue pollers over 10,000 jobs. Loops
 * are bash loops calling the command by path, as a workflow tool's would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchCluster } from './cluster.js';
import { interleaved, timeProcess } from './stats.js';

const ORACLE_CONF = '/etc/slurm-oracle/slurm.conf';

/** Real Slurm's commands and environment, when its controller answers. */
function realSlurm(): { env: Record<string, string>; bin: string } | undefined {
  if (!existsSync(ORACLE_CONF) || !existsSync('/usr/bin/sbatch')) return undefined;
  const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', SLURM_CONF: ORACLE_CONF };
  const ping = spawnSync('/usr/bin/scontrol', ['ping'], { env, encoding: 'utf8', timeout: 10_000 });
  return ping.status === 0 && /is UP/.test(ping.stdout) ? { env, bin: '/usr/bin' } : undefined;
}

/** Real Slurm's queue emptied (scancel -u root, then wait): each phase starts from nothing. */
function drainSlurm(real: { env: Record<string, string>; bin: string }): void {
  spawnSync(join(real.bin, 'scancel'), ['-u', process.env.USER ?? 'root'], { env: real.env });
  for (let i = 0; i < 600; i++) {
    const q = spawnSync(join(real.bin, 'squeue'), ['-h', '-o', '%i'], { env: real.env, encoding: 'utf8' });
    if (q.stdout.trim() === '') return;
    spawnSync('sleep', ['0.5']);
  }
}

const SUBMIT = ['--parsable', '--hold', '--wrap=true', '-o', '/dev/null'];

/** `f` with a directory of its own, removed after. */
function inTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'flow-burst-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `loops` bash loops of `perLoop` submissions each, at once: wall time, ids printed, lines that were not ids. */
function submitLoops(sbatch: string, env: Record<string, string>, loops: number, perLoop: number): { seconds: number; ids: number[]; bad: string[] } {
  return inTempDir((dir) => {
    const script = [
      'set -u',
      `for l in $(seq 1 ${loops}); do`,
      `  ( for i in $(seq 1 ${perLoop}); do "${sbatch}" ${SUBMIT.join(' ')} 2>&1; done > "${dir}/out.$l" ) &`,
      'done',
      'wait',
    ].join('\n');
    const t0 = performance.now();
    spawnSync('bash', ['-c', script], { env, stdio: 'ignore' });
    const seconds = (performance.now() - t0) / 1000;
    const lines = Array.from({ length: loops }, (_, i) => readFileSync(join(dir, `out.${i + 1}`), 'utf8').split('\n').filter(Boolean)).flat();
    return { seconds, ids: lines.filter((l) => /^\d+$/.test(l)).map(Number), bad: lines.filter((l) => !/^\d+$/.test(l)) };
  });
}

interface Latencies {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

/** Lines of `start end rc` (bash $EPOCHREALTIME): rate over `wall` seconds, latency percentiles, failures. */
function latencies(lines: string[], wall: number): Latencies {
  const runs = lines.map((l) => l.split(' ').map(Number) as [number, number, number]);
  const ms = runs.map(([a, b]) => (b - a) * 1000).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN;
  return { perSecond: runs.length / wall, p50: at(0.5), p99: at(0.99), failed: runs.filter(([, , rc]) => rc !== 0).length };
}

/**
 * `count` pollers running `squeue args` back to back for `seconds`, and beside them one held
 * submission every 0.2 s: the pollers' rate and latency, and the submissions' latency among them.
 */
function pollers(squeue: string, args: string[], sbatch: string, env: Record<string, string>, count: number, seconds: number): { polls: Latencies; submits: Latencies } {
  return inTempDir((dir) => {
    const timed = (cmd: string) => `t0=$EPOCHREALTIME; ${cmd} > /dev/null 2>&1; rc=$?; echo "$t0 $EPOCHREALTIME $rc"`;
    const script = [
      `end=$(( $(date +%s) + ${seconds} ))`,
      `for p in $(seq 1 ${count}); do`,
      `  ( while [ "$(date +%s)" -lt "$end" ]; do ${timed(`"${squeue}" ${args.join(' ')}`)}; done > "${dir}/poll.$p" ) &`,
      'done',
      `( while [ "$(date +%s)" -lt "$end" ]; do ${timed(`"${sbatch}" ${SUBMIT.join(' ')}`)}; sleep 0.2; done > "${dir}/submit" ) &`,
      'wait',
    ].join('\n');
    const t0 = performance.now();
    spawnSync('bash', ['-c', script], { env, stdio: 'ignore' });
    const wall = (performance.now() - t0) / 1000;
    const read = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean);
    return {
      polls: latencies(Array.from({ length: count }, (_, i) => read(`poll.${i + 1}`)).flat(), wall),
      submits: latencies(read('submit'), wall),
    };
  });
}

const fmt = (n: number) => n.toFixed(1);

export async function burstBench(root: string): Promise<void> {
  const real = realSlurm();
  console.log(real ? 'bursts: real Slurm 22.05 (the oracle) runs here: measured side by side' : 'bursts: real Slurm is not running here: ratios to node -e 0 only');
  const c = new BenchCluster(root);
  try {
    const ours = (cmd: string) => join(root, 'bin', cmd);
    c.run('sbatch', ['--hold', '--wrap=true', '-o', '/dev/null'], root); // starts the controller
    await new Promise((r) => setTimeout(r, 1500));

    // one held submission, each way of ours, real Slurm's, node -e 0: interleaved
    if (real) drainSlurm(real);
    const one = ['--hold', '--wrap=true', '-o', '/dev/null'];
    const runs: Record<string, () => number> = {
      'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], c.env),
      'sbatch (C client)': () => timeProcess(ours('sbatch'), one, { ...c.env, FLOW_CLIENT: 'c' }),
      'sbatch (Node client)': () => timeProcess(ours('sbatch'), one, { ...c.env, FLOW_CLIENT: 'node' }),
      'sbatch (in full, FLOW_SERVED=0)': () => timeProcess(ours('sbatch'), one, { ...c.env, FLOW_SERVED: '0' }),
      ...(real && { 'real sbatch': () => timeProcess(join(real.bin, 'sbatch'), one, real.env) }),
    };
    const m = interleaved(runs, 20);
    const node = m['node -e 0']!;
    for (const [name, t] of Object.entries(m)) {
      if (name === 'node -e 0') continue;
      console.log(`bursts: one ${name} --hold: ${fmt(t)} ms = ${(t / node).toFixed(2)}x node -e 0 (${fmt(node)} ms)${real && !name.startsWith('real') ? ` = ${(t / m['real sbatch']!).toFixed(2)}x real sbatch (${fmt(m['real sbatch']!)} ms)` : ''}`);
    }
    console.log('bursts:   targets: at most 2x real sbatch; without real Slurm at most 0.3x node -e 0 (medians of 20 interleaved runs)');

    // 10,000 submissions from 4 loops
    const mine = submitLoops(ours('sbatch'), c.env, 4, 2500);
    const unique = new Set(mine.ids).size;
    console.log(`bursts: 10,000 sbatch --hold from 4 parallel loops: ${fmt(mine.seconds)} s (${Math.round(10_000 / mine.seconds)}/s), ${mine.ids.length} ids, ${unique} distinct, ${mine.bad.length} other lines${mine.bad[0] ? ` (first: ${mine.bad[0]})` : ''}`);
    let slurmLoops: ReturnType<typeof submitLoops> | undefined;
    if (real) {
      drainSlurm(real);
      slurmLoops = submitLoops(join(real.bin, 'sbatch'), real.env, 4, 2500);
      console.log(`bursts: real Slurm, the same: ${fmt(slurmLoops.seconds)} s (${Math.round(10_000 / slurmLoops.seconds)}/s), ${slurmLoops.ids.length} ids -> ours ${(mine.seconds / slurmLoops.seconds).toFixed(2)}x real Slurm's time (target at most 2x)`);
    }

    // 10 pollers over those 10,000 jobs
    const queued = c.run('squeue', ['-h', '-o', '%i'], root).split('\n').filter(Boolean).length;
    const { polls: p, submits: ps } = pollers(ours('squeue'), ['-h'], ours('sbatch'), c.env, 10, 15);
    console.log(`bursts: 10 squeue -h pollers over ${queued} jobs for 15 s: ${fmt(p.perSecond)} polls/s, p50 ${Math.round(p.p50)} ms, p99 ${Math.round(p.p99)} ms, ${p.failed} failed; an sbatch --hold among them every 0.2 s: p50 ${Math.round(ps.p50)} ms, p99 ${Math.round(ps.p99)} ms, ${ps.failed} failed`);
    if (real) {
      const rq = spawnSync(join(real.bin, 'squeue'), ['-h', '-o', '%i'], { env: real.env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
      const { polls: r, submits: rs } = pollers(join(real.bin, 'squeue'), ['-h'], join(real.bin, 'sbatch'), real.env, 10, 15);
      console.log(`bursts: real Slurm, the same over ${rq} jobs: ${fmt(r.perSecond)} polls/s, p50 ${Math.round(r.p50)} ms, p99 ${Math.round(r.p99)} ms, ${r.failed} failed; sbatch among them: p50 ${Math.round(rs.p50)} ms, p99 ${Math.round(rs.p99)} ms -> ours ${(p.perSecond / r.perSecond).toFixed(2)}x its throughput (target at least 1x), p99 ${(p.p99 / r.p99).toFixed(2)}x (target at most 1x)`);
      drainSlurm(real);
    }

    // 8 clients at once: the submit path's burst rate (issue 14: 500/s, no error, no duplicate, nothing lost)
    const count = () => c.run('squeue', ['-h', '-o', '%i'], root).split('\n').filter(Boolean).length;
    const before = count();
    const eight = submitLoops(ours('sbatch'), c.env, 8, 500);
    const added = count() - before;
    console.log(`bursts: 4,000 sbatch --hold from 8 parallel loops: ${fmt(eight.seconds)} s (${Math.round(4000 / eight.seconds)}/s), ${new Set(eight.ids).size} distinct ids, ${eight.bad.length} other lines, ${added} more jobs queued (target 500/s, no error, no duplicate, none lost)`);
  } finally {
    await c.destroy();
  }
}

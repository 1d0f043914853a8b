/**
 * Records fixtures/golden/recorded/<scenario>.json from REAL Slurm. Run through
 * scripts/record-golden.sh (which bundles this file with esbuild and provides
 * the private real-Slurm cluster); see fixtures/golden/README.md.
 *
 *   node record-golden.mjs [scenario...]      (default: every scenario)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, GOLDEN_ROOT, loadScenario, runScenario, slurmBackend } from '../test/helpers/golden.js';

const ORACLE = join(GOLDEN_ROOT, 'scripts', 'record-golden-oracle.sh');
/** --shared: the shared oracle, as it is (its other users' jobs included; nothing is restarted) */
const SHARED = process.env.FLOW_GOLDEN_SHARED === '1';
const SHARED_CONF = '/etc/slurm-oracle/slurm.conf';
const WORK = process.env.FLOW_GOLDEN_WORK ?? '/tmp/flow-golden';
const FIRST_JOB_ID = process.env.FLOW_GOLDEN_FIRST_JOB_ID ?? '1000';

/**
 * Wait (up to 10 minutes) until the shared oracle holds no job at all, running or finished (finished ones
 * leave after MinJobAge, 300 s): the scenario's jobs are then alone on it, and what depends on whether
 * slurmctld has any job record (scancel -v's plugin lines, scontrol show step's error) is as on a new cluster.
 */
async function sharedIdle(conf: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const jobs = execFileSync('/usr/bin/squeue', ['-h', '-t', 'all', '-o', '%i'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', SLURM_CONF: conf } }).trim();
    if (jobs === '') return;
    if (i === 0) process.stderr.write(`record-golden: waiting for the shared oracle's jobs to end and age out: ${jobs.split('\n').join(' ')}\n`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the shared oracle kept jobs');
}

async function main(): Promise<void> {
  const all = readdirSync(join(GOLDEN_DIR, 'scenarios'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
  const names = process.argv.slice(2).length ? process.argv.slice(2) : all.filter((n) => (loadScenario(n).cluster === 'shared') === SHARED);
  const conf = SHARED ? SHARED_CONF : execFileSync(ORACLE, ['conf'], { encoding: 'utf8' }).trim();
  const version = execFileSync('/usr/bin/sinfo', ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', SLURM_CONF: conf } }).trim();
  mkdirSync(join(GOLDEN_DIR, 'recorded'), { recursive: true });
  for (const name of names) {
    const scenario = loadScenario(name);
    if ((scenario.cluster === 'shared') !== SHARED) throw new Error(`${name}: record it ${scenario.cluster === 'shared' ? 'with' : 'without'} --shared`);
    const t0 = Date.now();
    // an empty, idle cluster whose job ids start at FirstJobId (as TestCluster's); the shared
    // oracle cannot be restarted: wait until no job of its other users is alive
    if (!SHARED) execFileSync(ORACLE, ['fresh', FIRST_JOB_ID], { stdio: ['ignore', 'ignore', 'inherit'] });
    else await sharedIdle(conf);
    const cwd = join(WORK, name);
    rmSync(cwd, { recursive: true, force: true });
    const run = await runScenario(scenario, slurmBackend({ conf, cwd, cluster: 'oracle' }));
    const out = {
      source: `recorded from real Slurm (${version}, Debian slurm-wlm 22.05.8-4+deb12u3) by scripts/record-golden.sh on ${new Date().toISOString().slice(0, 19)}Z; ${SHARED
        ? 'the shared oracle (/work/shared/slurm-oracle, accounting_storage/none: fixtures/oracle/slurm.conf) as it was, under flock /tmp/oracle.lock'
        : `private copy of the oracle cluster in slurmdbd mode (fixtures/golden/slurm.conf), restarted empty with FirstJobId=${FIRST_JOB_ID} before the scenario`}`,
      ...run,
    };
    writeFileSync(join(GOLDEN_DIR, 'recorded', `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
    const problems = run.steps.filter((s) => s.timedOut || s.gaveUp || (s.kind === 'submit' && s.jobId === null));
    process.stderr.write(`record-golden: ${name}: ${run.queries.length} queries in ${Math.round((Date.now() - t0) / 1000)} s${problems.length ? `; PROBLEMS: ${JSON.stringify(problems)}` : ''}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`record-golden: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

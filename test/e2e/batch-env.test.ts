/**
 * The environment of the batch step: for each recorded run of real Slurm
 * 22.05.8 (fixtures/oracle/run, scripts/record-oracle-run.sh), the same script
 * and options on our mirrored cluster must give the same set of SLURM_*
 * (and GPU) variables with the same values, ids, host names, paths and times
 * aside.
 */
import { afterAll, describe, expect } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestCluster } from '../helpers/cluster.js';
import { ClusterPool, withPool } from '../helpers/pool.js';
import { FIXTURES, ROOT } from '../helpers/oracle.js';

interface RunFile { name: string; envNormalized: string[]; records: number[]; content: string }
interface RunRecording {
  case: { name: string; script: string; args: string[]; env?: Record<string, string> };
  submitEnv: Record<string, string>;
  cwd: string;
  placeholders: Record<string, number>;
  files: RunFile[];
}

const CASES = ['plain', 'tasks-cpus', 'gres-gpu2-h100', 'gpus-per-node-a100', 'mem-2g', 'mem-per-cpu', 'two-node', 'export-default', 'chdir'];
/** The cluster name, config path and controller address are this cluster's own. */
const OWN = new Set(['SLURM_CLUSTER_NAME', 'SLURM_CONF', 'SLURM_WORKING_CLUSTER']);

const pool = new ClusterPool(3);
const it = withPool(pool);
afterAll(async () => {
  await pool.destroy();
});

function recording(name: string): RunRecording {
  return JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'run', `${name}.json`), 'utf8')) as RunRecording;
}

function normalize(lines: string[], jobId: number, cwd: string): string[] {
  return lines
    .filter((l) => !OWN.has(l.slice(0, l.indexOf('='))))
    .map((l) => {
      const [k, ...rest] = l.split('=');
      let v = rest.join('=');
      if (k === 'SLURM_TASK_PID') v = '{VOLATILE}';
      else if (k === 'SLURM_SUBMIT_HOST') v = '{SUBMIT_HOST}';
      else v = v.replaceAll(cwd, '{WORKDIR}').replace(new RegExp(`(?<![0-9])${jobId}(?![0-9])`, 'g'), '{JOBID}');
      return `${k}=${v}`;
    });
}

const ENV_LINE = /^(SLURM_|SLURMD_|CUDA_VISIBLE_DEVICES=|GPU_DEVICE_ORDINAL=|ROCR_VISIBLE_DEVICES=)/;

describe.concurrent('batch step environment matches real Slurm', () => {
  it.for(CASES)('%s', async (name, { c }) => {
    const rec = recording(name);
    const oracle = rec.files.find((f) => f.envNormalized.length > 0)!;
    const cwd = join(c.dir, 'run', name);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(join(cwd, 'sub'), { recursive: true });
    copyFileSync(join(FIXTURES, 'scripts', 'run', rec.case.script), join(cwd, rec.case.script));
    const id = c.submit([...rec.case.args, rec.case.script], { cwd, env: rec.case.env });
    await c.waitState(id, ['COMPLETED']);
    const outName = oracle.name.replace(String(rec.placeholders['{JOBID}']), String(id));
    const lines = readFileSync(join(cwd, outName), 'utf8').split('\n').filter((l) => ENV_LINE.test(l));
    const ours = normalize(lines, id, cwd);
    const theirs = oracle.envNormalized.filter((l) => !OWN.has(l.slice(0, l.indexOf('='))));
    expect(ours).toEqual(theirs);
    rmSync(cwd, { recursive: true, force: true });
  });
});

describe.concurrent('the job\'s PATH', () => {
  // real Slurm: the batch shell and an srun task see the submitter's PATH, unchanged (env-path)
  const rec = recording('env-path');
  const recorded = rec.files[0]!.content;
  const submitted = rec.submitEnv.PATH!;
  // node for our commands' #!/usr/bin/env node
  const nodeDir = dirname(process.execPath);

  /** The recorded script in a directory of its own, with our srun linked into pathbin/ */
  function stage(c: TestCluster): string {
    const cwd = join(c.dir, 'env-path');
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(join(cwd, 'pathbin'), { recursive: true });
    copyFileSync(join(FIXTURES, 'scripts', 'run', rec.case.script), join(cwd, rec.case.script));
    // our srun on the submitter's PATH, as `npm link` or a PATH entry puts it there
    symlinkSync(join(ROOT, 'bin', 'srun'), join(cwd, 'pathbin', 'srun'));
    return cwd;
  }

  async function run(c: TestCluster, cwd: string, path: string): Promise<string> {
    const id = c.submit([...rec.case.args, rec.case.script], { cwd, env: { PATH: path } });
    await c.waitState(id, ['COMPLETED']);
    return readFileSync(join(cwd, `slurm-${id}.out`), 'utf8');
  }

  it('is the submitter\'s, unchanged, when srun on it is ours (as in Slurm)', async ({ c }) => {
    const cwd = stage(c);
    const path = `${cwd}/pathbin:${submitted.replace(/:\/usr\/bin:/, `:${nodeDir}:/usr/bin:`)}`;
    expect(await run(c, cwd, path)).toBe(recorded.replaceAll(submitted, path));
  });

  it('gets our bin/ first when srun on it is not ours, so srun inside the job is ours', async ({ c }) => {
    const cwd = stage(c);
    // here /usr/bin/srun is real Slurm's (or there is none)
    const path = submitted.replace(/:\/usr\/bin:/, `:${nodeDir}:/usr/bin:`);
    expect(await run(c, cwd, path)).toBe(recorded.replaceAll(submitted, `${join(ROOT, 'bin')}:${path}`));
  });
});

/**
 * The environment of the batch step: for each recorded run of real Slurm
 * 22.05.8 (fixtures/oracle/run, scripts/record-oracle-run.sh), the same script
 * and options on our mirrored cluster must give the same set of SLURM_*
 * (and GPU) variables with the same values, ids, host names, paths and times
 * aside.
 */
import { afterAll, describe, expect } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterPool, withPool } from '../helpers/pool.js';
import { FIXTURES } from '../helpers/oracle.js';

interface RunFile { name: string; envNormalized: string[]; records: number[] }
interface RunRecording {
  case: { name: string; script: string; args: string[]; env?: Record<string, string> };
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

/**
 * What a job becomes when it runs: for each recorded run of real Slurm 22.05.8
 * (fixtures/oracle/run, scripts/record-oracle-run.sh), the same script and
 * options on our mirrored cluster must end with the same size and place in
 * `scontrol show job` (NumNodes, NumCPUs, NumTasks, TRES, NodeList, Partition)
 * and give the batch step the same task layout variables. Node ranges
 * (`-N 1-2`), --ntasks-per-node and --constraint expressions.
 */
import { afterAll, describe, expect } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterPool, withPool } from '../helpers/pool.js';
import { FIXTURES, scontrolFields } from '../helpers/oracle.js';

interface RunRecording {
  case: { name: string; script: string; args: string[] };
  cwd: string;
  placeholders: Record<string, number>;
  scontrol: string[];
  files: { name: string; envNormalized: string[] }[];
}

const CASES = ['size-range-ntasks', 'size-range-ntpn', 'size-range-2-4', 'size-ntasks-ntpn-gres', 'constraint-count-run',
  'constraint-xand-run', 'constraint-or-run', 'constraint-partitions-run', 'time-negative-run'];
const FIELDS = ['JobState', 'Partition', 'NodeList', 'NumNodes', 'NumCPUs', 'NumTasks', 'TRES', 'Features', 'TimeLimit', 'MinCPUsNode'];
/** The batch step's view of its allocation. */
const LAYOUT = /^SLURM_(NNODES|NTASKS|NPROCS|JOB_NODELIST|NODELIST|TASKS_PER_NODE|JOB_CPUS_PER_NODE|CPUS_ON_NODE|NTASKS_PER_NODE|JOB_PARTITION|JOB_NUM_NODES)=/;

// each case holds a cluster of its own while it runs (its nodes are all free, as on the oracle)
const pool = new ClusterPool(3);
const it = withPool(pool);
afterAll(async () => {
  await pool.destroy();
});

const recording = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'run', `${name}.json`), 'utf8')) as RunRecording;

describe.concurrent('a job that runs takes the size and nodes real Slurm gives it', () => {
  it.for(CASES)('%s', async (name, { c }) => {
    const rec = recording(name);
    // a work directory of this cluster's own (real Slurm's was rec.cwd)
    const cwd = join(c.dir, 'run', name);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    copyFileSync(join(FIXTURES, 'scripts', 'run', rec.case.script), join(cwd, rec.case.script));
    const id = c.submit([...rec.case.args, rec.case.script], { cwd });
    const ours = await c.waitState(id, ['COMPLETED']);
    const theirs = scontrolFields(rec.scontrol[0]!);
    for (const f of FIELDS) expect({ field: f, value: ours.get(f) }).toEqual({ field: f, value: theirs.get(f) });

    const oracle = rec.files.find((f) => f.envNormalized.length > 0)!;
    const out = readFileSync(join(cwd, oracle.name.replace(String(rec.placeholders['{JOBID}']), String(id))), 'utf8');
    expect(out.split('\n').filter((l) => LAYOUT.test(l))).toEqual(oracle.envNormalized.filter((l) => LAYOUT.test(l)));
    rmSync(cwd, { recursive: true, force: true });
  });
});

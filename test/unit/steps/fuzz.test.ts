/**
 * Random srun command lines and inherited job environments through srun's
 * whole front end and step planning (options, layout, GPUs, claims, task
 * environments, stdio): each must end in a plan or in srun's error lines and
 * an exit code, never in an exception.
 */
import { describe, expect, it } from 'vitest';
import { parseSrun, stepGpuRequest, stepMemory, stepRequest } from '../../../src/commands/srun-options.js';
import { SRUN_OPTIONS } from '../../../src/options/table.js';
import { stepClaims } from '../../../src/steps/claims.js';
import { exportedToTasks } from '../../../src/steps/export.js';
import type { AllocatedNode } from '../../../src/steps/layout.js';
import { planStep } from '../../../src/steps/plan.js';
import { taskStdio } from '../../../src/steps/stdio.js';
import { stepEnv, taskEnv, taskPlaces } from '../../../src/steps/task-env.js';
import { rng } from '../../helpers/rng.js';

const VALUES = ['', '0', '1', '2', '3', '8', '100', '-1', '1-2', '2-1', 'abc', 'gpu1', 'gpu[1-2]', 'gpu[1-', 'gpu9', 'cyclic', 'block', 'plane=2',
  'cyclic:block', 'ALL,FOO=bar', 'NONE', 'FOO', 'out-%t-%n-%N.txt', '%5j', 'none', '0', 'all', 'gpu:1', 'gpu:h100:2', 'a100:3', '1G', '300G',
  'none', 'closest', 'map_gpu:1,0', 'mask_gpu:0x3', 'q', 'cores', '"x,y"', '\\', '=', '-', 'é', '9'.repeat(25)];
const NODES: AllocatedNode[][] = [
  [{ name: 'gpu1', cpus: 4, memMb: 4096, gpus: [] }],
  [{ name: 'gpu1', cpus: 4, memMb: 4096, gpus: [0, 1, 2, 3] }, { name: 'gpu2', cpus: 1, memMb: 1024, gpus: [0, 1, 2, 3] }],
  [{ name: 'gpu1', cpus: 2, memMb: 2048, gpus: [0, 1] }, { name: 'gpu2', cpus: 2, memMb: 2048, gpus: [4, 5] }, { name: 'gpu3', cpus: 2, memMb: 0, gpus: [] }],
];
const JOB_ENVS: Record<string, string>[] = [
  { SLURM_JOB_ID: '1000', SLURM_NTASKS: '4', SLURM_NNODES: '1', SLURM_MEM_PER_CPU: '1024' },
  { SLURM_JOB_ID: '1000', SLURM_NTASKS: '5', SLURM_NNODES: '2', SLURM_NTASKS_PER_NODE: '2', SLURM_GPUS_PER_TASK: '1' },
  { SLURM_JOB_ID: '1000', SLURM_NNODES: '3', SLURM_MEM_PER_NODE: 'abc', SLURM_DISTRIBUTION: 'weird', SLURM_EXPORT_ENV: 'NONE' },
  {},
];

describe('fuzz', () => {
  it('srun never throws on 6,000 random command lines and job environments', () => {
    const rand = rng(20261129);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const outcomes = { plan: 0, error: 0, info: 0 };
    const options = SRUN_OPTIONS.filter((o) => !['help', 'usage', 'version'].includes(o.name));
    for (let i = 0; i < 6000; i++) {
      const argv: string[] = [];
      for (let k = Math.floor(rand() * 5); k > 0; k--) {
        const o = pick(options);
        const flag = rand() < 0.4 && o.short ? `-${o.short}` : `--${o.name}`;
        if (o.arg === 'none') argv.push(flag);
        else if (o.arg === 'optional') argv.push(rand() < 0.5 ? flag : `${flag}=${pick(VALUES)}`);
        else argv.push(...(rand() < 0.5 ? [flag, pick(VALUES)] : [`${flag}=${pick(VALUES)}`]));
      }
      if (rand() < 0.95) argv.push('bash', '-c', 'true');
      const env = { PATH: '/usr/bin:/bin', ...pick(JOB_ENVS) };
      const parsed = parseSrun(argv, env, new Date(1795888000_000));
      if (parsed.kind === 'info') {
        outcomes.info++;
        continue;
      }
      if (parsed.kind === 'error') {
        expect(parsed.stderr.length, argv.join(' ')).toBeGreaterThan(0);
        expect(parsed.exit === 1 || parsed.exit === 255, argv.join(' ')).toBe(true);
        outcomes.error++;
        continue;
      }
      const o = parsed.options;
      const nodes = pick(NODES);
      const req = stepRequest(o);
      if (!req.ok) {
        outcomes.error++;
        continue;
      }
      const plan = planStep(1000, nodes, req.step, stepGpuRequest(o));
      if (!plan.ok) {
        expect(plan.stderr.at(-1), argv.join(' ')).toMatch(/^srun: error: /);
        outcomes.error++;
        continue;
      }
      stepClaims(plan.layout, nodes, { exact: o.request.exact === true, overlap: o.request.overlap === true, cpusPerTask: req.step.cpusPerTask, memory: stepMemory(o) });
      const ctx = { jobId: 1000, stepId: 0, layout: plan.layout, job: nodes, label: o.request.label === true, launchHost: '127.0.0.1', port: 30000, umask: '0022', gpus: plan.gpus };
      const common = stepEnv(exportedToTasks(o.request.export, env), ctx);
      for (const t of taskPlaces(plan.layout)) {
        const node = plan.layout.nodes[t.nodeId]!.name;
        const e = taskEnv(common, ctx, t);
        expect(e.SLURM_PROCID).toBe(String(t.procid));
        taskStdio({ input: o.request.input, output: o.request.output, error: o.request.error }, {
          jobId: 1000, stepId: 0, jobName: 'fuzz', user: 'root', nodeName: node, nodeIndex: t.nodeId, taskId: t.procid, workDir: '/tmp',
        });
      }
      outcomes.plan++;
    }
    // the mix exercises all three endings
    expect(outcomes.plan).toBeGreaterThan(500);
    expect(outcomes.error).toBeGreaterThan(500);
  });
});

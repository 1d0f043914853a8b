/**
 * Every step of the recorded srun runs (fixtures/oracle/srun, real Slurm
 * 22.05.8) through our pure step planning: the job is rebuilt from the
 * recorded sbatch call and allocation, its batch environment from
 * batch-env.ts, then each `srun ... bash taskline.sh` of the script is
 * planned; every task's line (taskline.sh's fields) and task 0's whole
 * environment must be what real Slurm printed, ids, ports and pids aside.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSrun, stepGpuRequest, stepRequest } from '../../../src/commands/srun-options.js';
import type { StoredJob } from '../../../src/job/job-run.js';
import { batchEnv } from '../../../src/steps/batch-env.js';
import { expandHostlist } from '../../../src/job/values/index.js';
import { exportedToTasks } from '../../../src/steps/export.js';
import type { AllocatedNode } from '../../../src/steps/layout.js';
import { planStep } from '../../../src/steps/plan.js';
import { stepEnv, taskEnv, taskPlaces } from '../../../src/steps/task-env.js';
import { prepareSubmission } from '../../../src/submit/prepare.js';
import { FIXTURES } from '../../helpers/oracle.js';
import { oracleCluster, ROOT_IDENTITY, stagedDir } from '../../helpers/replay.js';

interface Section { title: string; lines: string[] }
interface SrunRecording {
  case: { name: string; script: string; args: string[] };
  cwd: string;
  env: Record<string, string>;
  placeholders: Record<string, number>;
  final: Record<string, string>[];
  files: { nameNormalized: string; sections?: Section[] }[];
}

const CASES = ['sample-two-node', 'layout-1x8', 'layout-2x4', 'layout-2x1-a100', 'layout-2x2-a100-typed', 'layout-uneven-5x2',
  'step-n3-in-n4', 'step-n3-in-2x2', 'gpus-per-task', 'gpus-per-task-job'];

const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'srun', `${name}.json`), 'utf8')) as SrunRecording;

/** `4(x2),1` -> [4, 4, 1] */
function expandCounts(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const m = /^(\d+)(?:\(x(\d+)\))?$/.exec(part)!;
    return Array.from({ length: Number(m[2] ?? 1) }, () => Number(m[1]));
  });
}

/** The job as our controller would hold it, with the recorded allocation. */
function rebuildJob(rec: SrunRecording, task0Env: string[]): StoredJob {
  const cwd = stagedDir(rec.cwd);
  copyFileSync(join(FIXTURES, 'scripts', 'srun', rec.case.script), join(cwd, rec.case.script));
  const prepared = prepareSubmission(
    { argv: [...rec.case.args, rec.case.script], env: rec.env, cwd, now: new Date(), readStdin: () => Buffer.alloc(0) },
    oracleCluster(), ROOT_IDENTITY, rec.placeholders['{JOBID}']!,
  );
  if (prepared.kind !== 'job') throw new Error(`replay failed: ${JSON.stringify(prepared)}`);
  const value = (k: string) => task0Env.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
  const nodes = expandHostlist(rec.final[0]!.NodeList!);
  if (!nodes.ok) throw new Error('bad node list');
  const cpus = expandCounts(value('SLURM_JOB_CPUS_PER_NODE')!);
  const gpus = value('SLURM_JOB_GPUS')?.split(',').map(Number) ?? [];
  return {
    record: prepared.job, state: 'RUNNING', reason: 'None', priority: 1, basePriority: 1, held: '', eligible: 0, start: 0, end: 0,
    lastSchedEval: 0, exit: '0:0', restarts: 0, run: 1, nodes: rec.final[0]!.NodeList!, batchHost: nodes.value[0]!, sup: '1',
    cancelBy: '', dependency: null, tasks: '', submit: 0, history: [],
    alloc: nodes.value.map((node, i) => ({ node, cpus: cpus[i]!, memMb: cpus[i]! * 1024, gpus })),
  };
}

const FIELDS: [string, string][] = [['procid', 'SLURM_PROCID'], ['localid', 'SLURM_LOCALID'], ['nodeid', 'SLURM_NODEID'], ['node', 'SLURMD_NODENAME'],
  ['step', 'SLURM_STEP_ID'], ['stepid', 'SLURM_STEPID'], ['ntasks', 'SLURM_NTASKS'], ['nprocs', 'SLURM_NPROCS'], ['nnodes', 'SLURM_NNODES'],
  ['step_num_tasks', 'SLURM_STEP_NUM_TASKS'], ['step_num_nodes', 'SLURM_STEP_NUM_NODES'], ['step_nodelist', 'SLURM_STEP_NODELIST'],
  ['step_tasks_per_node', 'SLURM_STEP_TASKS_PER_NODE'], ['tasks_per_node', 'SLURM_TASKS_PER_NODE'], ['gtids', 'SLURM_GTIDS'],
  ['cpus_on_node', 'SLURM_CPUS_ON_NODE'], ['cuda', 'CUDA_VISIBLE_DEVICES'], ['step_gpus', 'SLURM_STEP_GPUS'], ['gpus_on_node', 'SLURM_GPUS_ON_NODE'],
  ['job_gpus', 'SLURM_JOB_GPUS'], ['gpu_ordinal', 'GPU_DEVICE_ORDINAL'], ['job_nodelist', 'SLURM_JOB_NODELIST'], ['nodelist', 'SLURM_NODELIST'],
  ['job_num_nodes', 'SLURM_JOB_NUM_NODES'], ['distribution', 'SLURM_DISTRIBUTION']];

/** What fixtures/scripts/srun/taskline.sh prints for a task with this environment (its pid is its own: the launcher sets it so). */
function taskline(env: Record<string, string>): string {
  return `task ${FIELDS.map(([k, v]) => `${k}=${env[v] ?? '(unset)'}`).join(' ')} task_pid=self`;
}

/** The sample's own line: `procid localid nodeid node step cuda` */
function sampleLine(env: Record<string, string>): string {
  return `task procid=${env.SLURM_PROCID} localid=${env.SLURM_LOCALID} nodeid=${env.SLURM_NODEID} node=${env.SLURMD_NODENAME} step=${env.SLURM_STEP_ID} cuda=${env.CUDA_VISIBLE_DEVICES}`;
}

const ENV_LINE = /^(SLURM_|SLURMD_|SRUN_|CUDA_VISIBLE_DEVICES=|GPU_DEVICE_ORDINAL=|ROCR_VISIBLE_DEVICES=)/;

function normalizedEnv(env: Record<string, string>, rec: SrunRecording): string[] {
  const jobId = String(rec.placeholders['{JOBID}']);
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).filter((l) => ENV_LINE.test(l)).sort().map((l) => {
    const [k] = l.split('=', 1);
    if (k === 'SLURM_TASK_PID') return `${k}={VOLATILE}`;
    if (k === 'SLURM_SUBMIT_HOST') return `${k}={SUBMIT_HOST}`;
    if (k === 'SLURM_SRUN_COMM_PORT' || k === 'SLURM_STEP_LAUNCHER_PORT') return `${k}={PORT}`;
    if (k === 'SLURM_SRUN_COMM_HOST' || k === 'SLURM_LAUNCH_NODE_IPADDR') return `${k}={IPADDR}`;
    return l.replaceAll(stagedDir(rec.cwd), '{WORKDIR}').replace(new RegExp(`(?<![0-9])${jobId}(?![0-9])`, 'g'), '{JOBID}');
  });
}

/** The srun command line of a section title: `tasks: srun -n 3 bash taskline.sh` */
function srunArgs(title: string): string[] | undefined {
  const m = /^tasks: srun ?(.*?) ?bash taskline\.sh/.exec(title);
  return m ? m[1]!.split(' ').filter(Boolean) : undefined;
}

describe('step layouts and task environments match real Slurm 22.05', () => {
  it.each(CASES)('%s', (name) => {
    const rec = load(name);
    const out = rec.files.find((f) => f.nameNormalized.startsWith('slurm-'))!.sections!;
    const sample = name === 'sample-two-node';
    const task0Section = out.find((s) => s.title.startsWith('task0 env') || s.title === 'srun task 0 env')!;
    const job = rebuildJob(rec, task0Section.lines);
    const base = batchEnv(job, { clusterName: 'oracle', slurmConf: '/etc/slurm-oracle/slurm.conf', controllerHost: 'localhost',
      submitEnv: rec.env, binDir: '/flow/bin' });
    base.SLURM_TASK_PID = '1';
    const nodes: AllocatedNode[] = job.alloc.map((a) => ({ name: a.node, cpus: a.cpus, memMb: a.memMb, gpus: a.gpus }));
    const steps: Record<string, string>[][] = [];
    const runs: { title: string; argv: string[]; line: (e: Record<string, string>) => string }[] = sample
      ? [{ title: 'srun tasks', argv: ['bash', '-c', '...'], line: sampleLine }, { title: 'srun task 0 env', argv: ['--ntasks=1', '--nodes=1', 'bash'], line: sampleLine }]
      : out.flatMap((s) => (srunArgs(s.title) ? [{ title: s.title, argv: [...srunArgs(s.title)!, 'bash', 'taskline.sh'], line: taskline }] : []));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      const parsed = parseSrun(run.argv, base, new Date());
      if (parsed.kind !== 'ok') throw new Error(parsed.kind);
      const req = stepRequest(parsed.options);
      if (!req.ok) throw new Error(req.stderr.join());
      const plan = planStep(job.record.jobId, nodes, req.step, stepGpuRequest(parsed.options));
      const recorded = out.find((s) => s.title === run.title)!.lines.filter((l) => !l.startsWith('srun-exit='));
      if (!plan.ok) {
        expect(plan.stderr.map((l) => l.replace(String(job.record.jobId), '{JOBID}'))).toEqual(recorded);
        continue;
      }
      const ctx = { jobId: job.record.jobId, stepId: steps.length, layout: plan.layout, job: nodes, label: false, launchHost: '127.0.0.1',
        port: 40000, umask: '0022', gpus: plan.gpus };
      const common = stepEnv(exportedToTasks(parsed.options.request.export, base), ctx);
      const envs = taskPlaces(plan.layout).map((t) => taskEnv(common, ctx, t));
      steps.push(envs);
      if (run.title === 'srun task 0 env') {
        expect(normalizedEnv(envs[0]!, rec).filter((l) => !l.startsWith('SRUN_') && !/^(GPU_DEVICE_ORDINAL|ROCR_VISIBLE_DEVICES)=/.test(l))).toEqual(recorded);
      } else {
        expect([...plan.warnings, ...envs.map(run.line)]).toEqual(recorded);
      }
    }
    for (const s of out.filter((x) => /^task0 env: step \d+$/.test(x.title))) {
      const step = Number(/\d+$/.exec(s.title)![0]);
      expect(normalizedEnv(steps[step]![0]!, rec)).toEqual(s.lines);
    }
  });
});

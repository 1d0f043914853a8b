/**
 * srun inside a job on Mithril nodes, the planning side: remote-srun.sh on
 * the batch node leaves a request (its arguments, environment and
 * directory); the driver plans the step with srun's own code
 * (src/steps/step-plan.ts) and answers with shell files: per node, how to
 * start each of its tasks (node.sh), and for the batch node's srun, which
 * tasks to start where (plan.sh). Pure.
 */
import { relative } from 'node:path';
import type { StoredJob } from '../../job/job-run.js';
import { parseSrun } from '../../commands/srun-options.js';
import { labelPrefix } from '../../steps/output.js';
import { planSrunStep, stepTasks, type PlannedStep, type PlannedTask } from '../../steps/step-plan.js';
import type { SrunOptions } from '../../commands/srun-options.js';
import { q, remoteDir, sendableEnv } from './remote.js';

/** What remote-srun.sh left: argv and env NUL-separated, cwd a line. */
export interface StepAsk {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export function readAsk(argv: Buffer, env: Buffer, cwd: Buffer): StepAsk {
  const split = (b: Buffer) => b.toString('utf8').split('\0').filter((x, i, a) => i < a.length - 1 || x !== '');
  const vars: Record<string, string> = {};
  for (const entry of split(env)) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { argv: split(argv), env: vars, cwd: cwd.toString('utf8').replace(/\n$/, '') };
}

export type StepAnswer =
  /** srun ends at once: its output and exit code (an error, --help) */
  | { kind: 'done'; script: string }
  | { kind: 'step'; options: SrunOptions; step: PlannedStep };

/** srun's answer before any step exists: its error or its --help, else the step to create. */
export function decide(job: StoredJob, ask: StepAsk, now: Date): StepAnswer {
  const parsed = parseSrun(ask.argv, ask.env, now);
  if (parsed.kind === 'info') return { kind: 'done', script: `printf '%s' ${q(parsed.stdout)}\nexit 0\n` };
  if (parsed.kind === 'error') return { kind: 'done', script: failure(parsed.stderr, parsed.exit) };
  const planned = planSrunStep(job, parsed.options);
  if (!planned.ok) return { kind: 'done', script: failure(planned.stderr, 1) };
  return { kind: 'step', options: parsed.options, step: planned.step };
}

function failure(stderr: readonly string[], exit: number): string {
  return `${stderr.map((l) => `printf '%s\\n' ${q(l)} >&2`).join('\n')}\nexit ${exit}\n`;
}

export interface StepFiles {
  /** node index in the job → its node.sh */
  nodes: Map<number, string>;
  /** plan.sh, for the batch node's srun */
  plan: string;
}

/**
 * The files of a step with its id. `dests`: for each node of the job, how
 * the batch node reaches it ('' for itself). Each task's directory is the
 * same place relative to the run's directory as srun's was on the batch node.
 */
export function stepFiles(job: StoredJob, run: string, answer: Extract<StepAnswer, { kind: 'step' }>, stepId: number, ask: StepAsk, dests: readonly string[], launchHost: string): StepFiles {
  const { tasks } = stepTasks(job, answer.options, answer.step, stepId, ask.env, { launchHost, port: 40000 + (job.record.jobId % 20000), umask: '0022' });
  const home = ask.env.HOME ?? '';
  const rel = relative(`${home}/.flow-slurm/${run}`, ask.cwd);
  const inRun = rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
  const dir = remoteDir(run);
  const cwd = inRun ? `${dir}/${q(rel)}` : q(ask.cwd);
  const jobIndex = new Map(job.alloc.map((a, i) => [a.node, i]));
  const byNode = new Map<number, PlannedTask[]>();
  for (const t of tasks) {
    const i = jobIndex.get(t.node)!;
    byNode.set(i, [...(byNode.get(i) ?? []), t]);
  }
  const nodes = new Map<number, string>();
  for (const [i, here] of byNode) {
    const cases = here.map((t) => {
      const env = sendableEnv(t.env, []);
      return [
        `${t.procid})`,
        ...Object.entries(env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  export ${k}=${q(v)}`),
        `  export PATH=${dir}/bin:"$PATH"`,
        `  cd ${cwd} 2>/dev/null || cd ${dir}/work`,
        `  exec ${answer.options.command.map(q).join(' ')} ;;`,
      ].join('\n');
    });
    nodes.set(i, `# step ${job.record.jobId}.${stepId}: its tasks on this node (flow-slurm)\ncase "$1" in\n${cases.join('\n')}\nesac\necho "flow-slurm: no task $1 of this step here" >&2\nexit 1\n`);
  }
  const plan = [
    `STEP=${stepId}`,
    `LABEL=${answer.options.request.label === true ? '1' : ''}`,
    ...answer.step.warnings.map((w) => `printf '%s\\n' ${q(w)} >&2`),
    ...tasks.map((t) => `task ${t.procid} ${q(dests[jobIndex.get(t.node)!] ?? '')} ${q(labelPrefix(t.procid, tasks.length))}`),
    '',
  ].join('\n');
  return { nodes, plan };
}

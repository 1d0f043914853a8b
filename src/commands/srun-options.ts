/**
 * srun's front end: its command line and its input variables through the
 * shared option table (srun's entries of it), with Slurm's precedence
 * (command line over environment), then the step request the layout needs.
 * Pure: argv and environment in, options or srun's exact error out.
 */
import { expandHostlist } from '../job/values/index.js';
import type { OptionFailure } from '../options/kinds.js';
import type { JobRequest } from '../options/request.js';
import {
  applyEnvironment, applyParsed, emptyResolution, failureLines, firstInfoOption, isSetByCli, parseArgv, validateSources,
  type OptionSource, type Resolution,
} from '../options/resolve.js';
import { srunEnvTable } from '../options/srun-env.js';
import type { StepMemory } from '../steps/claims.js';
import type { StepGpuRequest } from '../steps/gpus.js';
import type { Given, StepRequest } from '../steps/layout.js';
import { SLURM_VERSION } from '../submit/parse.js';
import { SRUN_HELP, SRUN_USAGE } from './srun-help.js';

export type SrunParse =
  | { kind: 'info'; stdout: string }
  | { kind: 'error'; stderr: string[]; exit: number }
  | { kind: 'ok'; options: SrunOptions };

export interface SrunOptions {
  resolution: Resolution;
  request: JobRequest;
  /** the program and its arguments */
  command: string[];
  /** the allocation to run in (--jobid or SLURM_JOB_ID); undefined: srun makes its own */
  jobId?: number;
}

const CMD = 'srun';
const error = (failure: OptionFailure): SrunParse => ({ kind: 'error', stderr: failureLines(CMD, failure), exit: failure.exit });

export function parseSrun(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now: Date): SrunParse {
  const cli = parseArgv(argv, CMD);
  const info = firstInfoOption(cli.options);
  if (info === 'help') return { kind: 'info', stdout: SRUN_HELP };
  if (info === 'usage') return { kind: 'info', stdout: SRUN_USAGE };
  if (info === 'version') return { kind: 'info', stdout: `slurm ${SLURM_VERSION}\n` };
  if (!cli.ok) return error(cli.failure);
  const ids = new Set(cli.options.map((o) => o.id));

  // inside an allocation the job's name is not the steps' name (srun man page, SLURM_JOB_NAME)
  const inAllocation = ids.has('jobid') || env.SLURM_JOB_ID !== undefined;
  const inputs = inAllocation ? { ...env, SLURM_JOB_NAME: undefined } : env;
  const r = emptyResolution();
  const envFailure = applyEnvironment(r, inputs, now, srunEnvTable());
  if (envFailure) return error(envFailure);
  const cliFailure = applyParsed(r, cli.options, (o): OptionSource => ({ from: 'command-line', index: o.index }), now);
  if (cliFailure) return error(cliFailure);
  const conflict = validateSources(r, CMD);
  if (conflict) return error(conflict);

  const command = argv.slice(cli.operandIndex);
  if (command.length === 0) return { kind: 'error', stderr: [`${CMD}: fatal: No command given to execute.`], exit: 1 };
  if (r.request.multiProg) {
    return { kind: 'error', stderr: [`${CMD}: error: --multi-prog is not supported by flow-slurm yet`], exit: 1 };
  }
  const jobId = r.request.jobid !== undefined ? Number(r.request.jobid) : undefined;
  return { kind: 'ok', options: { resolution: r, request: r.request, command, jobId } };
}

/** A value of the request with where it came from, for the layout's rules on inherited counts. */
function given<T>(r: Resolution, key: string, value: T | undefined): Given<T> | undefined {
  return value === undefined ? undefined : { value, byCli: isSetByCli(r, key) };
}

export type StepRequestResult = { ok: true; step: StepRequest } | { ok: false; stderr: string[] };

/** What the layout needs of the options; -w/-x are expanded here (hostlist errors are srun's). */
export function stepRequest(o: SrunOptions): StepRequestResult {
  const q = o.request;
  const expand = (list: string | undefined): string[] | undefined | false => {
    if (list === undefined) return undefined;
    const r = expandHostlist(list);
    return r.ok ? r.value : false;
  };
  const nodelist = expand(q.nodelist);
  if (nodelist === false) return { ok: false, stderr: [`${CMD}: error: Invalid node name specified`] };
  const exclude = expand(q.exclude);
  if (exclude === false) return { ok: false, stderr: [`${CMD}: error: Invalid node name specified`] };
  return {
    ok: true,
    step: {
      ntasks: given(o.resolution, 'ntasks', q.ntasks),
      nodes: given(o.resolution, 'nodes', q.nodes),
      ntasksPerNode: given(o.resolution, 'ntasks-per-node', q.ntasksPerNode),
      cpusPerTask: q.cpusPerTask ?? 1,
      cpusSet: q.cpusPerTask !== undefined,
      nodelist,
      exclude,
      distribution: q.distribution,
      overcommit: q.overcommit === true,
    },
  };
}

/** The step's memory request, and whether srun's own command line gave it. */
export function stepMemory(o: SrunOptions): StepMemory {
  const r = o.resolution;
  const byCli = isSetByCli(r, 'mem') || isSetByCli(r, 'mem-per-cpu');
  return { perNode: o.request.mem, perCpu: o.request.memPerCpu, byCli };
}

/** The step's GPU options; `--gres=gpu:N` limits the GPUs per node. */
export function stepGpuRequest(o: SrunOptions): StepGpuRequest {
  const q = o.request;
  const count = (text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(/(\d+)\s*$/.exec(text)?.[1]);
    return Number.isFinite(n) ? n : undefined;
  };
  const gres = q.gres?.split(',').find((g) => /^gpu(:|$)/.test(g));
  const gresCount = gres === undefined ? undefined : gres === 'gpu' ? 1 : count(gres);
  return {
    perTask: count(q.gpusPerTask),
    perNode: gresCount,
    requested: gres !== undefined || q.gpus !== undefined || q.gpusPerTask !== undefined || q.gpusPerNode !== undefined,
    bind: q.gpuBind,
  };
}

/**
 * The sbatch front end: argv, environment and script in, resolved options out,
 * in sbatch's order of passes. A first getopt pass over the command line finds
 * --help/--version/--wrap and the script; then the `#SBATCH` words, the
 * `SBATCH_*` variables and the command line are applied in that order, so the
 * command line wins over the environment, which wins over the script.
 */
import { failureLines, applyEnvironment, applyParsed, emptyResolution, parseArgv, validateSources, type OptionSource, type Resolution } from '../options/resolve.js';
import type { OptionFailure } from '../options/kinds.js';
import { loadScript, type BatchScript } from '../script/read.js';
import { scanDirectives, type DirectiveWord } from '../script/scan.js';
import { parseFlowOptions, type FlowOptions } from './flow-options.js';

export const SLURM_VERSION = '22.05.8';

export interface SubmitInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: Date;
  readStdin: () => Buffer;
}

export interface ParsedSubmission {
  resolution: Resolution;
  script: BatchScript;
  flow: FlowOptions;
  /** stderr lines real sbatch prints even on success (the #SLURM warning) */
  warnings: string[];
}

export type ParseOutcome =
  | { kind: 'info'; stdout: string }
  | { kind: 'error'; stderr: string[]; exit: number }
  | { kind: 'ok'; submission: ParsedSubmission };

const CMD = 'sbatch';

const error = (failure: OptionFailure, warnings: string[] = []): ParseOutcome => ({
  kind: 'error', stderr: [...warnings, ...failureLines(CMD, failure)], exit: failure.exit,
});

export function parseSubmission(input: SubmitInput): ParseOutcome {
  // first pass: the command line alone
  const cli = parseArgv(input.argv, CMD);
  if (!cli.ok) return error(cli.failure);
  const ids = new Set(cli.options.map((o) => o.id));
  if (ids.has('help')) return { kind: 'info', stdout: HELP };
  if (ids.has('usage')) return { kind: 'info', stdout: USAGE };
  if (ids.has('version')) return { kind: 'info', stdout: `slurm ${SLURM_VERSION}\n` };
  const wrap = [...cli.options].reverse().find((o) => o.id === 'wrap')?.value;

  const loaded = loadScript({
    operands: input.argv.slice(cli.operandIndex),
    wrap,
    cwd: input.cwd,
    envPath: input.env.PATH,
    readStdin: input.readStdin,
  });
  if (!loaded.ok) return { kind: 'error', stderr: loaded.messages.map((m) => `${CMD}: error: ${m}`), exit: 1 };
  const script = loaded.script;

  const scan = scanDirectives(script.text);
  const warnings = scan.usedSlurmPrefix
    ? [`${CMD}: error: Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch`]
    : [];
  if (scan.error) {
    const e = scan.error;
    return { kind: 'error', stderr: [...warnings, `${CMD}: fatal: ${script.displayName}: line ${e.line}: Unmatched \`${e.quote}\` in [${e.rest}]`], exit: 1 };
  }
  if (scan.components.length > 1) {
    return {
      kind: 'error',
      stderr: [...warnings, `${CMD}: error: heterogeneous jobs (#SBATCH hetjob) are not supported by flow-slurm yet`],
      exit: 1,
    };
  }

  const r = emptyResolution();
  const now = input.now;
  const scriptFailure = applyDirectives(r, scan.components[0] ?? [], now);
  if (scriptFailure) return error(scriptFailure, warnings);
  const envFailure = applyEnvironment(r, input.env, now);
  if (envFailure) return error(envFailure, warnings);
  const cliFailure = applyParsed(r, cli.options, (o): OptionSource => ({ from: 'command-line', index: o.index }), now);
  if (cliFailure) return error(cliFailure, warnings);
  const conflict = validateSources(r);
  if (conflict) return error(conflict, warnings);

  const flow = parseFlowOptions(scan.flowWords, input.env);
  if (!flow.ok) return { kind: 'error', stderr: [...warnings, `${CMD}: error: ${flow.message}`], exit: 255 };

  return { kind: 'ok', submission: { resolution: r, script, flow: flow.options, warnings } };
}

/** The `#SBATCH` words of one component form one argument vector for getopt. */
function applyDirectives(r: Resolution, words: DirectiveWord[], now: Date): OptionFailure | undefined {
  if (words.length === 0) return undefined;
  const argv = words.map((w) => w.text);
  const parsed = parseArgv(argv, CMD);
  if (!parsed.ok) return parsed.failure;
  if (parsed.operandIndex < argv.length) {
    return { exit: 255, lines: [`Invalid directive found in batch script: ${argv[parsed.operandIndex]}`] };
  }
  return applyParsed(r, parsed.options, (o): OptionSource => {
    const w = words[o.index]!;
    return { from: 'script', line: w.line, column: w.column, component: 0 };
  }, now);
}

const USAGE = `Usage: sbatch [-N nnodes] [-n ntasks]
              [-c ncpus] [-r n] [-p partition] [--hold] [--parsable] [-t minutes]
              [-D path] [--no-kill] [--overcommit]
              [--input file] [--output file] [--error file]
              [--time-min=minutes] [--licenses=names] [--clusters=cluster_names]
              [--chdir=directory] [--oversubscribe] [-m dist] [-J jobname]
              [--verbose] [--gid=group] [--uid=user]
              [--contiguous] [--mincpus=n] [--mem=MB] [--tmp=MB] [-C list]
              [--account=name] [--dependency=type:jobid[+time]] [--comment=name]
              [--mail-type=type] [--mail-user=user] [--nice[=value]] [--wait]
              [--requeue] [--no-requeue] [--ntasks-per-node=n] [--propagate]
              [--nodefile=file] [--nodelist=hosts] [--exclude=hosts]
              [--network=type] [--mem-per-cpu=MB] [--qos=qos] [--gres=list]
              [--mem-bind=...] [--reservation=name] [--mcs-label=mcs]
              [--cpu-freq=min[-max[:gov]]] [--power=flags] [--gres-flags=opts]
              [--switches=max-switches{@max-time-to-wait}] [--reboot]
              [--core-spec=cores] [--thread-spec=threads]
              [--bb=burst_buffer_spec] [--bbf=burst_buffer_file]
              [--array=index_values] [--profile=...] [--ignore-pbs] [--spread-job]
              [--export[=names]] [--export-file=file|fd] [--delay-boot=mins]
              [--use-min-nodes]
              [--cpus-per-gpu=n] [--gpus=n] [--gpu-bind=...] [--gpu-freq=...]
              [--gpus-per-node=n] [--gpus-per-socket=n] [--gpus-per-task=n]
              [--mem-per-gpu=MB]
              executable [args...]
`;

const HELP = `Usage: sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0) [args(0)...]

Parallel run options:
  -a, --array=indexes         job array index values
  -A, --account=name          charge job to specified account
  -b, --begin=time            defer job until HH:MM MM/DD/YY
      --comment=name          arbitrary comment
  -c, --cpus-per-task=ncpus   number of cpus required per task
  -d, --dependency=type:jobid[:time] defer job until condition on jobid is satisfied
      --deadline=time         remove the job if no ending possible before
                              this deadline (start > (deadline - time[-min]))
  -D, --chdir=directory       set working directory for batch script
  -e, --error=err             file for batch script's standard error
      --export[=names]        specify environment variables to export
  -H, --hold                  submit job in held state
  -i, --input=in              file for batch script's standard input
  -J, --job-name=jobname      name of job
      --mail-type=type        notify on state change: BEGIN, END, FAIL or ALL
      --mail-user=user        who to send email notification for job state
                              changes
  -n, --ntasks=ntasks         number of tasks to run
      --nice[=value]          decrease scheduling priority by value
      --no-requeue            if set, do not permit the job to be requeued
      --ntasks-per-node=n     number of tasks to invoke on each node
  -N, --nodes=N               number of nodes on which to run (N = min[-max])
  -o, --output=out            file for batch script's standard output
  -p, --partition=partition   partition requested
      --parsable              outputs only the jobid and cluster name (if present),
                              separated by semicolon, only on successful submission.
  -q, --qos=qos               quality of service
  -Q, --quiet                 quiet mode (suppress informational messages)
      --requeue               if set, permit the job to be requeued
      --signal=[[R][B]:]num[@time] send signal when time limit within time seconds
  -t, --time=minutes          time limit
      --time-min=minutes      minimum time limit (if distinct)
  -W, --wait                  wait for completion of submitted job
      --wrap[=command string] wrap command string in a sh script and submit

Constraint options:
  -C, --constraint=list       specify a list of constraints
      --mem=MB                minimum amount of real memory
      --mincpus=n             minimum number of logical processors (threads)
                              per node
      --tmp=MB                minimum amount of temporary disk
  -w, --nodelist=hosts...     request a specific list of hosts
  -x, --exclude=hosts...      exclude a specific list of hosts

Consumable resources related options:
      --exclusive[=user]      allocate nodes in exclusive mode when
                              cpu consumable resource is enabled
      --mem-per-cpu=MB        maximum amount of real memory per allocated
                              cpu required by the job.
                              --mem >= --mem-per-cpu if --mem is specified.

GPU scheduling options:
      --cpus-per-gpu=n        number of CPUs required per allocated GPU
  -G, --gpus=n                count of GPUs required for the job
      --gpus-per-node=n       number of GPUs required per allocated node
      --gpus-per-task=n       number of GPUs required per spawned task
      --mem-per-gpu=n         real memory required per allocated GPU

Help options:
  -h, --help                  show this help message
      --usage                 display brief usage message

Other options:
  -V, --version               output version information and exit
`;

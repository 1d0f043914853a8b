/**
 * flow: Flow's own command. `flow submit job.slurm` submits like sbatch and
 * reports progress on stderr; `--dry-run --json` prints the Slurm job spec and
 * the Flow task spec it maps to, without submitting. `flow controller` runs the
 * controller in the foreground; `flow emulator` a fake Mithril API; `flow
 * pricing` shows the Mithril spot market.
 */
import { Command as Commander, CommanderError } from 'commander';
import { loadCluster } from '../cluster/load.js';
import { placementOf, toFlowTask, type FlowTaskSpec } from '../job/flow-task.js';
import { paidBy, usd } from '../job/paid.js';
import { providerRefusal } from '../job/provider-route.js';
import { showJob } from '../format/scontrol/show-job.js';
import { statusAtSubmit } from '../job/submit-status.js';
import { FLOW_GETOPT, applyFlowOptions, type FlowOptions } from '../submit/flow-options.js';
import { getopt } from '../options/getopt.js';
import { prepareSubmission } from '../submit/prepare.js';
import { SLURM_VERSION } from '../submit/parse.js';
import { currentIdentity } from './identity.js';
import { lines, type IO } from './io.js';
import type { Backend, BackendFactory } from './backend.js';
import type { Cluster } from '../cluster/load.js';
import type { EmulatorOptions } from './flow-emulator.js';
import type { PricingOptions } from './flow-pricing.js';

export interface FlowDeps {
  backend: BackendFactory;
  controller: (io: IO, args: string[]) => Promise<number>;
  /** the fake Mithril API and the Mithril client live in bundles of their own, loaded by their subcommands only */
  emulator: (io: IO, opts: EmulatorOptions) => Promise<number>;
  pricing: (io: IO, opts: PricingOptions) => Promise<number>;
  /** scancel itself, for `flow cancel` */
  cancel: (io: IO, argv: string[]) => Promise<number>;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export async function flow(argv: string[], io: IO, deps: FlowDeps): Promise<number> {
  let code = 0;
  const program = new Commander('flow')
    .description('flow-slurm: Slurm job scripts on emulated local nodes, or as batch jobs on Mithril spot instances (and a fake Mithril market)')
    .version(`flow-slurm 0.1.0 (slurm ${SLURM_VERSION})`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .addHelpText('after', '\nErrors are one line (`flow: error: ...`, as every command prints them); FLOW_DEBUG=1 adds the stack trace of an\nunexpected one. Passwords and API keys never appear in errors or logs.');

  const submitCommand = program
    .command('submit')
    .description('submit a Slurm job script as sbatch does (every sbatch option is accepted), with flow\'s own options')
    .usage('[flow options] [sbatch options] script [args...]')
    .argument('<args...>', 'sbatch options, the script and its arguments')
    .option('--dry-run', 'print what would be submitted; submit nothing')
    .option('--json', 'machine-readable output')
    .option('--max-price-per-hour <usd>', 'Mithril: limit price per instance per hour (no effect on local jobs)')
    .option('--max-cost <usd>', 'Mithril: the most the job may spend; reached, it gets its signal and ends (no effect on local jobs)')
    .option('--instance-type <type>', 'Mithril: instance type (no effect on local jobs)')
    .option('--region <region>', 'Mithril: region (no effect on local jobs)')
    .option('--priority <tier>', 'Mithril: price tier when no limit price is set, low, med or high (no effect on local jobs)')
    .option('--image <image>', 'Mithril: container image the batch step runs in (docker run on the instances; no effect on local jobs)')
    .option('--provider <name>', 'local or mithril (batch jobs, when MITHRIL_API_KEY is set)')
    .option('--no-follow', 'Mithril: return once queued (by default flow submit reports the bid on stderr until the job runs)')
    .allowUnknownOption()
    // -h/--help reach sbatch's parser, which answers with sbatch's help: flow's options are put before it
    .helpOption(false)
    .action(async (args: string[], opts: Record<string, string | boolean | undefined>) => {
      code = await submit(args, opts, io, deps, () => submitCommand.helpInformation());
    });

  program
    .command('status')
    .description('each job\'s state and where it runs: its provider, and on Mithril the instance type and count, limit price, region and image')
    .argument('[jobs...]', 'job ids (none: every job squeue lists, yours unless you are root)')
    .option('--json', 'machine-readable output')
    .action(async (jobs: string[], opts: { json?: boolean }) => {
      code = await (await import('./flow-operate.js')).jobStatus(io, jobs, opts.json === true);
    });

  program
    .command('cancel')
    .description('cancel jobs: scancel itself (its options, messages and exit codes); on Mithril their bids are deleted')
    .argument('[args...]', 'scancel\'s options and job ids (N, N_T, N.S)')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (jobs: string[]) => {
      code = await deps.cancel(io, jobs);
    });

  program
    .command('logs')
    .description('a job\'s batch output (its --output file; on Mithril, copied back from the first node as it grows)')
    .argument('<job>', 'job id')
    .option('-f, --follow', 'keep printing what the job writes until it ends')
    .option('--node <n>', 'node index of the job (only 0, the batch node, has a log: srun\'s tasks write to the batch output)', '0')
    .option('--stderr', 'its --error file instead, when that is another file')
    .action(async (job: string, opts: { follow?: boolean; node: string; stderr?: boolean }) => {
      code = await (await import('./flow-operate.js')).jobLogs(io, job, { follow: opts.follow === true, node: opts.node, stderr: opts.stderr === true });
    });

  program
    .command('controller')
    .description('run the controller (the slurmctld stand-in) in the foreground, as a standby while another leads; '
      + '`status [--json]`: show the cluster\'s controller (exit 1 when none leads); `stop`: stop it')
    .allowUnknownOption()
    .argument('[args...]')
    .action(async (args: string[]) => {
      const [verb, ...rest] = args;
      if (verb === 'status' || verb === 'stop') {
        const operate = await import('./flow-operate.js');
        code = verb === 'status' ? await operate.controllerStatus(io, rest.includes('--json')) : await operate.controllerStop(io);
      } else {
        code = await deps.controller(io, args);
      }
    });

  program
    .command('controllers')
    .description('list every controller in this Redis database: cluster, state, pid, host, lease age, minute length, Redis, log')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      code = await (await import('./flow-operate.js')).controllersList(io, opts.json === true);
    });

  program
    .command('clean')
    .description('stop the cluster\'s controller and remove the records its finished runs left on disk')
    .option('--purge', 'also forget the cluster: every job, its accounting and settings in Redis, and its directory (refused while jobs run)')
    .option('--hosts', 'also remove the lines naming emulated nodes that flow-slurm added to /etc/hosts (as root)')
    .action(async (opts: { purge?: boolean; hosts?: boolean }) => {
      code = await (await import('./flow-operate.js')).clean(io, opts.purge === true, opts.hosts === true);
    });

  program
    .command('emulator')
    .description('run a fake Mithril API (spot auction, instances as local process trees, faults) in the foreground')
    .option('--port <n>', 'port to listen on (0: any free port)', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--capacity <spec>', 'instances for sale: TYPE=COUNT@REGION, repeatable or comma-separated (default h100-80gb.sxm.8x=4@us-central1-a,a100-80gb.sxm.1x=8@us-central1-a)', collect)
    .option('--tick <duration>', 'how often the auction runs', '1s')
    .option('--notice <duration>', 'preemption notice', '5m')
    .option('--startup <duration>', 'time an instance spends in each start-up status', '2s')
    .option('--relocation <duration>', 'how long a relocation takes', '5m')
    .option('--demand <bidders>', 'synthetic bidders present in each pool on average (0: none)', '0')
    .option('--demand-lifetime <duration>', 'how long a synthetic bidder stays on average', '10m')
    .option('--fault <spec>', 'inject a fault, e.g. kind=500,path=/v2/spot/bids,method=POST,rate=0.2 (repeatable)', collect)
    .option('--api-key <key>', 'the API key to accept (default: a new one, printed)')
    .option('--project <name>', 'a project of the account (repeatable; default: default)', collect)
    .option('--quota <n>', 'instances a project may hold in live bids', '64')
    .option('--seed <n>', 'seed for demand and fault rates')
    .option('--state-dir <dir>', "where the instances' disks go, kept after the emulator stops (default: a directory of the run in the state directory, removed when it stops)")
    .option('--ssh-port <n>', "port of each instance's sshd on its own address (default: one free on this machine)")
    .option('--grace <duration>', 'between SIGTERM and SIGKILL when an instance is halted', '2s')
    .option('--verbose', 'print each request on stderr')
    .action(async (opts: EmulatorOptions) => {
      code = await deps.emulator(io, opts);
    });

  program
    .command('pricing')
    .description('spot price, last clearing price and capacity of each instance type and region (MITHRIL_API_URL, MITHRIL_API_KEY)')
    .option('--json', 'machine-readable output')
    .option('--instance-type <type>', 'only this instance type (h100-80gb.sxm.8x, 8xh100...)')
    .option('--region <region>', 'only this region')
    .action(async (opts: PricingOptions) => {
      code = await deps.pricing(io, opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return code;
}

/** Flow options given as flags, applied over `#FLOW` lines and FLOW_* variables. */
function flagOptions(opts: Record<string, string | boolean | undefined>): { ok: true; options: FlowOptions } | { ok: false; message: string } {
  const argv: string[] = [];
  for (const name of ['max-price-per-hour', 'max-cost', 'instance-type', 'region', 'priority', 'image', 'provider']) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[key];
    if (typeof v === 'string') argv.push(`--${name}=${v}`);
  }
  const r = getopt(argv, FLOW_GETOPT);
  if (!r.ok) return { ok: false, message: r.message };
  const options: FlowOptions = {};
  const message = applyFlowOptions(r.options, options);
  return message ? { ok: false, message } : { ok: true, options };
}

/** sbatch's --help text (not --usage or --version), which flow submit's own options go before */
const isSbatchHelp = (text: string) => text.includes('\nParallel run options:');

async function submit(
  args: string[], opts: Record<string, string | boolean | undefined>, io: IO, deps: FlowDeps, flowHelp: () => string,
): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`flow: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const flags = flagOptions(opts);
  if (!flags.ok) {
    io.stderr(`flow: error: ${flags.message}\n`);
    return 2;
  }
  const prepared = prepareSubmission(
    { argv: args, env: io.env, cwd: io.cwd, now: io.now(), readStdin: io.readStdin },
    cluster.config,
    currentIdentity(),
    0,
  );
  if (prepared.kind === 'info') {
    if (isSbatchHelp(prepared.stdout)) io.stdout(`${flowHelp()}\nsbatch options (all accepted by flow submit):\n\n`);
    io.stdout(prepared.stdout);
    return 0;
  }
  if (prepared.kind === 'error') {
    lines(io.stderr, prepared.stderr);
    return prepared.exit;
  }
  const flowOptions = { ...prepared.parsed.flow, ...flags.options };
  // refused before anything is queued (a dry run answers as the submission would)
  const refused = providerRefusal(prepared.job.partition, cluster.flow, flowOptions, { batch: true, env: io.env });
  if (refused) {
    io.stderr(`flow: error: Batch job submission failed: ${refused}\n`);
    return 1;
  }
  const task = toFlowTask(prepared.job, cluster.config, cluster.flow, flowOptions);

  if (opts.dryRun) {
    const status = statusAtSubmit(prepared.job, cluster.config, {
      now: Math.floor(io.now().getTime() / 1000), priority: 0, jobExists: () => true, allocNode: prepared.job.submitHost, allocSid: process.pid,
    });
    if (opts.json) {
      io.stdout(`${JSON.stringify({ cluster: cluster.config.clusterName, job: prepared.job, flowTask: task }, null, 2)}\n`);
    } else {
      io.stdout(`# Slurm job (as scontrol show job will show it; job id assigned at submit)\n${showJob(prepared.job, status, false)}`);
      io.stdout(`# Flow task\n${Object.entries(task).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
    }
    return 0;
  }

  const backend = await deps.backend(cluster, io.env);
  try {
    lines(io.stderr, prepared.parsed.warnings);
    const jobId = await backend.nextJobId(cluster.config);
    const job = { ...prepared.job, jobId, ...(prepared.job.arrayJobId !== undefined ? { arrayJobId: jobId } : {}), placement: placementOf(task) };
    io.stderr(`flow: submitting ${job.name} to partition ${job.partition} (${describeTask(task)})\n`);
    await backend.submit(cluster, job, prepared.parsed, { env: io.env });
    io.stderr(`flow: queued as job ${jobId}\n`);
    if (opts.json) io.stdout(`${JSON.stringify({ jobId, status: 'submitted', flowTask: task })}\n`);
    else io.stdout(`${jobId}\n`);
    if (task.provider === 'mithril' && opts.follow !== false) await follow(io, backend, cluster, jobId, task);
    return 0;
  } finally {
    await backend.close();
  }
}


/**
 * A Mithril job from its bid to its start, on stderr: a line each time where
 * it stands changes (bidding, with the limit and the spot price now; the bid
 * won; running, with the price paid per instance-hour), until it runs or ends.
 */
async function follow(io: IO, backend: Backend, cluster: Cluster, jobId: number, task: Extract<FlowTaskSpec, { provider: 'mithril' }>): Promise<void> {
  const shape = `${task.instanceCount} x ${task.instanceType}`;
  let last = '';
  let runningSince = 0;
  for (;;) {
    const p = await backend.progress(cluster, jobId);
    if (!p) return;
    const paid = paidBy(p.money);
    const price = paid ? `$${usd(paid.priceCents)}/h` : undefined;
    const bid = /^BidOpen,spot=([^,]+),limit=(.+)$/.exec(p.reason);
    let line: string;
    if (p.state === 'PENDING') {
      line = bid ? `flow: job ${jobId}: bidding for ${shape} at up to ${bid[2]} (spot ${bid[1]})`
        : `flow: job ${jobId}: pending (${p.reason}); will bid for ${shape} at up to $${task.maxPricePerHour.toFixed(2)}/h`;
    } else if (p.state === 'CONFIGURING') line = `flow: job ${jobId}: bid won; ${shape} starting`;
    else if (p.state === 'RUNNING') {
      runningSince ||= Date.now();
      // the price paid is read from the market a few seconds after the start
      if (!price && Date.now() - runningSince < 15_000) line = last;
      else {
        io.stderr(`flow: job ${jobId} running on ${shape}${price ? `, paying ${price} per instance` : ''}\n`);
        return;
      }
    } else {
      io.stderr(`flow: job ${jobId} ${p.state}${price ? ` (paid ${price} per instance)` : ''}\n`);
      return;
    }
    if (line !== last) io.stderr(`${line}\n`);
    last = line;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `local: 1 node, 2 GPUs`: what the task asks of its provider, in a few words. */
function describeTask(task: FlowTaskSpec): string {
  if (task.provider === 'mithril') return `mithril: ${task.instanceCount} x ${task.instanceType}`;
  return `local: ${task.nodes} node${task.nodes === 1 ? '' : 's'}${task.gpus > 0 ? `, ${task.gpus} GPU${task.gpus === 1 ? '' : 's'}` : ''}`;
}

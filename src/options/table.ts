/**
 * The one option table, shared by sbatch and srun as Slurm's `common_options[]`
 * is. Every option is one entry: its long and short names, whether it takes a
 * value, the commands it belongs to, the `SBATCH_*` variables that set it for
 * sbatch (srun's own variables are in srun-env.ts, as in Slurm's srun/opt.c),
 * the request fields it writes, and how its text becomes those fields. The
 * command line, the environment and `#SBATCH` lines all go through it (see
 * resolve.ts). Entries are in the order of Slurm's own table (alphabetical by
 * its internal names), which is the order getopt lists ambiguous matches in.
 *
 * `honoured` says what the emulator does with the value: `yes` (acted on),
 * `shown` (kept in the job record and displayed, but has no effect here, e.g.
 * --mail-user), or `kept` (recognised and stored only). Nothing is dropped.
 */
import type { ArgKind } from './getopt.js';
import type { JobRequest, RequestField } from './request.js';
import {
  dateTime, fail, invalid, memory, nodeCount, ok, oneOf, slurmInt, strtol, timeLimit, type Parsed,
} from './kinds.js';
import { parseSignal, signalNumber } from '../job/values/index.js';

export type Honoured = 'yes' | 'shown' | 'kept';

/** The commands sharing the table. */
export type OptionCommand = 'sbatch' | 'srun' | 'salloc';
const ALL_COMMANDS: readonly OptionCommand[] = ['sbatch', 'srun', 'salloc'];
const SBATCH_ONLY: readonly OptionCommand[] = ['sbatch'];
const SRUN_ONLY: readonly OptionCommand[] = ['srun'];
const NOT_SBATCH: readonly OptionCommand[] = ['srun', 'salloc'];
const NOT_SALLOC: readonly OptionCommand[] = ['sbatch', 'srun'];
const NOT_SRUN: readonly OptionCommand[] = ['sbatch', 'salloc'];
const SALLOC_ONLY: readonly OptionCommand[] = ['salloc'];

/** What the apply function of an option may look at besides its value. */
export interface ApplyContext {
  now: Date;
  /** the request so far (for counters such as -v) */
  current: Readonly<JobRequest>;
}

export type Apply = (value: string | undefined, ctx: ApplyContext) => Parsed<Partial<JobRequest>>;

export interface OptionEntry {
  /** long name, and the key of this entry unless `id` is given */
  name: string;
  /** the key, when two commands give one long name different meanings (sbatch's `--wait` flag, srun's `--wait=sec`) */
  id?: string;
  /** the commands that accept it (default: all) */
  commands?: readonly OptionCommand[];
  short?: string;
  /** other long names getopt accepts for the same option */
  aliases?: string[];
  arg: ArgKind;
  /** input variables, in the order sbatch reads them */
  env?: string[];
  /** the request fields this option writes (cleared when an env flag unsets it) */
  fields: RequestField[];
  /** the kind of value, for documentation and the fuzz test */
  kind: string;
  honoured: Honoured;
  apply: Apply;
}

// ---- small constructors --------------------------------------------------

type Spec = Omit<OptionEntry, 'name' | 'fields' | 'apply' | 'kind'> & { kind?: string };

/** Free text stored as given. */
function text(name: string, field: RequestField, spec: Spec): OptionEntry {
  return { name, fields: [field], kind: 'text', ...spec, apply: (v) => ok({ [field]: v ?? '' }) };
}

/** A value that may be left out (`--bcast`, `--bcast=/tmp/x`): stored as given, '' when absent. */
function optionalText(name: string, field: RequestField, spec: Omit<Spec, 'arg'>): OptionEntry {
  return { name, fields: [field], kind: 'text', arg: 'optional', ...spec, apply: (v) => ok({ [field]: v ?? '' }) };
}

function flag(name: string, field: RequestField, spec: Omit<Spec, 'arg'>, value: boolean = true): OptionEntry {
  return { name, fields: [field], kind: 'flag', arg: 'none', ...spec, apply: () => ok({ [field]: value }) };
}

function integer(name: string, field: RequestField, spec: Spec, mustBePositive = true): OptionEntry {
  return {
    name, fields: [field], kind: 'int', ...spec,
    apply: (v) => {
      const r = slurmInt(v ?? '', `--${name}`, mustBePositive);
      return r.ok ? ok({ [field]: r.value }) : r;
    },
  };
}

function mem(name: string, field: RequestField, spec: Spec): OptionEntry {
  return {
    name, fields: [field], kind: 'memory', ...spec,
    apply: (v) => {
      const r = memory(v ?? '', `--${name}`);
      return r.ok ? ok({ [field]: r.value }) : r;
    },
  };
}

function duration(name: string, field: RequestField, spec: Spec): OptionEntry {
  return {
    name, fields: [field], kind: 'time', ...spec,
    apply: (v) => {
      const r = timeLimit(v ?? '', `--${name}`);
      return r.ok ? ok({ [field]: r.value }) : r;
    },
  };
}

function date(name: string, field: RequestField, spec: Spec): OptionEntry {
  return {
    name, fields: [field], kind: 'datetime', ...spec,
    apply: (v, ctx) => {
      const r = dateTime(v ?? '', `--${name}`, ctx.now);
      return r.ok ? ok({ [field]: r.value }) : r;
    },
  };
}

/** A word from a fixed list; anything else is `Invalid --<name> specification`. */
function choice<const T extends readonly [string, ...string[]]>(
  name: string, field: RequestField, words: T, spec: Spec, map: (w: T[number]) => unknown = (w) => w,
): OptionEntry {
  const match = oneOf(words);
  return {
    name, fields: [field], kind: 'enum', ...spec,
    apply: (v) => {
      const w = match(v ?? '');
      return w === undefined ? invalid(`Invalid --${name} specification`) : ok({ [field]: map(w) });
    },
  };
}

/** A value checked by a function returning an error message, stored as text. */
function checked(name: string, field: RequestField, spec: Spec, check: (v: string) => Parsed<never> | undefined): OptionEntry {
  return {
    name, fields: [field], kind: 'text', ...spec,
    apply: (v) => check(v ?? '') ?? ok({ [field]: v ?? '' }),
  };
}

// ---- checks for options whose grammar sbatch verifies itself ----------------

const MAIL_TYPES = new Set(['none', 'begin', 'end', 'fail', 'requeue', 'all', 'invalid_depend', 'stage_out',
  'time_limit', 'time_limit_90', 'time_limit_80', 'time_limit_50', 'array_tasks']);

function mailType(v: string): Parsed<never> | undefined {
  const words = v.split(',');
  return words.every((w) => MAIL_TYPES.has(w.toLowerCase())) ? undefined : invalid('Invalid --mail-type specification');
}

const DIST_FIRST = /^(\*|block|cyclic|arbitrary|plane(=\d+)?)$/i;
const DIST_REST = /^(\*|block|cyclic|fcyclic)$/i;

function distribution(v: string): Parsed<never> | undefined {
  const [layout, pack, ...extra] = v.split(',');
  const levels = (layout ?? '').split(':');
  const good = extra.length === 0
    && (pack === undefined || /^(pack|nopack)$/i.test(pack))
    && levels.length <= 3
    && DIST_FIRST.test(levels[0] ?? '')
    && levels.slice(1).every((l) => DIST_REST.test(l));
  return good ? undefined : invalid('Invalid --distribution specification');
}

const PROFILES = new Set(['all', 'none', 'energy', 'lustre', 'network', 'task']);
function profile(v: string): Parsed<never> | undefined {
  return v.split(',').every((p) => PROFILES.has(p.toLowerCase())) ? undefined : invalid(`invalid --profile=${v} option`);
}

const HINTS = new Set(['compute_bound', 'memory_bound', 'multithread', 'nomultithread', 'help']);
function hint(v: string): Parsed<never> | undefined {
  const bad = v.split(',').find((h) => !HINTS.has(h.toLowerCase()));
  return bad === undefined ? undefined : fail(1, `unrecognized --hint argument "${bad}", see --hint=help`);
}

const MEM_BIND = /^(help|local|map_mem:.+|mask_mem:.+|none|no|prefer|p|quiet|q|rank|sort|verbose|v)$/i;
function memBind(v: string): Parsed<never> | undefined {
  const bad = v.split(',').find((w) => !MEM_BIND.test(w));
  return bad === undefined ? undefined : invalid(`unrecognized --mem-bind argument "${bad}"`);
}

const CPU_FREQ_WORD = /^(low|medium|high|highm1|\d+)$/i;
const CPU_GOVERNORS = /^(conservative|ondemand|performance|powersave|userspace|schedutil)$/i;
function cpuFreq(v: string): Parsed<never> | undefined {
  const [range = '', gov, ...rest] = v.split(':');
  const [lo = '', hi, ...more] = range.split('-');
  const rangeOk = CPU_GOVERNORS.test(range) || (CPU_FREQ_WORD.test(lo) && (hi === undefined || CPU_FREQ_WORD.test(hi)) && more.length === 0);
  const good = rest.length === 0 && rangeOk && (gov === undefined || CPU_GOVERNORS.test(gov));
  return good ? undefined : invalid(`unrecognized --cpu-freq argument "${v}"`, 'Invalid --cpu-freq argument');
}

/** `-B sockets[:cores[:threads]]`, each a number or `*`. */
function extraNodeInfo(v: string): Parsed<Partial<JobRequest>> {
  const names = ['first', 'second', 'third'];
  const fields = ['socketsPerNode', 'coresPerSocket', 'threadsPerCore'] as const;
  const parts = v.split(':');
  const out: Partial<JobRequest> = { extraNodeInfo: true };
  for (let i = 0; i < parts.length && i < 3; i++) {
    const p = parts[i]!;
    if (p === '*') continue;
    const n = /^\d+/.exec(p);
    if (!n || Number(n[0]) <= 0) return fail(1, `Invalid numeric value "${p}" for ${names[i]} arg of -B.`);
    out[fields[i]!] = Number(n[0]);
  }
  return ok(out);
}

// ---- the table ----------------------------------------------------------

const entries: OptionEntry[] = [
  text('accel-bind', 'accelBind', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('account', 'account', { short: 'A', arg: 'required', env: ['SBATCH_ACCOUNT'], honoured: 'shown' }),
  text('acctg-freq', 'acctgFreq', { arg: 'required', env: ['SBATCH_ACCTG_FREQ'], honoured: 'kept' }),
  text('array', 'array', { commands: SBATCH_ONLY, short: 'a', arg: 'required', env: ['SBATCH_ARRAY_INX'], honoured: 'yes', kind: 'array' }),
  text('batch', 'batch', { commands: SBATCH_ONLY, arg: 'required', env: ['SBATCH_BATCH'], honoured: 'kept' }),
  optionalText('bcast', 'bcast', { commands: SRUN_ONLY, honoured: 'kept' }),
  text('bcast-exclude', 'bcastExclude', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('bb', 'bb', { arg: 'required', honoured: 'kept' }),
  text('bbf', 'bbf', { arg: 'required', honoured: 'kept' }),
  date('begin', 'begin', { short: 'b', arg: 'required', honoured: 'yes' }),
  flag('bell', 'bell', { commands: SALLOC_ONLY, honoured: 'yes' }),
  text('cluster-constraint', 'clusterConstraint', { arg: 'required', env: ['SBATCH_CLUSTER_CONSTRAINT'], honoured: 'kept' }),
  text('chdir', 'chdir', { short: 'D', arg: 'required', honoured: 'yes', kind: 'path' }),
  text('clusters', 'clusters', { short: 'M', aliases: ['cluster'], arg: 'required', env: ['SBATCH_CLUSTERS', 'SLURM_CLUSTERS'], honoured: 'yes' }),
  text('comment', 'comment', { arg: 'required', honoured: 'shown' }),
  text('constraint', 'constraint', { short: 'C', arg: 'required', env: ['SBATCH_CONSTRAINT'], honoured: 'yes' }),
  optionalText('compress', 'compress', { commands: SRUN_ONLY, honoured: 'kept' }),
  text('container', 'container', { arg: 'required', env: ['SBATCH_CONTAINER'], honoured: 'kept' }),
  text('context', 'context', { arg: 'required', honoured: 'kept' }),
  flag('contiguous', 'contiguous', { honoured: 'shown' }),
  integer('core-spec', 'coreSpec', { short: 'S', arg: 'required', env: ['SBATCH_CORE_SPEC'], honoured: 'kept' }, false),
  integer('cores-per-socket', 'coresPerSocket', { arg: 'required', honoured: 'kept' }),
  text('cpu-bind', 'cpuBind', { commands: SRUN_ONLY, aliases: ['cpu_bind'], arg: 'required', honoured: 'kept' }),
  checked('cpu-freq', 'cpuFreq', { arg: 'required', env: ['SBATCH_CPU_FREQ_REQ'], honoured: 'kept' }, cpuFreq),
  integer('cpus-per-gpu', 'cpusPerGpu', { arg: 'required', env: ['SBATCH_CPUS_PER_GPU'], honoured: 'yes' }),
  integer('cpus-per-task', 'cpusPerTask', { short: 'c', arg: 'required', honoured: 'yes' }),
  date('deadline', 'deadline', { arg: 'required', honoured: 'yes' }),
  {
    name: 'delay-boot', fields: ['delayBoot'], kind: 'time', arg: 'required', env: ['SBATCH_DELAY_BOOT'], honoured: 'kept',
    apply: (v) => {
      const r = timeLimit(v ?? '', '--delay-boot');
      return r.ok ? ok({ delayBoot: r.value === 'UNLIMITED' ? 0 : r.value }) : r;
    },
  },
  text('ctrl-comm-ifhn', 'ctrlCommIfhn', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('dependency', 'dependency', { short: 'd', arg: 'required', honoured: 'yes', kind: 'dependency' }),
  flag('disable-status', 'disableStatus', { commands: SRUN_ONLY, short: 'X', honoured: 'yes' }),
  checked('distribution', 'distribution', { short: 'm', arg: 'required', env: ['SBATCH_DISTRIBUTION'], honoured: 'kept' }, distribution),
  text('epilog', 'epilog', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('error', 'error', { commands: NOT_SALLOC, short: 'e', arg: 'required', env: ['SBATCH_ERROR'], honoured: 'yes', kind: 'pattern' }),
  flag('exact', 'exact', { commands: SRUN_ONLY, honoured: 'yes' }),
  text('exclude', 'exclude', { short: 'x', arg: 'required', honoured: 'yes', kind: 'hostlist' }),
  {
    name: 'exclusive', fields: ['exclusive', 'oversubscribe'], kind: 'enum', arg: 'optional', env: ['SBATCH_EXCLUSIVE'], honoured: 'yes',
    apply: (v) => {
      if (v === undefined || v === '') return ok({ exclusive: 'exclusive', oversubscribe: false });
      const w = v.toLowerCase();
      if (w === 'user' || w === 'mcs') return ok({ exclusive: w, oversubscribe: false });
      if (w === 'oversubscribe') return ok({ exclusive: undefined, oversubscribe: true });
      return invalid('Invalid --exclusive specification');
    },
  },
  text('export', 'export', { commands: NOT_SALLOC, arg: 'required', env: ['SBATCH_EXPORT'], honoured: 'yes', kind: 'export' }),
  text('export-file', 'exportFile', { commands: SBATCH_ONLY, arg: 'required', honoured: 'kept' }),
  {
    name: 'extra-node-info', short: 'B', fields: ['socketsPerNode', 'coresPerSocket', 'threadsPerCore', 'extraNodeInfo'], kind: 'text', arg: 'required', honoured: 'kept',
    apply: (v) => extraNodeInfo(v ?? ''),
  },
  {
    name: 'get-user-env', commands: NOT_SRUN, fields: ['getUserEnv'], kind: 'text', arg: 'optional', env: ['SBATCH_GET_USER_ENV'], honoured: 'kept',
    apply: (v) => ok({ getUserEnv: v ?? '' }),
  },
  checked('gid', 'gid', { arg: 'required', honoured: 'kept' }, (v) => (/^\d+$/.test(v) || v === 'root' ? undefined : invalid('Invalid --gid specification'))),
  text('gpu-bind', 'gpuBind', { arg: 'required', env: ['SBATCH_GPU_BIND'], honoured: 'kept' }),
  text('gpu-freq', 'gpuFreq', { arg: 'required', env: ['SBATCH_GPU_FREQ'], honoured: 'kept' }),
  text('gpus', 'gpus', { short: 'G', arg: 'required', env: ['SBATCH_GPUS'], honoured: 'yes', kind: 'gpus' }),
  text('gpus-per-node', 'gpusPerNode', { arg: 'required', env: ['SBATCH_GPUS_PER_NODE'], honoured: 'yes', kind: 'gpus' }),
  text('gpus-per-socket', 'gpusPerSocket', { arg: 'required', env: ['SBATCH_GPUS_PER_SOCKET'], honoured: 'kept', kind: 'gpus' }),
  text('gpus-per-task', 'gpusPerTask', { arg: 'required', env: ['SBATCH_GPUS_PER_TASK'], honoured: 'yes', kind: 'gpus' }),
  text('gres', 'gres', { arg: 'required', env: ['SBATCH_GRES'], honoured: 'yes', kind: 'gres' }),
  choice('gres-flags', 'gresFlags', ['enforce-binding', 'disable-binding'] as const, { arg: 'required', env: ['SBATCH_GRES_FLAGS'], honoured: 'kept' }),
  flag('help', 'help', { short: 'h', honoured: 'yes' }),
  text('het-group', 'hetGroup', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  checked('hint', 'hint', { arg: 'required', env: ['SBATCH_HINT', 'SLURM_HINT'], honoured: 'kept' }, hint),
  flag('hold', 'hold', { short: 'H', honoured: 'yes' }),
  flag('ignore-pbs', 'ignorePbs', { commands: SBATCH_ONLY, env: ['SBATCH_IGNORE_PBS'], honoured: 'yes' }),
  optionalText('immediate', 'immediate', { commands: NOT_SBATCH, short: 'I', honoured: 'kept' }),
  text('input', 'input', { commands: NOT_SALLOC, short: 'i', arg: 'required', env: ['SBATCH_INPUT'], honoured: 'yes', kind: 'pattern' }),
  checked('jobid', 'jobid', { commands: SRUN_ONLY, arg: 'required', honoured: 'yes' }, (v) => (/^\d+$/.test(v.trim()) ? undefined : invalid(`Invalid --jobid specification`))),
  text('job-name', 'jobName', { short: 'J', arg: 'required', env: ['SBATCH_JOB_NAME'], honoured: 'yes' }),
  {
    // salloc's -K: the signal for the command when the allocation is revoked (default SIGTERM)
    name: 'kill-command', short: 'K', commands: SALLOC_ONLY, fields: ['killCommand'], kind: 'signal', arg: 'optional', honoured: 'yes',
    apply: (v) => {
      if (v === undefined || v === '') return ok({ killCommand: 15 });
      const n = signalNumber(v);
      return n.ok ? ok({ killCommand: n.value }) : invalid('Invalid --kill-command specification');
    },
  },
  {
    name: 'kill-on-bad-exit', short: 'K', commands: SRUN_ONLY, fields: ['killOnBadExit'], kind: 'int', arg: 'optional', honoured: 'yes',
    // a bare -K means 1; the value must be attached (-K0, --kill-on-bad-exit=0)
    apply: (v) => ok({ killOnBadExit: v === undefined ? 1 : strtol(v) }),
  },
  choice('kill-on-invalid-dep', 'killOnInvalidDep', ['yes', 'no'] as const, { commands: SBATCH_ONLY, arg: 'required', honoured: 'yes' }, (w) => w === 'yes'),
  flag('label', 'label', { commands: SRUN_ONLY, short: 'l', honoured: 'yes' }),
  text('licenses', 'licenses', { short: 'L', arg: 'required', honoured: 'shown' }),
  checked('mail-type', 'mailType', { arg: 'required', honoured: 'shown' }, mailType),
  text('mail-user', 'mailUser', { arg: 'required', honoured: 'shown' }),
  text('mcs-label', 'mcsLabel', { arg: 'required', honoured: 'kept' }),
  mem('mem', 'mem', { arg: 'required', env: ['SBATCH_MEM_PER_NODE'], honoured: 'yes' }),
  checked('mem-bind', 'memBind', { arg: 'required', env: ['SBATCH_MEM_BIND'], honoured: 'kept' }, memBind),
  mem('mem-per-cpu', 'memPerCpu', { arg: 'required', env: ['SBATCH_MEM_PER_CPU'], honoured: 'yes' }),
  mem('mem-per-gpu', 'memPerGpu', { arg: 'required', env: ['SBATCH_MEM_PER_GPU'], honoured: 'yes' }),
  integer('mincpus', 'mincpus', { arg: 'required', honoured: 'yes' }),
  text('mpi', 'mpi', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('mpi-combine', 'mpiCombine', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  flag('multi-prog', 'multiProg', { commands: SRUN_ONLY, honoured: 'yes' }),
  text('network', 'network', { arg: 'required', env: ['SBATCH_NETWORK'], honoured: 'shown' }),
  {
    name: 'nice', fields: ['nice'], kind: 'int', arg: 'optional', honoured: 'yes',
    apply: (v) => {
      const nice = v === undefined ? 100 : strtol(v);
      if (Math.abs(nice) > 2147483645) return invalid('Invalid --nice value, out of range (+/- 2147483645)');
      return ok({ nice });
    },
  },
  flag('no-bell', 'bell', { commands: SALLOC_ONLY, honoured: 'yes' }, false),
  flag('no-allocate', 'noAllocate', { commands: SRUN_ONLY, short: 'Z', honoured: 'kept' }),
  {
    name: 'no-kill', short: 'k', fields: ['noKill'], kind: 'flag', arg: 'optional', env: ['SBATCH_NO_KILL'], honoured: 'kept',
    apply: (v) => {
      if (v === undefined || v === '') return ok({ noKill: true });
      if (v.toLowerCase() === 'off') return ok({ noKill: false });
      return invalid('Invalid --no-kill specification');
    },
  },
  flag('no-shell', 'noShell', { commands: SALLOC_ONLY, honoured: 'yes' }),
  flag('no-requeue', 'requeue', { commands: SBATCH_ONLY, env: ['SBATCH_NO_REQUEUE'], honoured: 'yes' }, false),
  text('nodefile', 'nodefile', { commands: NOT_SRUN, short: 'F', arg: 'required', honoured: 'yes', kind: 'path' }),
  text('nodelist', 'nodelist', { short: 'w', arg: 'required', honoured: 'yes', kind: 'hostlist' }),
  {
    name: 'nodes', short: 'N', fields: ['nodes'], kind: 'nodes', arg: 'required', honoured: 'yes',
    apply: (v) => {
      const r = nodeCount(v ?? '');
      return r.ok ? ok({ nodes: r.value }) : r;
    },
  },
  integer('ntasks', 'ntasks', { short: 'n', arg: 'required', honoured: 'yes' }),
  integer('ntasks-per-core', 'ntasksPerCore', { arg: 'required', honoured: 'kept' }),
  integer('ntasks-per-gpu', 'ntasksPerGpu', { arg: 'required', honoured: 'kept' }),
  integer('ntasks-per-node', 'ntasksPerNode', { aliases: ['tasks-per-node'], arg: 'required', honoured: 'yes' }),
  integer('ntasks-per-socket', 'ntasksPerSocket', { arg: 'required', honoured: 'kept' }),
  integer('ntasks-per-tres', 'ntasksPerTres', { arg: 'required', honoured: 'kept' }),
  {
    name: 'open-mode', commands: NOT_SALLOC, fields: ['openMode'], kind: 'enum', arg: 'required', env: ['SBATCH_OPEN_MODE'], honoured: 'yes',
    // only the first letter counts, as in sbatch
    apply: (v) => {
      const c = (v ?? '').charAt(0).toLowerCase();
      if (c === 'a') return ok({ openMode: 'append' });
      if (c === 't') return ok({ openMode: 'truncate' });
      return invalid('Invalid --open-mode specification');
    },
  },
  text('output', 'output', { commands: NOT_SALLOC, short: 'o', arg: 'required', env: ['SBATCH_OUTPUT'], honoured: 'yes', kind: 'pattern' }),
  flag('overcommit', 'overcommit', { short: 'O', env: ['SBATCH_OVERCOMMIT'], honoured: 'shown' }),
  flag('overlap', 'overlap', { commands: SRUN_ONLY, honoured: 'yes' }),
  {
    name: 'oversubscribe', short: 's', fields: ['oversubscribe', 'exclusive'], kind: 'flag', arg: 'none', honoured: 'yes',
    apply: () => ok({ oversubscribe: true, exclusive: undefined }),
  },
  flag('parsable', 'parsable', { commands: SBATCH_ONLY, honoured: 'yes' }),
  text('partition', 'partition', { short: 'p', arg: 'required', env: ['SBATCH_PARTITION'], honoured: 'yes' }),
  text('power', 'power', { arg: 'required', env: ['SBATCH_POWER'], honoured: 'kept' }),
  text('prefer', 'prefer', { arg: 'required', honoured: 'shown' }),
  flag('preserve-env', 'preserveEnv', { commands: SRUN_ONLY, short: 'E', honoured: 'kept' }),
  {
    name: 'priority', fields: ['priority'], kind: 'int', arg: 'required', honoured: 'yes',
    apply: (v) => {
      if ((v ?? '').toUpperCase() === 'TOP') return ok({ priority: 'TOP' });
      const p = strtol(v ?? '');
      if (p < 0) return invalid('Priority must be >= 0');
      if (p >= 4294967294) return invalid('Priority must be < 4294967294');
      return ok({ priority: p });
    },
  },
  checked('profile', 'profile', { arg: 'required', env: ['SBATCH_PROFILE'], honoured: 'kept' }, profile),
  text('prolog', 'prolog', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  {
    name: 'propagate', commands: NOT_SALLOC, fields: ['propagate'], kind: 'text', arg: 'optional', honoured: 'kept',
    apply: (v) => ok({ propagate: v ?? 'ALL' }),
  },
  flag('pty', 'pty', { commands: SRUN_ONLY, honoured: 'yes' }),
  text('qos', 'qos', { short: 'q', arg: 'required', env: ['SBATCH_QOS'], honoured: 'shown' }),
  flag('quiet', 'quiet', { short: 'Q', honoured: 'yes' }),
  flag('quit-on-interrupt', 'quitOnInterrupt', { commands: SRUN_ONLY, honoured: 'yes' }),
  flag('reboot', 'reboot', { honoured: 'kept' }),
  integer('relative', 'relative', { commands: SRUN_ONLY, short: 'r', arg: 'required', honoured: 'kept' }, false),
  flag('requeue', 'requeue', { commands: SBATCH_ONLY, env: ['SBATCH_REQUEUE'], honoured: 'yes' }),
  text('reservation', 'reservation', { arg: 'required', env: ['SBATCH_RESERVATION'], honoured: 'shown' }),
  optionalText('resv-ports', 'resvPorts', { commands: SRUN_ONLY, honoured: 'kept' }),
  optionalText('send-libs', 'sendLibs', { commands: SRUN_ONLY, honoured: 'kept' }),
  {
    name: 'signal', fields: ['signal'], kind: 'signal', arg: 'required', env: ['SBATCH_SIGNAL'], honoured: 'yes',
    apply: (v) => (parseSignal(v ?? '').ok ? ok({ signal: v ?? '' }) : invalid('Invalid --signal specification')),
  },
  text('slurmd-debug', 'slurmdDebug', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  integer('sockets-per-node', 'socketsPerNode', { arg: 'required', honoured: 'kept' }),
  flag('spread-job', 'spreadJob', { env: ['SBATCH_SPREAD_JOB'], honoured: 'kept' }),
  {
    name: 'switches', fields: ['switches'], kind: 'text', arg: 'required', env: ['SBATCH_REQ_SWITCH'], honoured: 'kept',
    apply: (v) => {
      const [count = ''] = (v ?? '').split('@');
      const r = slurmInt(count, '--switches', false);
      return r.ok ? ok({ switches: v ?? '' }) : r;
    },
  },
  text('task-epilog', 'taskEpilog', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  text('task-prolog', 'taskProlog', { commands: SRUN_ONLY, arg: 'required', honoured: 'kept' }),
  flag('test-only', 'testOnly', { commands: SBATCH_ONLY, honoured: 'yes' }),
  integer('thread-spec', 'threadSpec', { arg: 'required', env: ['SBATCH_THREAD_SPEC'], honoured: 'kept' }),
  integer('threads', 'threads', { commands: SRUN_ONLY, short: 'T', arg: 'required', honoured: 'kept' }),
  integer('threads-per-core', 'threadsPerCore', { arg: 'required', env: ['SBATCH_THREADS_PER_CORE'], honoured: 'kept' }),
  duration('time', 'time', { short: 't', arg: 'required', env: ['SBATCH_TIMELIMIT'], honoured: 'yes' }),
  duration('time-min', 'timeMin', { arg: 'required', honoured: 'shown' }),
  mem('tmp', 'tmp', { arg: 'required', honoured: 'shown' }),
  checked('uid', 'uid', { arg: 'required', honoured: 'kept' }, (v) => (/^\d+$/.test(v) || v === 'root' ? undefined : invalid('Invalid --uid specification'))),
  flag('unbuffered', 'unbuffered', { commands: SRUN_ONLY, short: 'u', honoured: 'yes' }),
  flag('usage', 'usage', { honoured: 'yes' }),
  flag('use-min-nodes', 'useMinNodes', { env: ['SBATCH_USE_MIN_NODES'], honoured: 'kept' }),
  {
    name: 'verbose', short: 'v', fields: ['verbose'], kind: 'flag', arg: 'none', env: ['SBATCH_DEBUG'], honoured: 'kept',
    apply: (_v, ctx) => ok({ verbose: (ctx.current.verbose ?? 0) + 1 }),
  },
  flag('version', 'version', { short: 'V', honoured: 'yes' }),
  flag('wait', 'wait', { commands: SBATCH_ONLY, short: 'W', env: ['SBATCH_WAIT'], honoured: 'yes' }),
  // srun's -W is another option than sbatch's: seconds to wait after the first task ends
  integer('wait', 'maxWait', { id: 'wait-srun', commands: SRUN_ONLY, short: 'W', arg: 'required', honoured: 'yes' }, false),
  {
    name: 'wait-all-nodes', commands: ['sbatch', 'salloc'], fields: ['waitAllNodes'], kind: 'int', arg: 'required', env: ['SBATCH_WAIT_ALL_NODES'], honoured: 'kept',
    apply: (v) => {
      const r = slurmInt(v ?? '', '--wait-all-nodes', false);
      if (!r.ok) return r;
      return r.value === 0 || r.value === 1 ? ok({ waitAllNodes: r.value }) : invalid('Invalid --wait-all-nodes specification');
    },
  },
  text('wckey', 'wckey', { arg: 'required', env: ['SBATCH_WCKEY'], honoured: 'shown' }),
  flag('whole', 'whole', { commands: SRUN_ONLY, honoured: 'kept' }),
  text('wrap', 'wrap', { commands: SBATCH_ONLY, arg: 'required', honoured: 'yes' }),
  // salloc refuses it (no DISPLAY: Slurm's message; otherwise: not supported here); srun's is not in the table yet
  optionalText('x11', 'x11', { commands: SALLOC_ONLY, honoured: 'kept' }),
];

/** An entry's key: its id, or its long name. */
export const optionKey = (e: OptionEntry): string => e.id ?? e.name;

/** The entries of one command, in table order. */
export function optionsOf(command: OptionCommand): readonly OptionEntry[] {
  return entries.filter((e) => (e.commands ?? ALL_COMMANDS).includes(command));
}

export const SBATCH_OPTIONS: readonly OptionEntry[] = optionsOf('sbatch');
export const SRUN_OPTIONS: readonly OptionEntry[] = optionsOf('srun');
export const SALLOC_OPTIONS: readonly OptionEntry[] = optionsOf('salloc');

/** Every entry by key (optionKey). */
export const optionByName: ReadonlyMap<string, OptionEntry> = new Map(entries.map((e) => [optionKey(e), e]));

/**
 * The single entry point for option values, whatever they come from: `#SBATCH`
 * words, `SBATCH_*` variables, or the command line. Like Slurm's
 * `slurm_process_option`, it applies one value through the option table and
 * records where it came from; the passes run in Slurm's order (script, then
 * environment, then command line), so a later source overrides an earlier one.
 */
import { getopt, type ParsedOption } from './getopt.js';
import { getoptTable, type CommandLineSpec, type LongRow } from './command-line.js';
import type { FailureLine, OptionFailure } from './kinds.js';
import type { JobRequest } from './request.js';
import { optionByName, optionKey, SALLOC_OPTIONS, SBATCH_OPTIONS, SRUN_OPTIONS, type OptionEntry } from './table.js';

export type OptionSource =
  | { from: 'command-line'; index: number }
  | { from: 'environment'; variable: string }
  | { from: 'script'; line: number; column: number; component: number };

export interface OptionState {
  /** the source of the value in force */
  source: OptionSource;
  /** the text it was given (undefined for flags) */
  text: string | undefined;
}

export interface Resolution {
  request: JobRequest;
  /** option name -> where its value came from; absent when unset */
  state: Map<string, OptionState>;
}

export function emptyResolution(): Resolution {
  return { request: {}, state: new Map() };
}

export const isSetByEnv = (r: Resolution, name: string) => r.state.get(name)?.source.from === 'environment';
/** Slurm's "set by cli": set, and not by the environment (script lines count as cli). */
export const isSetByCli = (r: Resolution, name: string) => {
  const s = r.state.get(name);
  return s !== undefined && s.source.from !== 'environment';
};

/** Apply one value of one option. Returns the failure, if any; on failure nothing changes. */
export function applyOption(
  r: Resolution, entry: OptionEntry, value: string | undefined, source: OptionSource, now: Date,
): OptionFailure | undefined {
  const result = entry.apply(value, { now, current: r.request });
  if (!result.ok) return result.failure;
  Object.assign(r.request, result.value);
  r.state.set(optionKey(entry), { source, text: value });
  return undefined;
}

/** Clear an option (an env flag set to a false value, or a validation reset). */
export function resetOption(r: Resolution, entry: OptionEntry): void {
  for (const f of entry.fields) delete r.request[f];
  r.state.delete(optionKey(entry));
}

// ---- the command line, through the one table builder ----------------------

/** A command's command-line spec from its entries, as Slurm's slurm_option_table_create() builds optstring and long_options[]. */
function commandLineSpec(command: string, entries: readonly OptionEntry[]): CommandLineSpec {
  const long: LongRow[] = [];
  const letters: Record<string, string> = {};
  let optstring = '+';
  for (const e of entries) {
    const key = optionKey(e);
    for (const alias of e.aliases ?? []) long.push([alias, e.arg, key]);
    long.push([e.name, e.arg, key]);
    if (e.short) {
      letters[e.short] = key;
      optstring += e.short + (e.arg === 'required' ? ':' : e.arg === 'optional' ? '::' : '');
    }
  }
  return { command, optstring, long, letters, onError: { tryHelp: true, exit: 255 } };
}

export const SBATCH_COMMAND_LINE = commandLineSpec('sbatch', SBATCH_OPTIONS);
let srunCommandLine: CommandLineSpec | undefined;
let sallocCommandLine: CommandLineSpec | undefined;

/** The command-line spec of a command (srun's and salloc's are built on first use: sbatch never needs them). */
function commandLineOf(cmd: string): CommandLineSpec {
  if (cmd === 'srun') return (srunCommandLine ??= commandLineSpec('srun', SRUN_OPTIONS));
  if (cmd === 'salloc') return (sallocCommandLine ??= commandLineSpec('salloc', SALLOC_OPTIONS));
  return SBATCH_COMMAND_LINE;
}

export type ArgvResult =
  | { ok: true; options: ParsedOption[]; operandIndex: number }
  | { ok: false; failure: OptionFailure; options: ParsedOption[] };

/**
 * --help, --usage and --version act the moment getopt reads them (Slurm's set
 * functions print and exit), before any later option, even one getopt refuses.
 */
export function firstInfoOption(options: readonly ParsedOption[]): 'help' | 'usage' | 'version' | undefined {
  for (const o of options) if (o.id === 'help' || o.id === 'usage' || o.id === 'version') return o.id;
  return undefined;
}

/** getopt over argv with the command's own table (sbatch unless cmd is `srun` or `salloc`), with Slurm's wording for its complaints. */
export function parseArgv(argv: readonly string[], cmd: string): ArgvResult {
  const r = getopt(argv, getoptTable(commandLineOf(cmd)));
  if (r.ok) return r;
  return { ok: false, failure: usageFailure(cmd, r.message), options: r.options };
}

export function usageFailure(cmd: string, message: string): OptionFailure {
  return { exit: 255, lines: [{ raw: `${cmd}: ${message}` }, { raw: `Try "${cmd} --help" for more information` }] };
}

/** Apply options already split by getopt. */
export function applyParsed(
  r: Resolution, options: readonly ParsedOption[], sourceOf: (o: ParsedOption) => OptionSource, now: Date,
): OptionFailure | undefined {
  for (const o of options) {
    const failure = applyOption(r, optionByName.get(o.id)!, o.value, sourceOf(o), now);
    if (failure) return failure;
  }
  return undefined;
}

/**
 * sbatch's rule for flag options given in the environment: empty, `yes` or a
 * non-zero integer set the flag; anything else unsets it.
 */
function envFlagIsOn(value: string): boolean {
  if (value === '' || value.toLowerCase() === 'yes') return true;
  return /^[ \t]*[+-]?\d+$/.test(value) && Number(value) !== 0;
}

/** A command's input variables, each naming the option it sets, in the order the environment pass reads them. */
export interface EnvTable {
  variables: readonly { variable: string; entry: OptionEntry }[];
  /** variable -> its places in `variables` (one, unless two entries read the same variable) */
  ranks: ReadonlyMap<string, number[]>;
}

export function envTable(variables: readonly { variable: string; entry: OptionEntry }[]): EnvTable {
  const ranks = new Map<string, number[]>();
  variables.forEach(({ variable }, i) => ranks.set(variable, [...(ranks.get(variable) ?? []), i]));
  return { variables, ranks };
}

/** A command's own variable table (srun's, salloc's: their opt.c `env_vars[]`), from `[variable, option key]` pairs. */
export function envTableOf(pairs: readonly (readonly [string, string])[]): EnvTable {
  return envTable(pairs.map(([variable, key]) => {
    const entry = optionByName.get(key);
    if (!entry) throw new Error(`no option ${key} for ${variable}`);
    return { variable, entry };
  }));
}

/** sbatch's input variables: table order, then each entry's own. */
const SBATCH_ENV = envTable(SBATCH_OPTIONS.flatMap((entry) => (entry.env ?? []).map((variable) => ({ variable, entry }))));

/**
 * The environment pass: every input variable of the command (sbatch's `SBATCH_*` unless a table is
 * given) that is set, in the table's order. The environment's own names are looked up in the table (an
 * environment sets few of the table's variables), then put in the table's order.
 */
export function applyEnvironment(
  r: Resolution, env: Readonly<Record<string, string | undefined>>, now: Date, table: EnvTable = SBATCH_ENV,
): OptionFailure | undefined {
  const ranks: number[] = [];
  for (const name of Object.keys(env)) {
    const places = table.ranks.get(name);
    if (places !== undefined) ranks.push(...places);
  }
  ranks.sort((a, b) => a - b);
  for (const rank of ranks) {
    const { variable, entry } = table.variables[rank]!;
    const value = env[variable];
    if (value === undefined) continue;
    const source: OptionSource = { from: 'environment', variable };
    if (entry.arg === 'none' && !envFlagIsOn(value)) {
      resetOption(r, entry);
      continue;
    }
    const failure = applyOption(r, entry, entry.arg === 'none' ? undefined : value, source, now);
    if (failure) return failure;
  }
  return undefined;
}

/**
 * Checks that look at where values came from, as Slurm's
 * `validate_options_salloc_sbatch_srun` does: a value from the script or the
 * command line clears a conflicting one from the environment.
 */
export function validateSources(r: Resolution, cmd = 'sbatch'): OptionFailure | undefined {
  const fatal = (message: string): OptionFailure => ({ exit: 1, lines: [{ raw: `${cmd}: fatal: ${message}` }] });
  const memOptions = ['mem', 'mem-per-cpu', 'mem-per-gpu'];
  const byCli = memOptions.filter((n) => isSetByCli(r, n));
  if (byCli.length > 1) return fatal('--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.');
  if (byCli.length === 1) {
    for (const n of memOptions) if (n !== byCli[0]) resetOption(r, optionByName.get(n)!);
  } else if (memOptions.filter((n) => isSetByEnv(r, n)).length > 1) {
    return fatal('SLURM_MEM_PER_CPU, SLURM_MEM_PER_GPU, and SLURM_MEM_PER_NODE are mutually exclusive.');
  }
  if (isSetByCli(r, 'exclusive') && isSetByCli(r, 'oversubscribe') && r.request.exclusive !== undefined) {
    return fatal('--exclusive and --oversubscribe options are mutually exclusive');
  }
  return undefined;
}

/** Render a failure as stderr lines for a command. */
export function failureLines(cmd: string, failure: OptionFailure): string[] {
  return failure.lines.map((l: FailureLine) => (typeof l === 'string' ? `${cmd}: error: ${l}` : l.raw));
}

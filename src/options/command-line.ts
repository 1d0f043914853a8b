/**
 * The one table builder every command's option parsing goes through. A command
 * declares its options as Slurm's source does (the optstring, verbatim, and
 * long_options[] in its order), plus what it does when getopt refuses a word;
 * this builds the getopt table once and runs the one getopt emulation over argv.
 * The option ids a command sees are names: a long row's own name, or, for rows
 * standing for a short letter, the first long name of that letter.
 */
import { getopt, type ArgKind, type GetoptTable, type LongOption, type ParsedOption, type ShortOption } from './getopt.js';

/** One row of long_options[]: name, argument, and the short letter it stands for, or an id shared by several rows. */
export type LongRow = readonly [name: string, arg: ArgKind, val?: string];

export interface CommandLineSpec {
  command: string;
  /** Slurm's optstring, verbatim (a leading `+`: the first operand ends the options) */
  optstring: string;
  /** long_options[], in Slurm's order (the order ambiguous prefixes are listed in) */
  long: readonly LongRow[];
  /** ids for short letters no long row names, or to rename one (sacct's -o is `format`, not its first long name `fields`) */
  letters?: Readonly<Record<string, string>>;
  /** after getopt's complaint: the `Try "<command> --help"` line (sacct prints none) and the exit code */
  onError: { tryHelp: boolean; exit: number };
  /** a word that ends the options when getopt reaches it (scontrol: `setdebugflags -Flag`) */
  stopAt?: (word: string) => boolean;
}

export interface CommandLine {
  /** in the order given; when getopt refused a word, the ones before it */
  options: ParsedOption[];
  /** the words that are not options, in the order getopt leaves them */
  operands: string[];
  /** getopt refused a word: act on `options` first (as Slurm's loop does), then print this and exit */
  error?: { stderr: string; exit: number };
}

const tables = new WeakMap<CommandLineSpec, GetoptTable>();

/** The getopt table of a spec (built on first use, then kept). */
export function getoptTable(spec: CommandLineSpec): GetoptTable {
  let table = tables.get(spec);
  if (!table) {
    table = buildTable(spec.optstring, spec.long, spec.letters ?? {});
    tables.set(spec, table);
  }
  return table;
}

/** Letters of an optstring with their argument kinds (`x` none, `x:` required, `x::` optional). */
export function optstringLetters(optstring: string): [string, ArgKind][] {
  const out: [string, ArgKind][] = [];
  const s = optstring.replace(/^[+-]/, '');
  for (let i = 0; i < s.length; i++) {
    const letter = s[i]!;
    let arg: ArgKind = 'none';
    if (s[i + 1] === ':') {
      arg = s[i + 2] === ':' ? 'optional' : 'required';
      i += arg === 'optional' ? 2 : 1;
    }
    out.push([letter, arg]);
  }
  return out;
}

function buildTable(optstring: string, rows: readonly LongRow[], letters: Readonly<Record<string, string>>): GetoptTable {
  const letterId = new Map<string, string>(Object.entries(letters));
  for (const [name, , val] of rows) if (val?.length === 1 && !letterId.has(val)) letterId.set(val, name);
  const long = rows.map(([name, arg, val]): LongOption => {
    const id = val === undefined ? name : val.length === 1 ? letterId.get(val)! : val;
    return { name, arg, id, val: val ?? name };
  });
  const short = new Map<string, ShortOption>();
  for (const [letter, arg] of optstringLetters(optstring)) short.set(letter, { letter, arg, id: letterId.get(letter) ?? letter });
  return { long, short, ordering: optstring.startsWith('+') ? 'require-order' : 'permute' };
}

/** getopt over argv with the command's table, and the command's own words when it refuses one. */
export function parseCommandLine(
  spec: CommandLineSpec, argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {},
): CommandLine {
  const r = getopt(argv, getoptTable(spec), { posixlyCorrect: env.POSIXLY_CORRECT !== undefined, stopAt: spec.stopAt });
  if (r.ok) return { options: r.options, operands: r.operands };
  const cmd = spec.command;
  const tryLine = spec.onError.tryHelp ? `Try "${cmd} --help" for more information\n` : '';
  return { options: r.options, operands: [], error: { stderr: `${cmd}: ${r.message}\n${tryLine}`, exit: spec.onError.exit } };
}

/**
 * GNU getopt_long as glibc 2.36 (the C library of the Slurm it stands in for)
 * runs it, for every command: in its default order options may follow operands
 * (glibc permutes them to the end, `--` ends the options), with `+` (sbatch,
 * srun) or POSIXLY_CORRECT the first operand ends the options. Bundled short
 * options (`-dd`, `-hl`), attached or separate values, optional values (only
 * attached: `-j5`, `--jobs=5`), unique prefixes of long names, and glibc's
 * wording for what it refuses. Pure: argv in, options and operands out; the
 * caller adds the `<command>: ` prefix and its own "Try" line and exit code.
 */
export type ArgKind = 'none' | 'required' | 'optional';

export interface LongOption {
  name: string;
  arg: ArgKind;
  /** what the command sees; long names with the same id are one option (aliases) */
  id: string;
  /** what getopt compares to tell two prefix matches apart (Slurm's `val`: a short letter or an OPT_LONG_* code); default: id */
  val?: string;
}

export interface ShortOption {
  letter: string;
  arg: ArgKind;
  id: string;
}

export interface GetoptTable {
  /** in the order of the command's long_options[]: the order ambiguous matches are listed in */
  long: readonly LongOption[];
  short: ReadonlyMap<string, ShortOption>;
  /** `permute` (glibc's default) or `require-order` (an optstring starting with `+`) */
  ordering?: 'permute' | 'require-order';
}

export interface GetoptSettings {
  /** POSIXLY_CORRECT is set: glibc stops at the first operand whatever the table says */
  posixlyCorrect?: boolean;
  /** checked before each option is read, on the word getopt is at: true ends the options there (scontrol's `setdebugflags -x`) */
  stopAt?: (word: string) => boolean;
}

export interface ParsedOption {
  id: string;
  value: string | undefined;
  /** index in argv of the word the option starts in */
  index: number;
}

export type GetoptResult =
  | {
    ok: true;
    options: ParsedOption[];
    /** the words that are not options, in the order getopt leaves them (skipped ones first, then those after `--`) */
    operands: string[];
    /** in require-order: index in argv of the first operand (argv.length when none) */
    operandIndex: number;
  }
  | {
    ok: false;
    message: string;
    /** index in argv of the word getopt refused */
    index: number;
    /** the options read before it (a command acts on them first, as Slurm's loops do) */
    options: ParsedOption[];
  };

/**
 * glibc's algorithm, step for step: `optind` walks the argv, words that are not
 * options are skipped and later exchanged behind the options read after them
 * (lazily, as glibc does, so that a stop word sees the argv as glibc would).
 */
export function getopt(argv: readonly string[], table: GetoptTable, settings: GetoptSettings = {}): GetoptResult {
  const permute = (table.ordering ?? 'permute') === 'permute' && !settings.posixlyCorrect;
  const n = argv.length;
  // the argv as glibc permutes it, as indexes into the given one (made on the first exchange: most argvs need none)
  let order: number[] | undefined;
  const at = (k: number) => (order ? order[k]! : k);
  const word = (k: number) => argv[at(k)]!;
  const isOperand = (k: number) => {
    const w = word(k);
    return w[0] !== '-' || w.length === 1;
  };
  const options: ParsedOption[] = [];
  let optind = 0;
  let firstSkipped = 0;
  let lastSkipped = 0;
  /** letters of a bundled short-option word not read yet (glibc's nextchar) */
  let rest = '';

  /** Move the skipped operands [firstSkipped, lastSkipped) behind the options read since [lastSkipped, optind). */
  const exchange = () => {
    order ??= argv.map((_, i) => i);
    const moved = [...order.slice(lastSkipped, optind), ...order.slice(firstSkipped, lastSkipped)];
    order.splice(firstSkipped, optind - firstSkipped, ...moved);
    firstSkipped += optind - lastSkipped;
    lastSkipped = optind;
  };
  const end = (from: number): GetoptResult => {
    const operands: string[] = [];
    for (let k = from; k < n; k++) operands.push(word(k));
    return { ok: true, options, operands, operandIndex: from };
  };
  const fail = (message: string, k: number): GetoptResult => ({ ok: false, message, index: at(k), options });

  for (;;) {
    if (settings.stopAt && optind < n && settings.stopAt(word(optind))) return end(optind);
    if (rest === '') {
      if (lastSkipped > optind) lastSkipped = optind;
      if (firstSkipped > optind) firstSkipped = optind;
      if (permute) {
        if (firstSkipped !== lastSkipped && lastSkipped !== optind) exchange();
        else if (lastSkipped !== optind) firstSkipped = optind;
        while (optind < n && isOperand(optind)) optind++;
        lastSkipped = optind;
      }
      if (optind !== n && word(optind) === '--') {
        optind++;
        if (firstSkipped !== lastSkipped && lastSkipped !== optind) exchange();
        else if (firstSkipped === lastSkipped) firstSkipped = optind;
        lastSkipped = n;
        optind = n;
      }
      if (optind === n) return end(firstSkipped !== lastSkipped ? firstSkipped : optind);
      if (isOperand(optind)) return end(optind);
      const w = word(optind);
      if (w[1] === '-') {
        const r = longOption(w.slice(2), table.long, optind + 1 < n ? word(optind + 1) : undefined);
        if (!r.ok) return fail(r.message, optind);
        options.push({ id: r.id, value: r.value, index: at(optind) });
        optind += r.words;
        continue;
      }
      rest = w.slice(1);
    }

    const start = optind;
    const letter = rest[0]!;
    rest = rest.slice(1);
    if (rest === '') optind++;
    const spec = table.short.get(letter);
    if (!spec) return fail(`invalid option -- '${letter}'`, start);
    let value: string | undefined;
    if (spec.arg === 'optional') {
      // only an attached value: `-j 5` is -j and the operand 5
      if (rest !== '') {
        value = rest;
        optind++;
      }
      rest = '';
    } else if (spec.arg === 'required') {
      if (rest !== '') {
        value = rest;
        optind++;
      } else if (optind === n) {
        return fail(`option requires an argument -- '${letter}'`, start);
      } else {
        value = word(optind);
        optind++;
      }
      rest = '';
    }
    options.push({ id: spec.id, value, index: at(start) });
  }
}

type LongResult = { ok: true; id: string; value: string | undefined; words: 1 | 2 } | { ok: false; message: string };

/** One `--name[=value]` word (text is what follows the dashes); next is the word after it. */
function longOption(text: string, long: readonly LongOption[], next: string | undefined): LongResult {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  let found = exactNames(long).get(name);
  if (!found) {
    let first: LongOption | undefined;
    let differing: LongOption[] | undefined;
    for (const o of long) {
      if (!o.name.startsWith(name)) continue;
      if (!first) first = o;
      // glibc: a later match that is the same option as the first (same argument and val) is no ambiguity
      else if ((o.val ?? o.id) !== (first.val ?? first.id) || o.arg !== first.arg) (differing ??= [first]).push(o);
    }
    if (!first) return { ok: false, message: `unrecognized option '--${text}'` };
    if (differing) {
      const list = differing.map((o) => ` '--${o.name}'`).join('');
      return { ok: false, message: `option '--${text}' is ambiguous; possibilities:${list}` };
    }
    found = first;
  }
  if (eq >= 0) {
    if (found.arg === 'none') return { ok: false, message: `option '--${found.name}' doesn't allow an argument` };
    return { ok: true, id: found.id, value: text.slice(eq + 1), words: 1 };
  }
  if (found.arg === 'required') {
    if (next === undefined) return { ok: false, message: `option '--${found.name}' requires an argument` };
    return { ok: true, id: found.id, value: next, words: 2 };
  }
  return { ok: true, id: found.id, value: undefined, words: 1 };
}

const exactIndexes = new WeakMap<readonly LongOption[], ReadonlyMap<string, LongOption>>();

/** name -> the first long option of that name (what a linear search would find), built once per table. */
function exactNames(long: readonly LongOption[]): ReadonlyMap<string, LongOption> {
  let index = exactIndexes.get(long);
  if (!index) {
    const m = new Map<string, LongOption>();
    for (const o of long) if (!m.has(o.name)) m.set(o.name, o);
    exactIndexes.set(long, m);
    index = m;
  }
  return index;
}

/**
 * GNU getopt_long as sbatch runs it ("+" mode: stop at the first non-option),
 * with glibc's abbreviation, ambiguity and error wording. Pure: argv in,
 * options out; the caller adds the `sbatch: ` prefix and the "Try" line.
 */
export type ArgKind = 'none' | 'required' | 'optional';

export interface LongOption {
  name: string;
  arg: ArgKind;
  /** options with the same id are the same option to getopt (aliases) */
  id: string;
}

export interface ShortOption {
  letter: string;
  arg: ArgKind;
  id: string;
}

export interface GetoptTable {
  long: readonly LongOption[];
  short: ReadonlyMap<string, ShortOption>;
}

export interface ParsedOption {
  id: string;
  value: string | undefined;
  /** index in argv of the word the option starts in */
  index: number;
}

export type GetoptResult =
  | { ok: true; options: ParsedOption[]; operandIndex: number }
  | { ok: false; message: string; index: number };

export function getopt(argv: readonly string[], table: GetoptTable): GetoptResult {
  const options: ParsedOption[] = [];
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') return { ok: true, options, operandIndex: i + 1 };
    if (word.length < 2 || word[0] !== '-') break;
    if (word[1] === '-') {
      const r = longOption(argv, i, table.long);
      if (!r.ok) return r;
      options.push(r.option);
      i = r.next;
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      const spec = table.short.get(letter);
      if (!spec) return { ok: false, message: `invalid option -- '${letter}'`, index: i };
      if (spec.arg === 'none') {
        options.push({ id: spec.id, value: undefined, index: i });
        continue;
      }
      const attached = word.slice(c + 1);
      if (attached !== '' || spec.arg === 'optional') {
        options.push({ id: spec.id, value: attached === '' ? undefined : attached, index: i });
      } else if (i + 1 < argv.length) {
        options.push({ id: spec.id, value: argv[i + 1]!, index: i });
        i++;
      } else {
        return { ok: false, message: `option requires an argument -- '${letter}'`, index: i };
      }
      break;
    }
    i++;
  }
  return { ok: true, options, operandIndex: i };
}

type LongResult = { ok: true; option: ParsedOption; next: number } | { ok: false; message: string; index: number };

function longOption(argv: readonly string[], i: number, long: readonly LongOption[]): LongResult {
  const text = argv[i]!.slice(2);
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  let found = exactNames(long).get(name);
  if (!found) {
    const matches = long.filter((o) => o.name.startsWith(name));
    const first = matches[0];
    if (!first) return { ok: false, message: `unrecognized option '--${text}'`, index: i };
    // glibc: later matches identical to the first are the same option, not an ambiguity
    const differing = matches.filter((o) => o === first || o.id !== first.id || o.arg !== first.arg);
    if (differing.length > 1) {
      const list = differing.map((o) => `'--${o.name}'`).join(' ');
      return { ok: false, message: `option '--${text}' is ambiguous; possibilities: ${list}`, index: i };
    }
    found = first;
  }
  if (eq >= 0) {
    if (found.arg === 'none') return { ok: false, message: `option '--${found.name}' doesn't allow an argument`, index: i };
    return { ok: true, option: { id: found.id, value: text.slice(eq + 1), index: i }, next: i + 1 };
  }
  if (found.arg === 'required') {
    if (i + 1 >= argv.length) return { ok: false, message: `option '--${found.name}' requires an argument`, index: i };
    return { ok: true, option: { id: found.id, value: argv[i + 1]!, index: i }, next: i + 2 };
  }
  return { ok: true, option: { id: found.id, value: undefined, index: i }, next: i + 1 };
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

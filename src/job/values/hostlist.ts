// Hostlist expressions (-w, -x, node names everywhere): expansion and the two compressed forms,
// matching `scontrol show hostnames`, `show hostlist` and `show hostlistsorted` of Slurm 22.05.
import { hostlistSyntax, hostRangeSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { Result } from '../../../grammar/values/index.js';

/** Most hosts in one `lo-hi` range, and in the ranges of a prefix (`rack[..]-node[..]`). */
const MAX_RANGE = 65536;
const MAX_PREFIX_CNT = 65536;
/** Not Slurm's: nested brackets multiply (`a[0-65535]b[0-65535]c[1]`); Slurm would run out of memory,
 * here the expression is refused beyond this many hosts. */
const MAX_HOSTS = 1 << 20;

interface NumRange {
  lo: number;
  hi: number;
  width: number;
}

class HostlistError {
  constructor(readonly log: string | null) {}
}
class TooMany {}

const pad = (n: number, width: number): string => {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
};

/** _parse_single_range(): `lo[-hi]`, width = characters before the dash. */
function parseRange(piece: string): NumRange {
  const syn = hostRangeSyntax(piece);
  const invalid = new HostlistError(`_parse_single_range: Invalid range: \`${piece}'`);
  if (!syn.ok) throw invalid;
  const r = syn.value;
  if (r.x || (r.loJunk && r.hi === null)) throw invalid;
  const lo = Number(r.lo);
  const hi = r.hi === null ? lo : Number(r.hi);
  // beyond 2^53 numbers are not exact (Slurm's limit is 2^64); no real host is numbered like that
  if (lo > Number.MAX_SAFE_INTEGER || hi > Number.MAX_SAFE_INTEGER || lo > hi) throw invalid;
  if (hi - lo + 1 > MAX_RANGE) throw new HostlistError(`_parse_single_range: Too many hosts in range \`${piece}'`);
  return { lo, hi, width: r.width };
}

/** Ranges of one bracket. Nested prefixes re-read the same bracket once per value, so results (and
 * failures) are remembered for the expression being parsed. */
function parseRangeList(text: string, memo: Map<string, NumRange[] | HostlistError>): NumRange[] {
  let r = memo.get(text);
  if (r === undefined) {
    try {
      r = text.split(',').map(parseRange);
    } catch (e) {
      r = e instanceof HostlistError ? e : new HostlistError(null);
    }
    memo.set(text, r);
  }
  if (r instanceof HostlistError) throw r;
  return r;
}

interface HostRange {
  prefix: string;
  lo: number;
  hi: number;
  width: number;
  single: boolean;
}

/** _push_range_list(): expand the bracket in the prefix (if any), then push the ranges. A failure in a
 * nested prefix bracket is swallowed by Slurm (it keeps MAX(rc, -1) = 0), its hosts just vanish. */
function pushRanges(
  out: HostRange[], prefix: string, ranges: NumRange[], memo: Map<string, NumRange[] | HostlistError>, total = { hosts: 0 },
): void {
  const open = prefix.lastIndexOf('[');
  const close = open >= 0 ? prefix.lastIndexOf(']') : -1;
  if (open < 0 || close < open) {
    pushPrefixed(out, prefix, ranges, total);
    return;
  }
  const head = prefix.slice(0, open);
  const tail = prefix.slice(close + 1);
  const recurse = head.includes('[');
  const prefixRanges = parseRangeList(prefix.slice(open + 1, close), memo);
  let count = 0;
  for (const p of prefixRanges) {
    count += p.hi - p.lo + 1;
    if (count > MAX_PREFIX_CNT) throw new HostlistError(null);
    for (let j = p.lo; j <= p.hi; j++) {
      const newPrefix = head + pad(j, p.width) + tail;
      if (!recurse) {
        pushPrefixed(out, newPrefix, ranges, total);
        continue;
      }
      try {
        pushRanges(out, newPrefix, ranges, memo, total);
      } catch (e) {
        if (e instanceof TooMany) throw e;
        // swallowed, as in Slurm
      }
    }
  }
}

/** The ranges under one prefix, counting hosts against MAX_HOSTS. */
function pushPrefixed(out: HostRange[], prefix: string, ranges: NumRange[], total: { hosts: number }): void {
  for (const r of ranges) {
    total.hosts += r.hi - r.lo + 1;
    if (total.hosts > MAX_HOSTS) throw new TooMany();
    pushRange(out, { prefix, lo: r.lo, hi: r.hi, width: r.width, single: false });
  }
}

const PLAIN_NAMES = /^[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*$/;

/** hostlist_create(): the range list Slurm builds (names are expanded from it, and compressed from it). */
function createRanges(text: string): Result<HostRange[]> {
  // plain names and commas (`gpu1,gpu2`) need no grammar
  if (PLAIN_NAMES.test(text)) {
    const out: HostRange[] = [];
    for (const name of text.split(',')) pushRange(out, rangeOfName(name));
    return ok(out);
  }
  const syn = hostlistSyntax(text);
  if (!syn.ok) return fail(`Invalid hostlist: ${text}`, syn.error.column);
  const out: HostRange[] = [];
  const memo = new Map<string, NumRange[] | HostlistError>();
  for (const tok of syn.value) {
    const name = text.slice(tok.start, tok.end);
    const open = name.lastIndexOf('[');
    if (open < 0) {
      pushRange(out, rangeOfName(name));
      continue;
    }
    const prefix = name.slice(0, open);
    const rest = name.slice(open + 1);
    const close = rest.indexOf(']');
    if (close < 0) {
      pushRange(out, rangeOfName(prefix !== '' ? `${prefix}]` : rest));
      continue;
    }
    const after = rest[close + 1];
    if (after !== undefined && after !== ',') return fail(`Invalid hostlist: ${text}`, tok.start + open + close + 3);
    try {
      pushRanges(out, prefix, parseRangeList(rest.slice(0, close), memo), memo);
    } catch (e) {
      if (e instanceof TooMany) return fail(`Invalid hostlist: ${text} (more than ${MAX_HOSTS} hosts)`, tok.start + 1);
      const extra = e instanceof HostlistError && e.log !== null ? { log: [e.log] } : undefined;
      return fail(`Invalid hostlist: ${text}`, tok.start + 1, extra);
    }
  }
  return ok(out);
}

/**
 * Every host name of a hostlist expression, in order, duplicates kept (`scontrol show hostnames`).
 * Separators are comma, space and tab (commas inside brackets belong to the bracket); `pre[ranges]` with
 * zero-padding taken from the low bound's text; several brackets multiply (`rack[1-2]-node[1-2]`).
 * 22.05 rules: nothing may follow the last `]` of a name; a `[` with no `]` makes `prefix]` (Slurm's
 * "fix", e.g. `n[1-3` → `n]`); `[` alone gives an empty name.
 *
 * Failure: message is scontrol's `Invalid hostlist: <text>`; `log` holds the
 * `_parse_single_range: Invalid range: \`3-1'` line Slurm logs first (as `<prog>: error: ...`).
 * scontrol show hostnames exits 0 even then, show hostlist exits 1; sbatch -w prints the log line plus
 * `sbatch: error: memory allocation failure` and exits 1; sbatch -x leaves it to the controller
 * (`Batch job submission failed: Invalid node name specified`, exit 1).
 */
export function expandHostlist(text: string): Result<string[]> {
  const created = createRanges(text);
  if (!created.ok) return created;
  const out: string[] = [];
  for (const r of created.value) {
    if (r.single) out.push(r.prefix);
    else for (let i = r.lo; i <= r.hi; i++) out.push(r.prefix + pad(i, r.width));
  }
  return ok(out);
}

/**
 * `scontrol show hostlist <expression>` (or `hostlistsorted` with `sorted`): the expression's ranges as
 * Slurm built them, compressed (`b9[08-11]` stays `b9[08-11]`). Failures as {@link expandHostlist}
 * (scontrol exits 1).
 */
export function compressHostlistExpression(text: string, options: { sorted?: boolean } = {}): Result<string> {
  const created = createRanges(text);
  if (!created.ok) return created;
  if (options.sorted) sortRanges(created.value);
  return ok(rangedString(created.value));
}

// ---- compression ----------------------------------------------------------------------------------------

/** hostname_create(): a trailing run of digits is the number, its length the width. */
function rangeOfName(name: string): HostRange {
  let i = name.length;
  while (i > 0 && name.charCodeAt(i - 1) >= 48 && name.charCodeAt(i - 1) <= 57) i--;
  const digits = name.length - i;
  // numbers beyond 2^53 cannot be kept exactly: treat such names as plain names
  if (digits === 0 || digits > 15) return { prefix: name, lo: 0, hi: 0, width: 0, single: true };
  const n = Number(name.slice(i));
  return { prefix: name.slice(0, i), lo: n, hi: n, width: digits, single: false };
}

const zeroPadded = (num: number, width: number): number => {
  const n = String(num).length;
  return width > n ? width - n : 0;
};

/** _width_equiv(): two widths are compatible when one of them changes neither number's padding;
 * like Slurm, it aligns the widths (on the objects) when it says yes. */
function widthCombine(a: HostRange, b: HostRange): boolean {
  if (a.width === b.width) return true;
  const npad = zeroPadded(a.lo, a.width);
  const nmpad = zeroPadded(a.lo, b.width);
  const mpad = zeroPadded(b.lo, b.width);
  const mnpad = zeroPadded(b.lo, a.width);
  if (npad !== nmpad && mpad !== mnpad) return false;
  if (npad !== nmpad) b.width = a.width;
  else a.width = b.width;
  return true;
}

/** strnatcmp(): natural order, digit runs compared as numbers, blanks skipped. */
export function strnatcmp(a: string, b: string): number {
  let ai = 0;
  let bi = 0;
  for (;;) {
    while (isSpace(a[ai])) ai++;
    while (isSpace(b[bi])) bi++;
    const ca = a[ai];
    const cb = b[bi];
    if (isDigit(ca) && isDigit(cb)) {
      const r = ca === '0' || cb === '0' ? compareLeft(a, ai, b, bi) : compareRight(a, ai, b, bi);
      if (r !== 0) return r;
    }
    if (ca === undefined && cb === undefined) return 0;
    const xa = ca === undefined ? 0 : ca.charCodeAt(0);
    const xb = cb === undefined ? 0 : cb.charCodeAt(0);
    if (xa !== xb) return xa < xb ? -1 : 1;
    ai++;
    bi++;
  }
}

// strnatcmp()'s helpers live outside it: a bundle built with esbuild's keepNames names an inner function
// with a call to Object.defineProperty on every call of the outer one (scripts/build.mjs).
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** Digit runs without leading zeros: the longer run is greater, else the first differing digit decides. */
function compareRight(x: string, i: number, y: string, j: number): number {
  let bias = 0;
  for (;; i++, j++) {
    const dx = isDigit(x[i]);
    const dy = isDigit(y[j]);
    if (!dx && !dy) return bias;
    if (!dx) return -1;
    if (!dy) return 1;
    if (x[i]! < y[j]!) bias ||= -1;
    else if (x[i]! > y[j]!) bias ||= 1;
  }
}

/** Digit runs with a leading zero: compared digit by digit, as fractions. */
function compareLeft(x: string, i: number, y: string, j: number): number {
  for (;; i++, j++) {
    const dx = isDigit(x[i]);
    const dy = isDigit(y[j]);
    if (!dx && !dy) return 0;
    if (!dx) return -1;
    if (!dy) return 1;
    if (x[i]! < y[j]!) return -1;
    if (x[i]! > y[j]!) return 1;
  }
}

/** hostrange_prefix_cmp(): prefixes, then names without a number before numbered ones. */
const prefixCmp = (a: HostRange, b: HostRange): number =>
  (a.prefix === b.prefix ? 0 : strnatcmp(a.prefix, b.prefix)) || Number(b.single) - Number(a.single);
const withinRange = (a: HostRange, b: HostRange | undefined): boolean => b !== undefined && prefixCmp(a, b) === 0 && !a.single && !b.single;
const count = (r: HostRange): number => (r.single ? 1 : r.hi - r.lo + 1);

/** hostlist_push_range(): a range extends the last one when it continues it (same prefix and padding). */
function pushRange(ranges: HostRange[], hr: HostRange): void {
  const tail = ranges[ranges.length - 1];
  if (tail && tail.hi === hr.lo - 1 && prefixCmp(tail, hr) === 0 && widthCombine(tail, hr)) tail.hi = hr.hi;
  else ranges.push(hr);
}

function buildRanges(names: readonly string[]): HostRange[] {
  const ranges: HostRange[] = [];
  for (const name of names) pushRange(ranges, rangeOfName(name));
  return ranges;
}

function numstr(r: HostRange): string {
  if (r.single) return '';
  return r.lo < r.hi ? `${pad(r.lo, r.width)}-${pad(r.hi, r.width)}` : pad(r.lo, r.width);
}

/** hostlist_ranged_string(): runs of same-prefix numbered ranges share one bracket. */
function rangedString(ranges: HostRange[]): string {
  const groups: string[] = [];
  let i = 0;
  while (i < ranges.length) {
    const first = ranges[i]!;
    const bracket = count(first) > 1 || withinRange(first, ranges[i + 1]);
    const nums: string[] = [];
    do {
      nums.push(numstr(ranges[i]!));
      i++;
    } while (i < ranges.length && withinRange(ranges[i]!, ranges[i - 1]!));
    groups.push(bracket ? `${first.prefix}[${nums.join(',')}]` : first.prefix + nums.join(','));
  }
  return groups.join(',');
}

/**
 * `scontrol show hostlist` of these names: consecutive numbers of one prefix merge, order kept, nothing
 * sorted or removed (`n3,n1,n2` → `n[3,1-2]`; `n1,n2,n3,n5,m1` → `n[1-3,5],m1`; widths kept, `n[1,01]`).
 */
export function compressHostlist(names: readonly string[]): string {
  return rangedString(buildRanges(names));
}

/** `scontrol show hostlistsorted`: sorted (natural order), duplicates kept (`n3,n1,n2,n1` → `n[1,1-3]`). */
export function compressHostlistSorted(names: readonly string[]): string {
  const ranges = buildRanges(names);
  sortRanges(ranges);
  return rangedString(ranges);
}

/** hostlist_sort(): hostrange_cmp() order (Array.prototype.sort is stable like glibc's merge-sorting
 * qsort()), then overlapping ranges split and neighbours merged. */
function sortRanges(ranges: HostRange[]): void {
  if (ranges.length <= 1) return;
  ranges.sort((a, b) => prefixCmp(a, b) || (widthCombine(a, b) ? a.lo - b.lo : a.width - b.width));
  coalesce(ranges);
}

/** hostlist_coalesce(): split overlapping ranges so duplicates stand alone, then collapse. */
function coalesce(hr: HostRange[]): void {
  for (let i = hr.length - 1; i > 0; i--) {
    const prev = hr[i - 1]!;
    const next = hr[i]!;
    if (prev.single || next.single || !(prev.hi > next.lo) || prefixCmp(prev, next) !== 0 || !widthCombine(prev, next)) continue;
    const common = { ...prev, lo: next.lo, hi: Math.min(next.hi, prev.hi) };
    let j = i;
    if (common.hi < prev.hi) next.hi = prev.hi;
    prev.hi = common.lo;
    next.lo = common.hi;
    if (prev.hi < prev.lo) hr.splice(i, 1);
    for (; common.lo <= common.hi; common.lo++) {
      const one = { ...common, hi: common.lo, single: false };
      if (common.lo > prev.hi) hr.splice(j++, 0, { ...one });
      if (common.lo < next.lo) hr.splice(j++, 0, { ...one });
    }
    i = hr.length;
  }
  for (let i = hr.length - 1; i > 0; i--) {
    const prev = hr[i - 1]!;
    const next = hr[i]!;
    if (prev.hi === next.lo - 1 && prefixCmp(prev, next) === 0 && widthCombine(prev, next)) {
      prev.hi = next.hi;
      hr.splice(i, 1);
    }
  }
}

// Job arrays (--array): the index specification and everything derived from it, without ever
// materialising the index set (an array can have 100,000 tasks).
import { arraySyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { ArrayPieceSyntax, CNum, Result } from '../../../grammar/values/index.js';
import { int32Of, numberOf } from './cint.js';

export interface ArrayRange {
  start: number;
  /** the upper bound as written (`0-15:4` keeps 15; the last index is 12) */
  end: number;
  step: number;
  /** a `:step` was written (SLURM_ARRAY_TASK_STEP comes from the first one) */
  stepGiven: boolean;
}

export interface ArraySpec {
  /** empty when the value had no index at all (`--array=` or `--array=,`): the job is then not an array */
  ranges: ArrayRange[];
  /** `%K` limit on simultaneously running tasks; 0 = none */
  throttle: number;
}

const INVALID = 'Invalid job array specification';
const invalid = (column: number): Result<never> => fail(INVALID, column, { side: 'controller' });

/** A piece's number; an absent one is 0 (strtol() of nothing). */
const value = (n: CNum | null): number => (n ? numberOf(n) : 0);

/**
 * `--array` as slurmctld reads it: comma-separated pieces (empty ones skipped), each `N`, `N-M` or
 * `N-M:S`, numbers read by strtol() (leading blanks and `+` allowed, `-` before the first number makes it
 * negative), a `[` at the start of a piece and a `]` after any number are ignored, `%K` anywhere sets
 * the throttle from the first `%` (a non-positive or unreadable K means none) and ends the piece.
 *
 * Every rejection is controller-side in 22.05: sbatch sends the text unchecked and prints
 * `sbatch: error: Batch job submission failed: Invalid job array specification`, exit 1.
 * The MaxArraySize bound is checked separately by {@link validateArray}.
 */
export function parseArray(text: string): Result<ArraySpec> {
  let pieces = plainArrayPieces(text);
  if (!pieces) {
    const parsed = arraySyntax(text);
    if (!parsed.ok) return invalid(parsed.error.column);
    pieces = parsed.value;
  }
  const ranges: ArrayRange[] = [];
  let throttle: number | null = null;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    const end = i + 1 < pieces.length ? pieces[i + 1]!.offset - 1 : text.length;
    if (end === p.offset) continue; // strtok() skips empty pieces
    if (p.percent && throttle === null) throttle = p.percent.num ? Math.max(0, int32Of(p.percent.num)) : 0;
    const first = value(p.first);
    if (first < 0) return invalid(p.offset + 1);
    let last = first;
    let step = 1;
    if (p.dash) {
      last = value(p.last);
      if (p.colon) {
        step = value(p.step);
        if (step <= 0) return invalid(p.offset + 1);
      }
      if (last < first) return invalid(p.offset + 1);
    }
    ranges.push({ start: first, end: last, step, stepGiven: p.colon });
  }
  return ok({ ranges, throttle: throttle ?? 0 });
}

const PLAIN_PIECE = /^(\d{1,9})(?:-(\d{1,9})(?::(\d{1,9}))?)?(?:%(\d{1,9}))?$/;

/**
 * The pieces of a plain spec (`0-99999`, `1-20:3%4`, `1,3,5`: digits, `-`, `:`, `%` only), exactly as
 * the grammar reads them, or undefined for anything else. Why: nearly every --array value is plain,
 * and reading it here spares sbatch loading the grammar bundle (~15 ms of a ~30 ms run).
 * test/unit/job/array-plain.test.ts holds it equal to the grammar.
 */
export function plainArrayPieces(text: string): ArrayPieceSyntax[] | undefined {
  const pieces: ArrayPieceSyntax[] = [];
  let offset = 0;
  for (const piece of text.split(',')) {
    const m = PLAIN_PIECE.exec(piece);
    if (!m) return undefined;
    const num = (digits: string | undefined, at: number): CNum | null => (digits === undefined ? null : { neg: false, digits, offset: offset + at });
    const first = m[1]!;
    const lastAt = first.length + 1;
    const stepAt = m[2] === undefined ? 0 : lastAt + m[2].length + 1;
    const pctAt = piece.indexOf('%');
    pieces.push({
      offset,
      first: num(first, 0),
      dash: m[2] !== undefined,
      last: num(m[2], lastAt),
      colon: m[3] !== undefined,
      step: num(m[3], stepAt),
      percent: m[4] === undefined ? null : { num: num(m[4], pctAt + 1) },
    });
    offset += piece.length + 1;
  }
  return pieces;
}

/**
 * The MaxArraySize check (every index must be below it; MaxArraySize=0 disables arrays), plus the range
 * rules {@link parseArray} already applies, for specs built by hand (no negative index, no reversed
 * range, step ≥ 1). Rejection is controller-side: `Batch job submission failed: Invalid job array
 * specification`, exit 1.
 */
export function validateArray(spec: ArraySpec, maxArraySize: number): Result<ArraySpec> {
  if (spec.ranges.length > 0 && maxArraySize <= 0) return invalid(1);
  for (const r of spec.ranges) {
    if (!(r.start >= 0 && r.end >= r.start && r.step >= 1 && r.end < maxArraySize)) return invalid(1);
  }
  return ok(spec);
}

/** The last index a range really produces. */
const lastOf = (r: ArrayRange): number => r.start + Math.floor((r.end - r.start) / r.step) * r.step;

/** Every index once, ascending (a k-way merge over the ranges: no set is built). The helpers below
 * expect a spec that passed {@link validateArray} (indices below MaxArraySize). */
export function* arrayIndices(spec: ArraySpec): Generator<number, void, undefined> {
  // min-heap of [next value, range index]
  const heap: [number, number][] = spec.ranges.map((r, i) => [r.start, i]);
  const less = (a: [number, number], b: [number, number]): boolean => a[0] < b[0];
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let prev = -1;
  while (heap.length > 0) {
    const top = heap[0]!;
    const v = top[0];
    if (v !== prev) {
      yield v;
      prev = v;
    }
    const range = spec.ranges[top[1]]!;
    const next = v + range.step;
    // (next > v) stops ranges whose numbers are too large to be exact
    if (next <= range.end && next > v) {
      top[0] = next;
    } else {
      const tail = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = tail;
    }
    down(0);
  }
}

/** SLURM_ARRAY_TASK_COUNT: the number of distinct indices. */
export function arrayTaskCount(spec: ArraySpec): number {
  const sorted = [...spec.ranges].sort((a, b) => a.start - b.start);
  let disjoint = true;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start <= lastOf(sorted[i - 1]!)) disjoint = false;
  if (disjoint) return sorted.reduce((n, r) => n + Math.floor((r.end - r.start) / r.step) + 1, 0);
  let n = 0;
  for (const _ of arrayIndices(spec)) n++;
  return n;
}

/** SLURM_ARRAY_TASK_MIN */
export function arrayMin(spec: ArraySpec): number {
  return spec.ranges.reduce((m, r) => Math.min(m, r.start), Infinity);
}

/** SLURM_ARRAY_TASK_MAX */
export function arrayMax(spec: ArraySpec): number {
  return spec.ranges.reduce((m, r) => Math.max(m, lastOf(r)), -Infinity);
}

/** SLURM_ARRAY_TASK_STEP: the number after the first `:` in the specification, else 1. */
export function arrayStep(spec: ArraySpec): number {
  return spec.ranges.find((r) => r.stepGiven)?.step ?? 1;
}

export function arrayIncludes(spec: ArraySpec, index: number): boolean {
  return spec.ranges.some((r) => index >= r.start && index <= r.end && (index - r.start) % r.step === 0);
}

/**
 * The index set as scontrol `ArrayTaskId=` and squeue `%K`/`%i` show it for the pending tasks: one
 * arithmetic progression of more than 5 indices spanning more than 10 with a gap > 1 is `first-last:step`
 * (`0-998:2`); anything else is runs of consecutive indices (`0,4,8,12`, `1-3,5`), cut to
 * `bitstrLen` characters with `...` (SLURM_BITSTR_LEN, default 64; 0 = no limit); `%K` appended.
 */
export function formatArrayIndexSet(spec: ArraySpec, bitstrLen = 64): string {
  const throttle = spec.throttle > 0 ? `%${spec.throttle}` : '';
  const progression = asProgression(spec);
  if (progression) return progression + throttle;
  const limit = bitstrLen > 0 ? bitstrLen : Infinity;
  let out = '';
  let runStart = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (runStart < 0) return;
    out += (out ? ',' : '') + (runStart === runEnd ? `${runStart}` : `${runStart}-${runEnd}`);
  };
  for (const [from, to] of runsOf(spec)) {
    if (from === runEnd + 1 && runStart >= 0) {
      runEnd = to;
      continue;
    }
    flush();
    runStart = from;
    runEnd = to;
    if (out.length > limit) break;
  }
  if (out.length <= limit) flush();
  if (out.length > limit - 3) out = `${out.slice(0, limit - 4)}...`;
  return out + throttle;
}

/**
 * The indices in ascending runs [from, to]. Ranges that are ascending and
 * disjoint (the usual case) give a consecutive range as one run, so a
 * 100,000-task array is not walked index by index.
 */
function* runsOf(spec: ArraySpec): Generator<[number, number], void, undefined> {
  const rs = spec.ranges;
  const disjoint = rs.every((r, i) => i === 0 || r.start > lastOf(rs[i - 1]!));
  if (!disjoint) {
    for (const i of arrayIndices(spec)) yield [i, i];
    return;
  }
  for (const r of rs) {
    if (r.step === 1) yield [r.start, lastOf(r)];
    else for (let i = r.start; i <= r.end && i >= r.start; i += r.step) yield [i, i];
  }
}

function asProgression(spec: ArraySpec): string | null {
  if (spec.ranges.length === 0) return null;
  const only = spec.ranges.length === 1 ? spec.ranges[0]! : undefined;
  if (only) {
    // one range is its own progression: no need to walk it
    const last = lastOf(only);
    const n = Math.floor((only.end - only.start) / only.step) + 1;
    return n > 5 && last - only.start > 10 && only.step > 1 ? `${only.start}-${last}:${only.step}` : null;
  }
  const first = arrayMin(spec);
  const last = arrayMax(spec);
  if (last - first <= 10 || arrayIncludes(spec, first + 1)) return null;
  let count = 0;
  let step = 0;
  let prev = first;
  for (const i of arrayIndices(spec)) {
    count++;
    if (i === first) continue;
    if (step === 0) step = i - prev;
    else if (i - prev !== step) return null;
    prev = i;
  }
  return count > 5 ? `${first}-${last}:${step}` : null;
}

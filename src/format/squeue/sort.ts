/**
 * squeue's order: `--sort` keys (default `P,t,-p`: partition, compact state,
 * priority highest first), each ascending unless prefixed with `-`. Ties keep
 * slurmctld's own order (the `ord` field: newest submission first, an array's
 * tasks in the order they were split off); asked for a single job, squeue
 * gets an array's records newest first instead.
 */
import { expandHostlist, strnatcmp } from '../../spec/values/index.js';
import { COMPACT_STATE, timeUsed, type Row } from './fields.js';

type Key = (r: Row, now: number) => number | string;

const INFINITE = 0xffffffff;
const NO_TASK = 0x3fffff;

const limitOf = (r: Row) => (r.job.get('r.timeLimit') === 'UNLIMITED' ? INFINITE : r.job.num('r.timeLimit'));
const firstNode = (r: Row) => {
  const nodes = r.job.get('nodes');
  const list = nodes ? expandHostlist(nodes) : undefined;
  return list?.ok ? [...list.value].sort(strnatcmp)[0] ?? '' : '';
};

/** The sort letters squeue knows (those it accepts but ignores map to null). */
const KEYS: Record<string, Key | null> = {
  // array tasks: their array's id, then the task index
  i: (r) => (r.job.num('r.arrayJobId') || r.job.id) * 2 ** 22 + (r.task ?? NO_TASK),
  j: (r) => r.job.get('r.name'),
  t: (r) => COMPACT_STATE[r.state] ?? r.state,
  T: (r) => r.state,
  p: (r) => r.job.num('priority'),
  Q: (r) => r.job.num('priority'),
  P: (r) => r.job.get('r.partition'),
  u: (r) => r.job.get('r.user'),
  U: (r) => r.job.num('r.uid'),
  M: (r, now) => timeUsed(r, now),
  l: limitOf,
  L: (r, now) => (limitOf(r) === INFINITE ? INFINITE : limitOf(r) * 60 - timeUsed(r, now)),
  S: (r) => r.job.num('start') || r.job.num('eligible'),
  e: (r) => r.job.num('end'),
  V: (r) => r.job.num('submit') || r.job.num('r.submit'),
  D: (r) => r.job.num('nnodes') || r.job.num('r.nodes'),
  C: (r) => r.job.num('cpus') || r.job.num('r.minCpus'),
  N: firstNode,
  B: (r) => r.job.get('batchHost'),
  g: (r) => r.job.get('r.group'),
  G: (r) => r.job.num('r.gid'),
  m: (r) => r.job.num('r.mem'),
  d: (r) => r.job.num('r.tmp'),
  c: null, f: null, h: null, n: null, O: null, b: null,
};

/** The hash fields the sort keys of a spec read (so a listing fetches them). */
export const SORT_USES: Record<string, string[]> = {
  i: ['r.arrayJobId'], j: ['r.name'], p: ['priority'], Q: ['priority'], P: ['r.partition'], u: ['r.user'], U: ['r.uid'],
  M: ['start', 'end'], l: ['r.timeLimit'], L: ['r.timeLimit', 'start', 'end'], S: ['start', 'eligible'], e: ['end'],
  V: ['submit', 'r.submit'], D: ['nnodes', 'r.nodes'], C: ['cpus', 'r.minCpus'], N: ['nodes'], B: ['batchHost'],
  g: ['r.group'], G: ['r.gid'], m: ['r.mem'], d: ['r.tmp'],
};

export interface SortSpec {
  keys: { key: Key; reverse: boolean; letter: string }[];
}

export type SortResult = { ok: true; spec: SortSpec } | { ok: false; letter: string };

/** `P,t,-p`-style text into keys, or the first letter squeue does not know. */
export function parseSort(text: string): SortResult {
  const keys: SortSpec['keys'] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ',' || c === '+' || c === '-') continue;
    if (!(c in KEYS)) return { ok: false, letter: c };
    const key = KEYS[c];
    if (key) keys.push({ key, reverse: i > 0 && text[i - 1] === '-', letter: c });
  }
  return { ok: true, spec: { keys } };
}

/** Rows in squeue's order; `newestFirst` for a single requested job (its array's records newest first). */
export function sortRows(rows: Row[], spec: SortSpec, now: number, newestFirst: boolean): Row[] {
  // Each key becomes non-negative integers (strings: their rank among the values present; `-`: mirrored),
  // then neighbouring keys are packed into one number while it stays exact (< 2^53). Listings run to tens
  // of thousands of rows: usually everything, row index included, fits one number and a native numeric
  // sort does the work; otherwise the packed columns are compared in turn.
  const n = rows.length;
  const columns: { values: Float64Array; range: number }[] = [];
  for (const key of spec.keys) columns.push(integersOf(rows.map((r) => key.key(r, now)), key.reverse));
  // ties: slurmctld's list order
  columns.push(integersOf(rows.map((r) => r.job.num('ord')), newestFirst));
  const packed = pack(columns, n);
  if (packed.length === 1 && packed[0]!.range * n <= 2 ** 53) {
    const v = packed[0]!.values;
    const keyed = new Float64Array(n);
    for (let j = 0; j < n; j++) keyed[j] = v[j]! * n + j;
    keyed.sort();
    const out = new Array<Row>(n);
    for (let j = 0; j < n; j++) out[j] = rows[keyed[j]! - Math.floor(keyed[j]! / n) * n]!;
    return out;
  }
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => {
    for (const c of packed) {
      const d = c.values[a]! - c.values[b]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
  return order.map((j) => rows[j]!);
}

/** One key's values as integers from 0, and how many values the range holds. */
function integersOf(raw: (number | string)[], reverse: boolean): { values: Float64Array; range: number } {
  const n = raw.length;
  const values = new Float64Array(n);
  if (n === 0) return { values, range: 1 };
  let strings = false;
  for (let j = 0; j < n && !strings; j++) strings = typeof raw[j] === 'string';
  if (strings) {
    const rank = new Map<string, number>();
    for (let j = 0; j < n; j++) rank.set(String(raw[j]), 0);
    [...rank.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).forEach((v, r) => rank.set(v, r));
    for (let j = 0; j < n; j++) values[j] = rank.get(String(raw[j]))!;
  } else {
    for (let j = 0; j < n; j++) {
      const v = raw[j] as number;
      values[j] = Number.isFinite(v) ? v : 0;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let j = 0; j < n; j++) {
    const v = values[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  for (let j = 0; j < n; j++) values[j] = reverse ? max - values[j]! : values[j]! - min;
  // fractional values cannot be packed: an infinite range keeps them in a column of their own
  return { values, range: integral ? max - min + 1 : Infinity };
}

/** Neighbouring columns multiplied together while the result stays an exact integer. */
function pack(columns: { values: Float64Array; range: number }[], n: number): { values: Float64Array; range: number }[] {
  const out: { values: Float64Array; range: number }[] = [];
  for (const c of columns) {
    const last = out[out.length - 1];
    if (last && last.range * c.range <= 2 ** 53) {
      const v = new Float64Array(n);
      for (let j = 0; j < n; j++) v[j] = last.values[j]! * c.range + c.values[j]!;
      out[out.length - 1] = { values: v, range: last.range * c.range };
    } else {
      out.push({ values: Float64Array.from(c.values), range: c.range });
    }
  }
  return out;
}

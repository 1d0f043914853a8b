/**
 * squeue's order: `--sort` keys (default `P,t,-p`: partition, compact state,
 * priority highest first), each ascending unless prefixed with `-`. Ties keep
 * slurmctld's own order (the `ord` field: newest submission first, an array's
 * tasks in the order they were split off); asked for a single job, squeue
 * gets an array's records newest first instead.
 */
import { expandHostlist, strnatcmp } from '../../job/values/index.js';
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
  // Listings run to tens of thousands of rows, and squeue runs once: its loops run cold, so the
  // work is done in as few passes as possible. Pass 1 reads every key of every row (strings get an
  // id in order of appearance); then string ids become ranks; pass 2 turns each row's keys into one
  // exact integer (keys mixed-radix, row index last) when it fits 2^53, and a native numeric sort
  // orders them. Otherwise the keys are compared in turn.
  const n = rows.length;
  const keys: { key: Key; reverse: boolean }[] = [...spec.keys, { key: (r) => r.job.num('ord'), reverse: newestFirst }];
  const k = keys.length;
  const raw = new Float64Array(n * k);
  const ids: (Map<string, number> | undefined)[] = keys.map(() => undefined);
  const min = new Float64Array(k).fill(Infinity);
  const max = new Float64Array(k).fill(-Infinity);
  let integral = true;
  for (let j = 0; j < n; j++) {
    const r = rows[j]!;
    for (let i = 0; i < k; i++) {
      const v = keys[i]!.key(r, now);
      let x: number;
      if (typeof v === 'string') {
        const m = (ids[i] ??= new Map());
        x = m.get(v) ?? m.size;
        if (x === m.size) m.set(v, x);
      } else {
        x = Number.isFinite(v) ? v : 0;
        if (x < min[i]!) min[i] = x;
        if (x > max[i]!) max[i] = x;
        if (integral && !Number.isInteger(x)) integral = false;
      }
      raw[j * k + i] = x;
    }
  }
  // a key that gave strings and numbers both: compare it as text, as squeue would print it
  for (let i = 0; i < k; i++) if (ids[i] && min[i]! <= max[i]!) textKey(rows, keys[i]!.key, now, raw, k, i, ids);
  // per key: rank of each value (string ids through their sorted order), and how many there can be
  const ranks: (Float64Array | undefined)[] = ids.map((m) => {
    if (!m) return undefined;
    const rank = new Float64Array(m.size);
    [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).forEach((v, r) => (rank[m.get(v)!] = r));
    return rank;
  });
  const range = keys.map((_, i) => (ranks[i] ? Math.max(1, ranks[i]!.length) : n === 0 ? 1 : max[i]! - min[i]! + 1));
  const total = range.reduce((a, b) => a * b, n || 1);
  const value = (j: number, i: number): number => {
    const x = ranks[i] ? ranks[i]![raw[j * k + i]!]! : raw[j * k + i]! - min[i]!;
    return keys[i]!.reverse ? range[i]! - 1 - x : x;
  };
  if (integral && total <= 2 ** 53) {
    const keyed = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let i = 0; i < k; i++) c = c * range[i]! + value(j, i);
      keyed[j] = c * n + j;
    }
    keyed.sort();
    const out = new Array<Row>(n);
    for (let j = 0; j < n; j++) out[j] = rows[keyed[j]! % n]!;
    return out;
  }
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => {
    for (let i = 0; i < k; i++) {
      const d = value(a, i) - value(b, i);
      if (d !== 0) return d;
    }
    return a - b;
  });
  return order.map((j) => rows[j]!);
}

/** Key `i` again, every value as text (its numbers as squeue would print them). */
function textKey(rows: Row[], key: Key, now: number, raw: Float64Array, k: number, i: number, ids: (Map<string, number> | undefined)[]): void {
  const m = new Map<string, number>();
  rows.forEach((r, j) => {
    const v = String(key(r, now));
    const x = m.get(v) ?? m.size;
    if (x === m.size) m.set(v, x);
    raw[j * k + i] = x;
  });
  ids[i] = m;
}

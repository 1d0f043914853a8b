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
  // Every key is turned into numbers once (strings into their rank among the values
  // present), so comparisons are numeric: listings run to tens of thousands of rows.
  const n = rows.length;
  const k = spec.keys.length + 1;
  const values = new Float64Array(n * k);
  spec.keys.forEach((key, i) => {
    const raw = rows.map((r) => key.key(r, now));
    const sign = key.reverse ? -1 : 1;
    if (raw.some((v) => typeof v === 'string')) {
      const distinct = [...new Set(raw.map(String))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const rank = new Map(distinct.map((v, r) => [v, r]));
      raw.forEach((v, j) => (values[j * k + i] = sign * rank.get(String(v))!));
    } else {
      raw.forEach((v, j) => (values[j * k + i] = sign * (v as number)));
    }
  });
  // ties: slurmctld's list order
  rows.forEach((r, j) => (values[j * k + k - 1] = (newestFirst ? -1 : 1) * r.job.num('ord')));
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => {
    for (let i = 0; i < k; i++) {
      const d = values[a * k + i]! - values[b * k + i]!;
      if (d !== 0) return d;
    }
    return 0;
  });
  return order.map((j) => rows[j]!);
}

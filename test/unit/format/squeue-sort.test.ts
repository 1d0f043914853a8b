import { describe, expect, it } from 'vitest';
import { Listed, type Row } from '../../../src/format/squeue/fields.js';
import { parseSort, sortRows } from '../../../src/format/squeue/sort.js';
import { rng } from '../../helpers/rng.js';

const FIELDS = ['r.partition', 'priority', 'ord', 'r.name', 'r.mem', 'submit'];
const STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'CANCELLED'];

/** Random rows; `wide` spreads numbers over ranges too large to pack into one number. */
function rowsOf(r: () => number, n: number, wide: boolean): Row[] {
  const index = new Map(['id', ...FIELDS].map((f, i) => [f, i]));
  const big = (max: number) => Math.floor(r() * (wide ? 2 ** 32 : max));
  const lines = Array.from({ length: n }, (_, i) =>
    [1000 + i, ['h100', 'a100', 'cpu'][big(3) % 3], big(50), -big(1e6), `job${big(7) % 7}`, big(4) * 1024, 1.8e9 + big(100)].join('\x1f'));
  return Listed.fromLines(lines, index).map((job) => ({ job, idText: String(job.id), arrayTaskText: 'N/A', state: STATES[big(4) % 4]! }));
}

/** The obvious comparator, key after key, then the list order. */
function reference(rows: Row[], sort: string, newestFirst: boolean): Row[] {
  const spec = parseSort(sort);
  if (!spec.ok) throw new Error(sort);
  const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => {
    for (const k of spec.spec.keys) {
      const d = cmp(k.key(a, 0), k.key(b, 0));
      if (d !== 0) return k.reverse ? -d : d;
    }
    return (newestFirst ? -1 : 1) * (a.job.num('ord') - b.job.num('ord'));
  });
}

describe('squeue --sort', () => {
  it.each(['P,t,-p', 'j', '-j,P', 'm,-V', 'T,-m,j', 't', '-i'])('%s orders rows as the plain comparator does', (sort) => {
    const r = rng(sort.length * 7919);
    for (const wide of [false, true]) {
      for (const n of [0, 1, 2, 50, 2000]) {
        const rows = rowsOf(r, n, wide);
        const spec = parseSort(sort);
        if (!spec.ok) throw new Error(sort);
        for (const newest of [false, true]) {
          expect(sortRows(rows, spec.spec, 0, newest).map((x) => x.job.id)).toEqual(reference(rows, sort, newest).map((x) => x.job.id));
        }
      }
    }
  });
});

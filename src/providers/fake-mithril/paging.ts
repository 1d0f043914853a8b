/**
 * Cursor pagination as the API does it: `limit` rows, and a `next_cursor`
 * that goes back in as the query parameter of the same name (null on the
 * last page). The cursor is the sort key of the last row given, so rows
 * added or removed between pages neither repeat nor vanish.
 */
import { Problem } from './market.js';

export type SortKey = (string | number)[];

function compare(a: SortKey, b: SortKey): number {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const encode = (key: SortKey) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decode(cursor: string): SortKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.every((k) => typeof k === 'string' || typeof k === 'number')) return key;
  } catch {
    // below
  }
  throw new Problem(400, 'Invalid cursor');
}

export function page<T>(items: readonly T[], key: (x: T) => SortKey, dir: 'asc' | 'desc', limit: number, cursor: string | undefined): { data: T[]; next_cursor: string | null } {
  const sign = dir === 'asc' ? 1 : -1;
  const keyed = items.map((x) => ({ x, k: key(x) })).sort((a, b) => sign * compare(a.k, b.k));
  const after = cursor !== undefined ? decode(cursor) : null;
  const rest = after === null ? keyed : keyed.filter((e) => sign * compare(e.k, after) > 0);
  const data = rest.slice(0, limit);
  const last = data[data.length - 1];
  return { data: data.map((e) => e.x), next_cursor: rest.length > limit && last ? encode(last.k) : null };
}

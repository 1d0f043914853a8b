import { describe, expect, it } from 'vitest';
import {
  compressHostlist, compressHostlistExpression, compressHostlistSorted, expandHostlist, strnatcmp,
} from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: `scontrol show hostnames|hostlist|hostlistsorted
// <expr>`, and libslurm's hostlist_create/shift/ranged_string/sort on 8,000 random expressions and
// 5,000 random name lists (no difference).
describe('hostlists', () => {
  it.each([
    ['n[01-03],m1', 'n01 n02 n03 m1', 'n[01-03],m1', 'm1,n[01-03]'],
    ['n3,n1,n2', 'n3 n1 n2', 'n[3,1-2]', 'n[1-3]'],
    ['n1,n2,n3,n5,m1', 'n1 n2 n3 n5 m1', 'n[1-3,5],m1', 'm1,n[1-3,5]'],
    ['node001,node002,node010', 'node001 node002 node010', 'node[001-002,010]', 'node[001-002,010]'],
    ['n[1,01]', 'n1 n01', 'n[1,01]', 'n[1,01]'],
    ['n3,n1,n2,n1', 'n3 n1 n2 n1', 'n[3,1-2,1]', 'n[1,1-3]'],
    ['rack[1-2]-node[1-2]', 'rack1-node1 rack1-node2 rack2-node1 rack2-node2', 'rack1-node[1-2],rack2-node[1-2]', 'rack1-node[1-2],rack2-node[1-2]'],
    ['a[1-2]b[1-2]c[1-2]', 'a1b1c1 a1b1c2 a2b1c1 a2b1c2 a1b2c1 a1b2c2 a2b2c1 a2b2c2', 'a1b1c[1-2],a2b1c[1-2],a1b2c[1-2],a2b2c[1-2]', 'a1b1c[1-2],a1b2c[1-2],a2b1c[1-2],a2b2c[1-2]'],
    ['n[1-10]', 'n1 n2 n3 n4 n5 n6 n7 n8 n9 n10', 'n[1-10]', 'n[1-10]'],
    ['n[009-011]', 'n009 n010 n011', 'n[009-011]', 'n[009-011]'],
    ['n1 n2\tn3', 'n1 n2 n3', 'n[1-3]', 'n[1-3]'],
    ['a,,b', 'a b', 'a,b', 'a,b'],
    ['n[1-2],n[2-3]', 'n1 n2 n2 n3', 'n[1-2,2-3]', 'n[1-2,2-3]'],
    ['[1-2]', '1 2', '[1-2]', '[1-2]'],
    ['x]y', 'x]y', 'x]y', 'x]y'],
    ['n1-2', 'n1-2', 'n1-2', 'n1-2'],
    ['n[2-]', 'n2', 'n2', 'n2'],
    ['n[ 1-2]', 'n01 n02', 'n[01-02]', 'n[01-02]'], // the blank counts in the width
    ['n[1 -2]', 'n01 n02', 'n[01-02]', 'n[01-02]'],
    ['n[1, 2]', 'n1 n02', 'n[1,02]', 'n[1,02]'],
    ['n[+1-2]', 'n01 n02', 'n[01-02]', 'n[01-02]'],
    ['n[1-3', 'n]', 'n]', 'n]'], // 22.05 "fixes" a missing ']'
    ['n[1-2]a[3', 'n[1-2]a]', 'n[1-2]a]', 'n[1-2]a]'],
    ['m[3,n[1-2]', 'm[3,n1 m[3,n2', 'm[3,n[1-2]', 'm[3,n[1-2]'],
    ['n[1-3 m1', 'n] m1', 'n],m1', 'm1,n]'],
    ['b9[08-11]', 'b908 b909 b910 b911', 'b9[08-11]', 'b9[08-11]'],
    ['gpu[1-4]', 'gpu1 gpu2 gpu3 gpu4', 'gpu[1-4]', 'gpu[1-4]'],
    ['n9,n10,n11', 'n9 n10 n11', 'n[9-11]', 'n[9-11]'],
    ['n08,n09,n10', 'n08 n09 n10', 'n[08-10]', 'n[08-10]'],
    ['n10,n9,n11,n01', 'n10 n9 n11 n01', 'n[10,9,11,01]', 'n[9,01,10-11]'],
    ['a1,b1,a2', 'a1 b1 a2', 'a1,b1,a2', 'a[1-2],b1'],
    // a failure in a nested prefix bracket loses only those hosts (scontrol still logs the range error)
    ['n[1-2],z9[][1-2]-node[1-2][8-11]', 'n1 n2', 'n[1-2]', 'n[1-2]'],
  ])('%j: hostnames %j, hostlist %j, hostlistsorted %j', (expr, names, list, sorted) => {
    const expanded = expandHostlist(expr);
    expect(expanded).toEqual({ ok: true, value: names.split(' ') });
    expect(compressHostlistExpression(expr)).toEqual({ ok: true, value: list });
    expect(compressHostlistExpression(expr, { sorted: true })).toEqual({ ok: true, value: sorted });
  });

  it('compresses plain name lists like scontrol show hostlist', () => {
    expect(compressHostlist(['n3', 'n1', 'n2'])).toBe('n[3,1-2]');
    expect(compressHostlist(['gpu1', 'gpu2', 'gpu3', 'gpu4'])).toBe('gpu[1-4]');
    expect(compressHostlist(['vm'])).toBe('vm');
    expect(compressHostlist([])).toBe('');
    expect(compressHostlistSorted(['n3', 'n1', 'n2', 'n1'])).toBe('n[1,1-3]');
    expect(compressHostlistSorted(['gpu10', 'gpu9', 'gpu1'])).toBe('gpu[1,9-10]');
  });

  it('[ alone is an empty name', () => expect(expandHostlist('[')).toEqual({ ok: true, value: [''] }));
  it('empty expression', () => expect(expandHostlist('')).toEqual({ ok: true, value: [] }));

  // scontrol: stderr `scontrol: error: <log>` then `Invalid hostlist: <expr>`; show hostnames exits 0,
  // show hostlist exits 1. sbatch -w: `sbatch: error: <log>` + `sbatch: error: memory allocation failure`, exit 1.
  it.each([
    ['n[3-1]', "_parse_single_range: Invalid range: `3-1'"],
    ['n[a-b]', "_parse_single_range: Invalid range: `a-b'"],
    ['n[]', "_parse_single_range: Invalid range: `'"],
    ['n[-2]', "_parse_single_range: Invalid range: `-2'"],
    ['n[1-2-3]', "_parse_single_range: Invalid range: `1-2-3'"],
    ['n[1-2 ]', "_parse_single_range: Invalid range: `1-2 '"],
    ['n[1x]', "_parse_single_range: Invalid range: `1x'"],
    ['n[0-99999]', "_parse_single_range: Too many hosts in range `0-99999'"],
    ['n[0-65536]', "_parse_single_range: Too many hosts in range `0-65536'"],
    ['n[1-3]x', null], // 22.05: nothing may follow the last ']'
    ['n[1-2]]', null],
    ['a[1-2]b[3-4]c', null],
    ['a[0-65535,0-1]b[1]', null], // more than 65536 prefixes
  ])('%j: Invalid hostlist (log %j)', (expr, log) => {
    const r = expandHostlist(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe(`Invalid hostlist: ${expr}`);
      expect(r.error.log).toEqual(log === null ? undefined : [log]);
    }
    expect(compressHostlistExpression(expr).ok).toBe(false);
  });

  it('allows 65536 hosts in one range', () => {
    const r = expandHostlist('n[0-65535]');
    expect(r.ok && r.value.length).toBe(65536);
  });

  it('pathological expressions end, without throwing', () => {
    // 65536 nested prefixes that all fail (Slurm swallows each failure): no hosts
    expect(expandHostlist('rack[1-\v]-no99[0-65535][001-004]')).toEqual({ ok: true, value: [] });
    // Slurm would try to build 65536 x 65536 names; refused here beyond 2^20 hosts
    expect(expandHostlist('[0-65535]x[0-65535]y[1]').ok).toBe(false);
    expect(expandHostlist('n[0-99999999999999999999]').ok).toBe(false); // numbers beyond 2^53
  });

  it('strnatcmp orders numbers naturally', () => {
    expect(['n10', 'n9', 'n1', 'm2'].sort(strnatcmp)).toEqual(['m2', 'n1', 'n9', 'n10']);
  });
});

import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../grammar/values/lexer.js';
import { ScanStop, valueParser } from '../../../grammar/values/parsers/index.js';
import { plainGres, plainMemory, plainTime } from '../../../grammar/values/plain.js';
import type { ValueMode } from '../../../grammar/values/tokens.js';

// The plain-value shortcuts (grammar/values/plain.ts) must give exactly what the grammar gives, field
// order included, for every value they accept; anything else they must leave to the grammar.

/** What the grammar makes of `text`: its value, or a marker for an error. */
function grammar(mode: ValueMode, rule: string, text: string): unknown {
  const p = valueParser(mode);
  p.prepare(text);
  p.input = tokenize(mode, text).tokens;
  try {
    const value = (p as unknown as Record<string, () => unknown>)[rule]!();
    return p.errors.length > 0 ? 'error' : value;
  } catch (e) {
    if (e instanceof ScanStop) return 'error';
    throw e;
  }
}

/** Values built from the kind's pieces (all combinations up to `depth` pieces) and random mixes. */
function values(pieces: string[], depth: number, random: number): string[] {
  let level = [''];
  const out = new Set<string>(level);
  for (let d = 0; d < depth; d++) {
    level = level.flatMap((v) => pieces.map((p) => v + p));
    for (const v of level) out.add(v);
  }
  let seed = 11;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < random; i++) {
    let v = '';
    for (let n = 1 + Math.floor(rnd() * 8); n > 0; n--) v += pieces[Math.floor(rnd() * pieces.length)];
    out.add(v);
  }
  return [...out];
}

const ODD = [' ', '\t', '+', '-', ',', '.', '\u00e9', '\0'];

const cases: [string, ValueMode, string, (text: string) => unknown, string[], number, number][] = [
  ['time', 'time', 'timeLimit', plainTime, ['0', '1', '12', '007', '99999999999', ':', '-', 'a', 'UNLIMITED', ...ODD], 3, 20_000],
  ['memory', 'memory', 'memory', plainMemory, ['0', '4', '64', '999999999999999999999', 'k', 'K', 'm', 'G', 'g', 't', 'T', 'b', 'B', 'x', 'P', ...ODD], 3, 20_000],
  ['gres', 'gres', 'gres', plainGres, ['gpu', 'h100', 'a', '1', '8', '16G', '2k', ':', ',', 'gpu:', 'mps', '_', 'x1y', ...ODD], 3, 20_000],
];

describe('plain values', () => {
  for (const [name, mode, rule, plain, pieces, depth, random] of cases) {
    it(`${name}: gives the grammar's syntax for every value it takes`, () => {
      let taken = 0;
      for (const text of values(pieces, depth, random)) {
        const shortcut = plain(text);
        if (shortcut === undefined) continue;
        taken++;
        // JSON keeps the field order, which toEqual would not check
        expect(JSON.stringify(shortcut), `${name} ${JSON.stringify(text)}`).toBe(JSON.stringify(grammar(mode, rule, text)));
      }
      expect(taken).toBeGreaterThan(200); // the shortcut is exercised
    });
  }

  it('takes the common shapes and leaves the rest to the grammar', () => {
    expect(plainTime('01:30:00')).toEqual({ kind: 'clock', a: '01', b: '30', c: '00' });
    expect(plainTime('90')).toEqual({ kind: 'clock', a: '90', b: null, c: null });
    expect(plainTime('2-12:30')).toEqual({ kind: 'days', lead: false, d: '2', h: '12', m: '30', s: null });
    for (const t of ['', 'infinite', '-1', '1-', '1:2:3:4', ' 5', '1-2-3']) expect(plainTime(t), t).toBeUndefined();
    expect(plainMemory('64GB')).toEqual({ num: { neg: false, digits: '64', offset: 0 }, unit: 'G', byte: true });
    expect(plainMemory('4000')).toEqual({ num: { neg: false, digits: '4000', offset: 0 }, unit: null, byte: false });
    for (const t of ['', '1B', '-4G', ' 4G', '+4', '1.5G', '4P']) expect(plainMemory(t), t).toBeUndefined();
    expect(plainGres('gpu:h100:8')).toEqual([{
      offset: 0,
      text: 'gpu:h100:8',
      fields: [
        { text: 'gpu', offset: 0, count: null, hasColon: false },
        { text: 'h100', offset: 4, count: null, hasColon: false },
        { text: '8', offset: 9, count: { digits: '8', suffix: '' }, hasColon: false },
      ],
    }]);
    for (const t of ['', 'gpu:1,mps:2', 'gpu:', 'a:b:c:d', 'gpu:1(S:0)']) expect(plainGres(t), t).toBeUndefined();
  });
});

/**
 * Padding and cutting by bytes (src/format/bytes.ts): what the golden utf8
 * scenario checks against real Slurm end to end, here as properties of the
 * pure functions over random strings: a cut is the string's first N bytes,
 * exactly, when written out; padding fills to N bytes.
 */
import { describe, expect, it } from 'vitest';
import { byteWidth, cutBytes, fitBytes, outputBytes } from '../../../src/format/bytes.js';
import { rng } from '../../helpers/rng.js';

const ALPHABET = ['a', 'Z', ' ', 'é', 'ñ', '€', '日', '本', 'ジ', '😀', '\u00a0'];

function randomText(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

describe('bytes', () => {
  it('cuts to exactly the first N bytes, also inside a character', () => {
    const next = rng(7);
    for (let k = 0; k < 2000; k++) {
      const s = randomText(next);
      const n = Math.floor(next() * 30);
      const utf8 = Buffer.from(s);
      expect(outputBytes(cutBytes(s, n))).toEqual(utf8.subarray(0, Math.min(n, utf8.length)));
      expect(byteWidth(cutBytes(s, n))).toBe(Math.min(n, utf8.length));
    }
  });

  it('pads to N bytes on the left or right, and leaves longer values whole when told not to cut', () => {
    const next = rng(11);
    for (let k = 0; k < 2000; k++) {
      const s = randomText(next);
      const n = 1 + Math.floor(next() * 30);
      const len = Buffer.byteLength(s);
      const right = next() < 0.5;
      const out = outputBytes(fitBytes(s, n, right));
      expect(out.length).toBe(n);
      if (len <= n) expect(out.toString()).toBe(right ? ' '.repeat(n - len) + s : s + ' '.repeat(n - len));
      expect(fitBytes(s, n, right, false)).toBe(len > n ? s : fitBytes(s, n, right));
    }
  });

  it('writes text without cut characters as plain UTF-8', () => {
    expect(outputBytes('héllo 日本 😀')).toEqual(Buffer.from('héllo 日本 😀'));
    expect(byteWidth('héllo')).toBe(6);
  });
});

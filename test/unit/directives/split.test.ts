import { describe, expect, it } from 'vitest';
import { splitDirective, splitWithGrammar } from '../../../grammar/directives/index.js';

const words = (text: string) => {
  const r = splitDirective(text);
  return r.ok ? r.words.map((w) => [w.text, w.raw, w.offset]) : r.error;
};

describe('splitDirective', () => {
  it('splits plain words at blanks, with their offsets', () => {
    expect(words(' --time=1:00\t-N 2 ')).toEqual([['--time=1:00', '--time=1:00', 1], ['-N', '-N', 13], ['2', '2', 16]]);
    expect(words('\v-a\f-b\r-c')).toEqual([['-a', '-a', 1], ['-b', '-b', 4], ['-c', '-c', 7]]);
    expect(words('')).toEqual([]);
    expect(words(' \t ')).toEqual([]);
  });

  it('ends the line at an unquoted #, even inside a word', () => {
    expect(words(' -J a#b c')).toEqual([['-J', '-J', 1], ['a', 'a', 4]]);
    expect(words(' -J x # "unclosed')).toEqual([['-J', '-J', 1], ['x', 'x', 4]]);
    expect(words('#all comment')).toEqual([]);
  });

  it('removes quotes and escapes (the grammar path)', () => {
    expect(words(' -J "a b"c \'d e\'')).toEqual([['-J', '-J', 1], ['a bc', '"a b"c', 4], ['d e', "'d e'", 11]]);
    expect(words(' -J a\\#b "#"')).toEqual([['-J', '-J', 1], ['a#b', 'a\\#b', 4], ['#', '"#"', 9]]);
    expect(words(' a\\ b')).toEqual([['a', 'a', 1], ['b', 'b', 4]]);
    expect(words(' a\\')).toEqual([['a', 'a\\', 1]]);
  });

  it('reports an unmatched quote with the rest sbatch echoes', () => {
    expect(words(' -J "abc')).toEqual({ quote: '"', offset: 4, rest: ' "abc' });
    expect(words(" x'y")).toEqual({ quote: "'", offset: 2, rest: "x'y" });
  });

  it('gives the grammar\'s answer for any line (20,000 random lines)', () => {
    const chars = [' ', '\t', '\v', '\f', '\r', '\n', '"', "'", '\\', '#', 'a', 'b', '-', '=', ':', '\u00e9', '\u0000', '\u001f', '\ud83d', '!', '$', '(', '[', ']', '~'];
    let seed = 3;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let plain = 0;
    for (let i = 0; i < 20_000; i++) {
      let line = '';
      for (let n = Math.floor(rnd() * 12); n > 0; n--) line += chars[Math.floor(rnd() * chars.length)];
      if (!/["'\\]/.test(line.split('#')[0]!)) plain++;
      expect(splitDirective(line), JSON.stringify(line)).toEqual(splitWithGrammar(line));
    }
    expect(plain).toBeGreaterThan(5_000); // the shortcut is exercised, not only the grammar
  });
});

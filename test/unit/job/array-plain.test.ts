import { describe, expect, it } from 'vitest';
import { arraySyntax } from '../../../grammar/values/index.js';
import { plainArrayPieces } from '../../../src/job/values/array.js';
import { rng } from '../../helpers/rng.js';

describe('plain --array specs read without the grammar', () => {
  it('give exactly the pieces the grammar gives', () => {
    const r = rng(42);
    const n = (): string => String(Math.floor(r() * (r() < 0.5 ? 20 : 1e6))).padStart(r() < 0.1 ? 3 : 0, '0');
    for (let i = 0; i < 5000; i++) {
      const pieces = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        let p = n();
        if (r() < 0.6) p += `-${n()}`;
        if (p.includes('-') && r() < 0.3) p += `:${n()}`;
        if (r() < 0.2) p += `%${n()}`;
        return p;
      });
      const text = pieces.join(',');
      const grammar = arraySyntax(text);
      expect(grammar.ok).toBe(true);
      expect(plainArrayPieces(text)).toEqual(grammar.ok ? grammar.value : undefined);
    }
  });

  it('leave everything else to the grammar', () => {
    for (const text of ['', ',', '1,,2', '[1-5]', ' 1', '+1', '-1', '1-', '1:2', '1%', '1-5%2%3', 'a', '1234567890']) {
      expect(plainArrayPieces(text)).toBeUndefined();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ValueParser } from '../../../grammar/values/parser.js';
import { valueLexer } from '../../../grammar/values/tokens.js';

describe('value grammar', () => {
  it("passes Chevrotain's grammar validations", () => {
    expect(() => new ValueParser(true)).not.toThrow();
  });

  it('lexes anything in every mode (the parser decides where input goes wrong)', () => {
    for (const mode of ['time', 'memory', 'cnum', 'date', 'array', 'dependency', 'hostlist', 'gres', 'export', 'signal', 'fname']) {
      const r = valueLexer.tokenize('a\u00e9\ud83d\ude00\0 ,:[]%\\"\'-+9', mode);
      expect(r.errors, mode).toEqual([]);
    }
  });
});

import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { kindLexer, LEXER_CONFIG, tokenize } from '../../../grammar/values/lexer.js';
import { parserClasses, ScanStop, valueParser } from '../../../grammar/values/parsers/index.js';
import type { ValueParserBase } from '../../../grammar/values/parsers/index.js';
import { modes } from '../../../grammar/values/tokens.js';
import type { ValueMode } from '../../../grammar/values/tokens.js';

const kinds = Object.keys(modes) as ValueMode[];

/** Each kind's start rules (what grammar/values/index.ts invokes). */
const START: Record<ValueMode, string[]> = {
  time: ['timeLimit'],
  memory: ['memory'],
  cnum: ['cnum'],
  date: ['dateTime'],
  array: ['arraySpec'],
  dependency: ['dependency'],
  hostlist: ['hostlist', 'hostRange'],
  gres: ['gres'],
  export: ['exportList'],
  signal: ['signalSpec'],
  fname: ['fnamePattern', 'fnameScontrol'],
};

/** Values of every kind, valid or not, and random mixes of their pieces (fixed seed). */
function inputs(): string[] {
  const valid = [
    '1-02:30:00', '90', 'infinite', '-1', '4G', '64GB', ' -5k', '2030-01-20T10:30:15', 'now+1hour', 'now-3days', '12/31/30', '10:30 PM',
    'teatime', '1-100%10', '[1,2-9:2]%3', 'afterok:1234:1235,afterany:1236', 'afterok:12_3+5?afterany:7_[1-3]', 'singleton', '12_*',
    'gpu[1-4],cpu[01-10]', 'a[1-2]b[3-4] c,d', 'x3-4', '05-07', 'gpu:h100:2', 'gpu:2,mps:100', "ALL,FOO='a,b',BAR=\"x\"", 'B:USR1@60',
    'RB:TERM@10', 'logs/%x-%A_%a.out', '%5j\\%N', '%%x%10a', '', ' ', '\u00e9\ud83d\ude00\0',
  ];
  const pieces = [...valid, '0', '7', '12', '59', ':', '-', '+', ',', '[', ']', '%', '%%', '\\', '@', '_', '*', '?', "'", '"', '.', '/', 'T', 'x', ' ', '\t', '\n', 'am', 'pm', 'k', 'B', 'R', '\u4e00'];
  let seed = 7;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const out = [...valid];
  for (let i = 0; i < 400; i++) {
    let s = '';
    for (let n = Math.floor(rnd() * 6); n >= 0; n--) s += pieces[Math.floor(rnd() * pieces.length)];
    out.push(s);
  }
  return out;
}

/** What `rule` makes of `text` on parser `p`: its value, the offset of its first error, or where it stopped. */
function outcome(p: ValueParserBase, mode: ValueMode, rule: string, text: string): unknown {
  p.prepare(text);
  p.input = tokenize(mode, text).tokens;
  try {
    const value = (p as unknown as Record<string, () => unknown>)[rule]!();
    const err = p.errors[0];
    return err ? { error: p.offsetOf(err.token), rule: err.name } : { value };
  } catch (e) {
    if (e instanceof ScanStop) return { stop: e.pos };
    throw e;
  }
}

describe('value grammars', () => {
  it('has one parser per lexer mode', () => {
    expect(Object.keys(parserClasses).sort()).toEqual([...kinds].sort());
  });

  // The runtime instances skip Chevrotain's validations (ambiguities, lookahead depth, duplicate DSL
  // indices…) to start fast; each kind's parser is built here with them on, with the same settings.
  for (const kind of kinds) {
    it(`${kind}: passes Chevrotain's grammar validations`, () => {
      expect(() => new parserClasses[kind]({ validate: true })).not.toThrow();
    });
    it(`${kind}: its lexer passes Chevrotain's lexer validations`, () => {
      expect(kindLexer(kind, { ...LEXER_CONFIG, skipValidations: false }).lexerDefinitionErrors).toEqual([]);
    });
  }

  it('lexes anything in every mode (the parser decides where input goes wrong)', () => {
    for (const kind of kinds) {
      const r = tokenize(kind, 'a\u00e9\ud83d\ude00\0 ,:[]%\\"\'-+9');
      expect(r.errors, kind).toEqual([]);
    }
  });

  // Each token states the characters it can start with (START_CHARS_HINT) so that a lexer is built
  // without analysing regexps: the first-character tables must be those Chevrotain's own analysis of
  // the patterns gives.
  it("gives every mode the first-character tables Chevrotain's own analysis gives", () => {
    type Tables = { charCodeToPatternIdxToConfig: Record<string, ({ tokenType: TokenType }[] | undefined)[]> };
    const names = (lexer: Lexer): string[][] =>
      Array.from((lexer as unknown as Tables).charCodeToPatternIdxToConfig['defaultMode']!, (configs) =>
        (configs ?? []).map((c) => c.tokenType.name),
      );
    for (const kind of kinds) {
      const unhinted = modes[kind].map((tok) => createToken({ name: tok.name, pattern: tok.PATTERN! }));
      const reference = new Lexer(unhinted, LEXER_CONFIG);
      expect(names(kindLexer(kind)), kind).toEqual(names(reference));
    }
  });

  // At run time all kinds lex through one Lexer and parse with one engine (monomorphic, fast), which
  // take over what each kind's own lexer and parser analysed: they must give the same results.
  it("lexes every mode through the shared lexer as the kind's own lexer does", () => {
    const shape = (r: ReturnType<Lexer['tokenize']>): unknown => [r.tokens.map((t) => [t.tokenType.name, t.startOffset, t.image]), r.errors.length];
    for (const kind of kinds) {
      const own = kindLexer(kind);
      for (const text of inputs()) {
        expect(shape(tokenize(kind, text)), `${kind} ${JSON.stringify(text)}`).toEqual(shape(own.tokenize(text)));
      }
    }
  });

  it("parses every kind with the engine as with the kind's own parser", () => {
    for (const kind of kinds) {
      const own = new parserClasses[kind]();
      const engine = valueParser(kind);
      for (const rule of START[kind]) {
        for (const text of inputs()) {
          for (const batch of kind === 'signal' ? [true, false] : [true]) {
            (own as { signalBatchAllowed?: boolean }).signalBatchAllowed = batch;
            engine.signalBatchAllowed = batch;
            expect(outcome(engine, kind, rule, text), `${kind}.${rule} ${JSON.stringify(text)}`).toEqual(outcome(own, kind, rule, text));
          }
        }
      }
    }
  });
});

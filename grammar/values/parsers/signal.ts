// Signals (--signal). Rules only: the meaning is src/spec/values.
import * as T from '../tokens.js';
import { vocabulary } from '../tokens.js';
import { CNumRules, ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass, WithCNum } from './base.js';
import type { SignalSyntax } from '../syntax.js';

/** The kind's rules as a mixin: SignalParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function SignalRules<B extends ParserClass<WithCNum>>(Base: B) {
  abstract class SignalRules extends Base {
    /** --signal: the `B` flag exists only for sbatch (Slurm asks "am I sbatch?"). */
    signalBatchAllowed = true;

    // ---- signal: [R|B|BR|RB][:]SIG[@secs] ------------------------------------------------------------------------------
    public signalSpec = this.RULE('signalSpec', (): SignalSyntax => {
      let reservation = false;
      let batch = false;
      let at: SignalSyntax['at'] = null;
      const letterIs = (c: string): boolean => {
        const tok = this.LA(1);
        return tok.tokenType === T.Letter && tok.image.toLowerCase() === c;
      };
      this.option(0, { MAX_LOOKAHEAD: 1, GATE: () => letterIs('r'), DEF: () => { this.consume(0, T.Letter); reservation = true; } });
      this.option(1, {
        MAX_LOOKAHEAD: 1,
        GATE: () => this.signalBatchAllowed && letterIs('b'),
        DEF: () => { this.consume(1, T.Letter); batch = true; },
      });
      this.option(2, {
        MAX_LOOKAHEAD: 1,
        GATE: () => this.signalBatchAllowed && letterIs('r'),
        DEF: () => { this.consume(2, T.Letter); reservation = true; },
      });
      this.option(3, { MAX_LOOKAHEAD: 1, DEF: () => this.consume(3, T.Colon) });
      const nameOffset = this.offsetOf(this.LA(1));
      this.many(0, { MAX_LOOKAHEAD: 1, DEF: () => this.consume(10, T.SignalNameChar) });
      const nameEnd = this.offsetOf(this.LA(1));
      this.option(4, () => {
        const sign = this.consume(4, T.At);
        const num = this.option(5, () => this.subrule(0, this.cnum)) ?? null;
        at = { num, offset: this.offsetOf(sign) };
      });
      return { reservation, batch, name: this.source.slice(nameOffset, nameEnd), nameOffset, at };
    });
  }
  return SignalRules;
}

export class SignalParser extends SignalRules(CNumRules(ValueParserBase)) {
  constructor(options?: BuildOptions) {
    super(vocabulary('signal'), options);
    this.performSelfAnalysis();
  }
}

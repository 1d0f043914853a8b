// Signals (--signal). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { onNextToken } from '../../dsl.js';
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
      this.option(0, onNextToken(() => { this.consume(0, T.Letter); reservation = true; }, () => this.letterNext('r')));
      this.option(1, onNextToken(() => { this.consume(1, T.Letter); batch = true; }, () => this.signalBatchAllowed && this.letterNext('b')));
      this.option(2, onNextToken(() => { this.consume(2, T.Letter); reservation = true; }, () => this.signalBatchAllowed && this.letterNext('r')));
      this.option(3, onNextToken(() => this.consume(3, T.Colon)));
      const nameOffset = this.offsetOf(this.LA(1));
      this.many(0, onNextToken(() => this.consume(10, T.SignalNameChar)));
      const nameEnd = this.offsetOf(this.LA(1));
      this.option(4, () => {
        const sign = this.consume(4, T.At);
        const num = this.option(5, () => this.subrule(0, this.cnum)) ?? null;
        at = { num, offset: this.offsetOf(sign) };
      });
      return { reservation, batch, name: this.source.slice(nameOffset, nameEnd), nameOffset, at };
    });

    /** Whether the next token is the letter `c` (lower case), in either case. */
    private letterNext(c: string): boolean {
      const tok = this.LA(1);
      return tok.tokenType === T.Letter && tok.image.toLowerCase() === c;
    }
  }
  return SignalRules;
}

export class SignalParser extends SignalRules(CNumRules(ValueParserBase)) {
  constructor(options?: BuildOptions) {
    super(vocabulary('signal'), options);
    this.performSelfAnalysis();
  }
}

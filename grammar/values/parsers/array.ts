// Job arrays (--array). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { onNextToken } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { CNumRules, ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass, WithCNum } from './base.js';
import type { ArrayPieceSyntax, CNum } from '../syntax.js';

/** The kind's rules as a mixin: ArrayParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function ArrayRules<B extends ParserClass<WithCNum>>(Base: B) {
  abstract class ArrayRules extends Base {
    // ---- arrays: the controller splits on ',' and reads each piece with strtol() -----------------------------
    public arraySpec = this.RULE('arraySpec', (): ArrayPieceSyntax[] => {
      const pieces: ArrayPieceSyntax[] = [this.subrule(0, this.arrayPiece)];
      this.many(0, () => {
        this.consume(0, T.Comma);
        const piece = this.subrule(1, this.arrayPiece);
        this.ACTION(() => pieces.push(piece));
      });
      return pieces;
    });

    private arrayPiece = this.RULE('arrayPiece', (): ArrayPieceSyntax => {
      const offset = this.offsetOf(this.LA(1));
      let dash = false;
      let last: CNum | null = null;
      let colon = false;
      let step: CNum | null = null;
      let percent: { num: CNum | null } | null = null;
      this.option(0, () => this.consume(0, T.LBracket));
      const first = this.option(1, () => this.subrule(0, this.cnum)) ?? null;
      this.option(2, () => this.consume(1, T.RBracket));
      this.option(3, () => {
        this.consume(2, T.Dash);
        dash = true;
        last = this.option(4, () => this.subrule(1, this.cnum)) ?? null;
        this.option(5, () => this.consume(3, T.RBracket));
        this.option(6, () => {
          this.consume(4, T.Colon);
          colon = true;
          step = this.option(7, () => this.subrule(2, this.cnum)) ?? null;
          this.option(8, () => this.consume(5, T.RBracket));
        });
      });
      this.option(9, () => {
        this.consume(6, T.Percent);
        percent = { num: this.option(10, onNextToken(() => this.subrule(3, this.cnum), () => this.numberAhead())) ?? null };
        // the controller ignores the rest of the piece after '%'
        this.many(0, () => this.consume(7, T.ArrayRest));
      });
      return { offset, first, dash, last, colon, step, percent };
    });
  }
  return ArrayRules;
}

export class ArrayParser extends ArrayRules(CNumRules(ValueParserBase)) {
  constructor(options?: BuildOptions) {
    super(vocabulary('array'), options);
    this.performSelfAnalysis();
  }
}

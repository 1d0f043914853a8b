// Environment exports (--export). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { alt, byNextToken, gated, otherwise } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { ExportTokenSyntax } from '../syntax.js';

/** The kind's rules as a mixin: ExportParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function ExportRules<B extends ParserClass>(Base: B) {
  abstract class ExportRules extends Base {
    private quoteSingle = 0;
    private quoteDouble = 0;

    // ---- export: commas split tokens unless inside '…' or "…" (each quote kind toggles on its own) -------------------
    public exportList = this.RULE('exportList', (): ExportTokenSyntax[] => {
      const tokens: ExportTokenSyntax[] = [];
      let start = 0;
      this.ACTION(() => { this.quoteSingle = 0; this.quoteDouble = 0; });
      this.many(0, () =>
        this.or(0, byNextToken([
          gated(
            () => this.quoteSingle === 0 && this.quoteDouble === 0,
            () => {
              const comma = this.consume(0, T.Comma);
              this.ACTION(() => {
                tokens.push({ start, end: this.offsetOf(comma), unterminated: false });
                start = this.offsetOf(comma) + 1;
              });
            },
          ),
          alt(() => { this.consume(1, T.SQuote); this.ACTION(() => { this.quoteSingle ^= 1; }); }),
          alt(() => { this.consume(2, T.DQuote); this.ACTION(() => { this.quoteDouble ^= 1; }); }),
          otherwise(() => this.consume(3, T.ExportPlain)),
        ])),
      );
      this.ACTION(() => {
        if (start < this.source.length) {
          tokens.push({ start, end: this.source.length, unterminated: this.quoteSingle !== 0 || this.quoteDouble !== 0 });
        }
      });
      return tokens;
    });
  }
  return ExportRules;
}

export class ExportParser extends ExportRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('export'), options);
    this.performSelfAnalysis();
  }
}

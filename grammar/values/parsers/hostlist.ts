// Hostlists (--nodelist, --exclude, slurm.conf): Slurm's tokenizer, and one range inside brackets.
// Rules only: the meaning is src/job/values.
import type { IToken } from 'chevrotain';
import * as T from '../tokens.js';
import { alt, byNextToken, gated, otherwise } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { HostRangeSyntax, HostTokenSyntax } from '../syntax.js';

/** The kind's rules as a mixin: HostlistParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function HostlistRules<B extends ParserClass>(Base: B) {
  abstract class HostlistRules extends Base {
    private lastRBracket = -1;
    private hostStray = false;

    override prepare(text: string): void {
      super.prepare(text);
      this.lastRBracket = text.lastIndexOf(']');
    }

    // ---- hostlists: Slurm's tokenizer keeps separators that are inside a bracket pair ---------------------------
    public hostlist = this.RULE('hostlist', (): HostTokenSyntax[] => {
      const tokens: HostTokenSyntax[] = [];
      this.many(0, () =>
        this.or(0, [
          alt(() => this.consume(0, T.HostBlank)),
          alt(() => this.consume(1, T.Comma)),
          alt(() => {
            const tok = this.subrule(0, this.hostToken);
            this.ACTION(() => tokens.push(tok));
          }),
        ]),
      );
      return tokens;
    });

    private hostToken = this.RULE('hostToken', (): HostTokenSyntax => {
      const start = this.offsetOf(this.LA(1));
      let end = start;
      this.ACTION(() => { this.hostStray = false; });
      this.atLeastOne(0, () => {
        const last = this.or(0, byNextToken([
          gated(
            // a '[' with a ']' somewhere after it, and no unpaired ']' before it in this token
            () => !this.hostStray && this.offsetOf(this.LA(1)) < this.lastRBracket,
            (): IToken => {
              this.consume(0, T.LBracket);
              this.many(0, () => this.consume(4, T.HostInBracket));
              return this.consume(1, T.RBracket);
            },
          ),
          alt((): IToken => {
            const tok = this.consume(2, T.RBracket);
            this.ACTION(() => { this.hostStray = true; });
            return tok;
          }),
          otherwise((): IToken => this.consume(5, T.HostPlain)),
        ]));
        this.ACTION(() => { end = this.endOf(last); });
      });
      return { start, end };
    });

    /** One `lo[-hi]` piece of a bracket, as _parse_single_range() reads it with strtoul(). */
    public hostRange = this.RULE('hostRange', (): HostRangeSyntax => {
      let x = false;
      let loJunk = false;
      let hi: string | null = null;
      let width = 0;
      this.many(0, () => this.consume(10, T.HostSpace));
      this.option(0, () => this.consume(0, T.Plus));
      const lo = this.consume(1, T.Digits).image;
      this.many(1, () => {
        const tok = this.consume(11, T.HostRangeRest);
        this.ACTION(() => { if (tok.tokenType === T.LowerX) x = true; });
        loJunk = true;
      });
      this.ACTION(() => { width = this.offsetOf(this.LA(1)); });
      this.option(1, () => {
        this.consume(2, T.Dash);
        this.option(2, () => {
          this.many(2, () => this.consume(12, T.HostSpace));
          this.option(3, () => this.consume(3, T.Plus));
          hi = this.consume(4, T.Digits).image;
        });
      });
      return { lo, width, hi, loJunk, x };
    });
  }
  return HostlistRules;
}

export class HostlistParser extends HostlistRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('hostlist'), options);
    this.performSelfAnalysis();
  }
}

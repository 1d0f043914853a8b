// Generic resources (--gres, --gpus, --gpus-per-node…). Rules only: the meaning is src/job/values.
import type { IToken } from 'chevrotain';
import * as T from '../tokens.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { GresFieldSyntax, GresItemSyntax } from '../syntax.js';

/** The kind's rules as a mixin: GresParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function GresRules<B extends ParserClass>(Base: B) {
  abstract class GresRules extends Base {
    // ---- gres: comma items, each name[:type][:count] --------------------------------------------------------------
    public gres = this.RULE('gres', (): GresItemSyntax[] => {
      const items: GresItemSyntax[] = [this.subrule(0, this.gresItem)];
      this.many(0, () => {
        this.consume(0, T.Comma);
        const item = this.subrule(1, this.gresItem);
        this.ACTION(() => items.push(item));
      });
      return items;
    });

    private gresItem = this.RULE('gresItem', (): GresItemSyntax => {
      const offset = this.offsetOf(this.LA(1));
      const fields: GresFieldSyntax[] = [this.subrule(0, this.gresField)];
      this.option(0, () => {
        this.consume(0, T.Colon);
        const second = this.subrule(1, this.gresField);
        this.ACTION(() => fields.push(second));
        this.option(1, () => {
          this.consume(1, T.Colon);
          const third = this.subrule(2, this.gresRest);
          this.ACTION(() => fields.push(third));
        });
      });
      return { offset, text: this.source.slice(offset, this.offsetOf(this.LA(1))), fields };
    });

    /** A field up to the next ':' (the last one runs to ','); `count` when it is digits + suffix only. */
    private gresField = this.RULE('gresField', (): GresFieldSyntax => {
      const offset = this.offsetOf(this.LA(1));
      const toks: IToken[] = [];
      this.many(0, () => {
        const tok = this.consume(0, T.GresChar);
        this.ACTION(() => toks.push(tok));
      });
      return this.ACTION(() => this.gresFieldOf(offset, toks, false));
    });

    private gresRest = this.RULE('gresRest', (): GresFieldSyntax => {
      const offset = this.offsetOf(this.LA(1));
      const toks: IToken[] = [];
      let hasColon = false;
      this.many(0, () => {
        const tok = this.consume(0, T.GresRestChar);
        this.ACTION(() => {
          if (tok.tokenType === T.Colon) hasColon = true;
          toks.push(tok);
        });
      });
      return this.ACTION(() => this.gresFieldOf(offset, toks, hasColon));
    });

    private gresFieldOf(offset: number, toks: IToken[], hasColon: boolean): GresFieldSyntax {
      const [a, b] = toks;
      const count =
        a?.tokenType === T.Digits && (toks.length === 1 || (toks.length === 2 && b?.tokenType === T.Alpha))
          ? { digits: a.image, suffix: b?.image ?? '' }
          : null;
      return { text: this.source.slice(offset, this.offsetOf(this.LA(1))), offset, count, hasColon };
    }
  }
  return GresRules;
}

export class GresParser extends GresRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('gres'), options);
    this.performSelfAnalysis();
  }
}

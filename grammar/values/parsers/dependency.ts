// Dependencies (--dependency). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { alt, onNextToken } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { CNumRules, ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass, WithCNum } from './base.js';
import type { DepJobRefSyntax, DepTermSyntax, DependencySyntax } from '../syntax.js';

/** The kind's rules as a mixin: DependencyParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function DependencyRules<B extends ParserClass<WithCNum>>(Base: B) {
  abstract class DependencyRules extends Base {
    // ---- dependencies ------------------------------------------------------------------------------------------
    public dependency = this.RULE('dependency', (): DependencySyntax => {
      const terms: DepTermSyntax[] = [this.subrule(0, this.depTerm)];
      let or = false;
      this.many(0, () => {
        this.or(0, [
          alt(() => this.consume(0, T.Comma)),
          alt(() => { this.consume(1, T.Question); or = true; }),
        ]);
        const term = this.subrule(1, this.depTerm);
        this.ACTION(() => terms.push(term));
      });
      return { terms, or };
    });

    private depTerm = this.RULE('depTerm', (): DepTermSyntax => {
      const offset = this.offsetOf(this.LA(1));
      return this.or(0, [
        alt((): DepTermSyntax => {
          const type = this.consume(0, T.Word).image;
          this.consume(1, T.Colon);
          const refs: DepJobRefSyntax[] = [this.subrule(0, this.depJobRef)];
          this.many(0, () => {
            this.consume(2, T.Colon);
            const ref = this.subrule(1, this.depJobRef);
            this.ACTION(() => refs.push(ref));
          });
          return { kind: 'typed', type, offset, refs };
        }),
        alt((): DepTermSyntax => {
          const word = this.consume(3, T.Word).image;
          // only "singleton" stands alone; anything else is reported by the semantic layer
          return word.toLowerCase() === 'singleton' ? { kind: 'singleton', offset } : { kind: 'typed', type: word, offset, refs: [] };
        }),
        alt((): DepTermSyntax => ({ kind: 'bare', offset, ref: this.subrule(2, this.depJobRef) })),
      ]);
    });

    private depJobRef = this.RULE('depJobRef', (): DepJobRefSyntax => {
      const offset = this.offsetOf(this.LA(1));
      const job = this.subrule(0, this.cnum);
      let task: DepJobRefSyntax['task'] = { kind: 'none' };
      let delay: DepJobRefSyntax['delay'] = null;
      this.option(0, () => {
        this.consume(0, T.Underscore);
        task = this.or(0, [
          alt((): DepJobRefSyntax['task'] => ({ kind: 'num', num: this.subrule(1, this.cnum) })),
          alt((): DepJobRefSyntax['task'] => { this.consume(1, T.Star); return { kind: 'star' }; }),
          alt((): DepJobRefSyntax['task'] => {
            const open = this.consume(2, T.LBracket);
            this.many(0, () => this.consume(10, T.DepListChar));
            const close = this.consume(3, T.RBracket);
            const from = this.endOf(open);
            return { kind: 'list', text: this.source.slice(from, this.offsetOf(close)), offset: from };
          }),
          alt((): DepJobRefSyntax['task'] => ({ kind: 'empty' })),
        ]);
      });
      this.option(1, () => {
        const plus = this.consume(4, T.Plus);
        const num = this.option(2, onNextToken(() => this.subrule(2, this.cnum), () => this.numberAhead())) ?? null;
        delay = { num, offset: this.offsetOf(plus) };
        // whatever follows the delay up to the next separator is ignored by the controller
        this.many(1, () => this.consume(11, T.DepRest));
      });
      return { offset, job, task, delay };
    });
  }
  return DependencyRules;
}

export class DependencyParser extends DependencyRules(CNumRules(ValueParserBase)) {
  constructor(options?: BuildOptions) {
    super(vocabulary('dependency'), options);
    this.performSelfAnalysis();
  }
}

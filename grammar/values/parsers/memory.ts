// Memory sizes (--mem, --mem-per-cpu, --mem-per-gpu, --tmp). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { vocabulary } from '../tokens.js';
import { CNumRules, ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass, WithCNum } from './base.js';
import type { MemorySyntax } from '../syntax.js';

/** The kind's rules as a mixin: MemoryParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function MemoryRules<B extends ParserClass<WithCNum>>(Base: B) {
  abstract class MemoryRules extends Base {
    // ---- memory: strtoll() then one unit letter, optionally followed by B --------------------------------------
    public memory = this.RULE('memory', (): MemorySyntax => {
      const num = this.subrule(0, this.cnum);
      let unit: string | null = null;
      let byte = false;
      this.option(0, () => {
        unit = this.consume(0, T.MemUnit).image;
        this.option(1, () => {
          this.consume(1, T.MemByte);
          byte = true;
        });
      });
      return { num, unit, byte };
    });
  }
  return MemoryRules;
}

export class MemoryParser extends MemoryRules(CNumRules(ValueParserBase)) {
  constructor(options?: BuildOptions) {
    super(vocabulary('memory'), options);
    this.performSelfAnalysis();
  }
}

// A whole value that is one strtol() number (the rule itself is shared: CNumRules in base.ts).
import { vocabulary } from '../tokens.js';
import { CNumRules, ValueParserBase } from './base.js';
import type { BuildOptions } from './base.js';

export class CNumParser extends CNumRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('cnum'), options);
    this.performSelfAnalysis();
  }
}

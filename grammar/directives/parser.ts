/** Rules only: a directive line is words separated by blanks, then an optional comment. */
import { CstParser } from 'chevrotain';
import {
  Bare, Blank, Comment, DoubleQuoted, Escaped, EscapedBlank, SingleQuoted, TrailingBackslash, directiveTokens,
} from './tokens.js';

class DirectiveParser extends CstParser {
  constructor() {
    super(directiveTokens, { recoveryEnabled: false, nodeLocationTracking: 'none', skipValidations: true });
    this.performSelfAnalysis();
  }

  public directiveLine = this.RULE('directiveLine', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.word) },
        { ALT: () => this.CONSUME(Blank) },
        { ALT: () => this.CONSUME(EscapedBlank) },
      ]);
    });
    this.OPTION(() => this.CONSUME(Comment));
  });

  public word = this.RULE('word', () => {
    this.AT_LEAST_ONE(() => {
      this.OR([
        { ALT: () => this.CONSUME(Bare) },
        { ALT: () => this.CONSUME(Escaped) },
        { ALT: () => this.CONSUME(DoubleQuoted) },
        { ALT: () => this.CONSUME(SingleQuoted) },
        { ALT: () => this.CONSUME(TrailingBackslash) },
      ]);
    });
  });
}

let parser: DirectiveParser | undefined;

/** Built on first use: scripts without #SBATCH lines (and other commands) never pay for it. */
export function directiveParser(): DirectiveParser {
  parser ??= new DirectiveParser();
  return parser;
}

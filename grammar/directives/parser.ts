/** Rules only: a directive line is words separated by blanks, then an optional comment. */
import { CstParser } from 'chevrotain';
import { alt } from '../dsl.js';
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
        alt(() => this.SUBRULE(this.word)),
        alt(() => this.CONSUME(Blank)),
        alt(() => this.CONSUME(EscapedBlank)),
      ]);
    });
    this.OPTION(() => this.CONSUME(Comment));
  });

  public word = this.RULE('word', () => {
    this.AT_LEAST_ONE(() => {
      this.OR([
        alt(() => this.CONSUME(Bare)),
        alt(() => this.CONSUME(Escaped)),
        alt(() => this.CONSUME(DoubleQuoted)),
        alt(() => this.CONSUME(SingleQuoted)),
        alt(() => this.CONSUME(TrailingBackslash)),
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

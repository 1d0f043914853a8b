/**
 * Tokens of one `#SBATCH` directive line (the text after the `#SBATCH` prefix),
 * following sbatch 22.05's word splitter: quotes group, a backslash makes the
 * next character literal, an unquoted `#` starts a comment, and whitespace ends
 * a word even when escaped (a 22.05 quirk: `a\ b` is two words).
 */
import { createToken, Lexer } from 'chevrotain';

export const Blank = createToken({ name: 'Blank', pattern: /[ \t\v\f\r]+/, line_breaks: false });
/** `\ ` outside quotes: 22.05 drops the backslash and ends the word there. */
export const EscapedBlank = createToken({ name: 'EscapedBlank', pattern: /\\[ \t\v\f\r]/ });
// explicit ranges (not complements) keep the lexer's first-character optimisation
export const Escaped = createToken({ name: 'Escaped', pattern: /\\[\u0000-\u0008\u000a\u000e-\u001f\u0021-\uffff]/ });
/** A backslash at the very end of the line escapes nothing and is dropped. */
export const TrailingBackslash = createToken({ name: "TrailingBackslash", pattern: /\\/ });
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"(?:[^"\\]|\\[^])*"/, line_breaks: false });
export const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'(?:[^'\\]|\\[^])*'/, line_breaks: false });
export const Comment = createToken({ name: 'Comment', pattern: /#[^]*/ });
export const Bare = createToken({ name: 'Bare', pattern: /[\u0000-\u0008\u000a\u000e-\u001f\u0021\u0024-\u0026\u0028-\u005b\u005d-\uffff]+/ });

export const directiveTokens = [Blank, EscapedBlank, Escaped, TrailingBackslash, DoubleQuoted, SingleQuoted, Comment, Bare];

let lexer: Lexer | undefined;

/** Built on first use, like the parser. */
export function directiveLexer(): Lexer {
  lexer ??= new Lexer(directiveTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: true });
  return lexer;
}

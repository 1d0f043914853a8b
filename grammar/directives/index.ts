/**
 * Splits the text of one `#SBATCH` line into words. Errors come back as values:
 * the only one is an unmatched quote, reported the way sbatch reports it.
 */
import { directiveLexer } from './tokens.js';
import { directiveParser } from './parser.js';
import { wordsOf, type Word } from './actions.js';

export type { Word } from './actions.js';

export interface UnmatchedQuote {
  quote: string;
  /** 0-based offset of the quote character */
  offset: number;
  /** the text sbatch echoes: the rest of the line from the end of the previous word */
  rest: string;
}

export type SplitResult = { ok: true; words: Word[] } | { ok: false; error: UnmatchedQuote };

export function splitDirective(text: string): SplitResult {
  const lexed = directiveLexer.tokenize(text);
  if (lexed.errors.length > 0) {
    // The only characters no token matches are quotes that never close.
    const offset = lexed.errors[0]!.offset;
    // sbatch echoes the line from where it resumed: after the previous word, or from the first word itself
    const wordStart = startOfWordAt(lexed.tokens, offset);
    const prevWordEnd = endOfWordBefore(lexed.tokens, wordStart);
    const restFrom = prevWordEnd === 0 ? wordStart : prevWordEnd;
    return { ok: false, error: { quote: text[offset]!, offset, rest: text.slice(restFrom) } };
  }
  directiveParser.input = lexed.tokens;
  const cst = directiveParser.directiveLine();
  return { ok: true, words: wordsOf(cst, text) };
}

const separators = new Set(['Blank', 'EscapedBlank']);

/** Offset where the word containing `offset` starts (following adjacent word parts back). */
function startOfWordAt(tokens: { startOffset: number; image: string; tokenType: { name: string } }[], offset: number): number {
  let start = offset;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.startOffset >= offset) continue;
    if (separators.has(t.tokenType.name) || t.startOffset + t.image.length !== start) break;
    start = t.startOffset;
  }
  return start;
}

/** End offset of the last word ending before `offset` (0 if none). */
function endOfWordBefore(tokens: { startOffset: number; image: string; tokenType: { name: string } }[], offset: number): number {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.startOffset >= offset || separators.has(t.tokenType.name)) continue;
    return t.startOffset + t.image.length;
  }
  return 0;
}

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
  const words = splitPlain(text);
  return words !== undefined ? { ok: true, words } : splitWithGrammar(text);
}

/**
 * Most directive lines are plain words between blanks, perhaps ending in a comment. For those the
 * grammar's answer is known without running it: each maximal run of `Bare` characters (tokens.ts) is
 * one word, itself both its text and its raw form, and an unquoted `#` starts the comment that ends
 * the line. A quote or a backslash before the comment means quote removal or escapes: undefined, and
 * the grammar decides. test/unit/directives/split.test.ts checks this against the grammar.
 */
function splitPlain(text: string): Word[] | undefined {
  const words: Word[] = [];
  let start = -1; // where the current word began, -1 between words
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d) {
      if (start >= 0) words.push(plainWord(text, start, i));
      start = -1;
    } else if (c === 0x23) { // '#'
      break;
    } else if (c === 0x22 || c === 0x27 || c === 0x5c) { // '"', "'", '\\'
      return undefined;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push(plainWord(text, start, i));
  return words;
}

function plainWord(text: string, start: number, end: number): Word {
  const word = text.slice(start, end);
  return { text: word, raw: word, offset: start };
}

/** The grammar itself: lexer and parser (exported for the test that checks splitDirective's shortcut). */
export function splitWithGrammar(text: string): SplitResult {
  const lexed = directiveLexer().tokenize(text);
  if (lexed.errors.length > 0) {
    // The only characters no token matches are quotes that never close.
    const offset = lexed.errors[0]!.offset;
    // sbatch echoes the line from where it resumed: after the previous word, or from the first word itself
    const wordStart = startOfWordAt(lexed.tokens, offset);
    const prevWordEnd = endOfWordBefore(lexed.tokens, wordStart);
    const restFrom = prevWordEnd === 0 ? wordStart : prevWordEnd;
    return { ok: false, error: { quote: text[offset]!, offset, rest: text.slice(restFrom) } };
  }
  const parser = directiveParser();
  parser.input = lexed.tokens;
  const cst = parser.directiveLine();
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

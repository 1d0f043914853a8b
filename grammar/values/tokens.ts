// All tokens of the option-value grammars, and which of them each value kind ("mode") lexes with. Each
// kind gets its own small lexer (grammar/values/lexer.ts). Every mode ends with AnyChar so lexing never
// fails: Slurm's own parsers are character scanners that report the first position they dislike, so
// the parser (not the lexer) must decide where an input goes wrong.
import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';
import { ALL, classOf, except, of, span, startChars, union } from './charset.js';
import type { CharSet } from './charset.js';

/** A token category: matches any of its member tokens in one CONSUME (no alternation at parse time). */
const category = (name: string): TokenType => createToken({ name, pattern: Lexer.NA });

// A token's pattern and the characters it can start with (Chevrotain's START_CHARS_HINT) come from one
// character set (charset.ts). With the hint, building a kind's lexer needs no analysis of regexps (most
// of what building a Chevrotain lexer costs), and the lexer still gets its first-character tables.
const token = (name: string, pattern: RegExp | string, categories: TokenType[], hint?: number[] | string[]): TokenType =>
  createToken({ name, pattern, categories, ...(hint ? { start_chars_hint: hint } : {}) });
/** One character of `set`. */
const one = (name: string, set: CharSet, categories: TokenType[] = []): TokenType => token(name, new RegExp(classOf(set)), categories, startChars(set));
/** A run of characters of `set`. */
const run = (name: string, set: CharSet, categories: TokenType[] = []): TokenType => token(name, new RegExp(`${classOf(set)}+`), categories, startChars(set));
/** Literal text (Chevrotain indexes a string pattern's first character itself). */
const lit = (name: string, text: string, categories: TokenType[] = []): TokenType => token(name, text, categories);
/** A word compared case-insensitively (`source` is a regexp that starts with a letter). */
const word = (name: string, source: string, categories: TokenType[] = []): TokenType =>
  token(name, new RegExp(source, 'i'), categories, [source[0]!.toLowerCase(), source[0]!.toUpperCase()]);

const DIGITS = span('0', '9');
const LETTERS = union(span('A', 'Z'), span('a', 'z'));

// Categories, named after where the grammar takes "any of these".
export const DateSkip = category('DateSkip'); // separators parse_time() skips between items
export const DateKeyword = category('DateKeyword');
export const DateUnit = category('DateUnit');
export const DateSpace = category('DateSpace');
export const DateSep = category('DateSep');
export const ArrayRest = category('ArrayRest'); // what may follow `%K` in an array piece
export const DepListChar = category('DepListChar'); // inside `id_[...]`
export const DepRest = category('DepRest'); // what may follow `+delay`
export const HostInBracket = category('HostInBracket');
export const HostPlain = category('HostPlain'); // host-name characters outside bracket pairs
export const HostSpace = category('HostSpace');
export const HostRangeRest = category('HostRangeRest'); // after the low bound of a range
export const GresChar = category('GresChar');
export const GresRestChar = category('GresRestChar');
export const ExportPlain = category('ExportPlain');
export const SignalNameChar = category('SignalNameChar');
export const FnPlain = category('FnPlain');
export const FnScontrolPlain = category('FnScontrolPlain');

// ---- shared -----------------------------------------------------------------------------------------
/** One UTF-16 unit of anything no other token in the mode takes. */
export const AnyChar = one('AnyChar', ALL, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, GresChar, GresRestChar, ExportPlain, SignalNameChar, FnPlain, FnScontrolPlain]);
export const Digits = run('Digits', DIGITS, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, GresChar, GresRestChar, SignalNameChar, FnPlain, FnScontrolPlain]);
/** C isspace() run: what strtol()/strtoul() skip before a number. */
export const Ws = run('Ws', of(' \t\n\v\f\r'), [ArrayRest, DepListChar, DepRest, SignalNameChar]);
export const Plus = lit('Plus', '+', [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, SignalNameChar]);
export const Dash = lit('Dash', '-', [DateSkip, ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, SignalNameChar]);
export const Colon = lit('Colon', ':', [ArrayRest, GresRestChar, SignalNameChar]);
export const Comma = lit('Comma', ',', [DepListChar, HostInBracket, ExportPlain]);
export const LBracket = lit('LBracket', '[', [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest]);
export const RBracket = lit('RBracket', ']', [ArrayRest, DepRest, HostRangeRest]);
export const Percent = lit('Percent', '%', [ArrayRest]);

// ---- time limit (-t, --time-min) ----------------------------------------------------------------------
export const TimeWord = run('TimeWord', LETTERS);

// ---- memory sizes --------------------------------------------------------------------------------------
export const MemUnit = one('MemUnit', of('kKmMgGtT'));
export const MemByte = one('MemByte', of('bB'));

// ---- dates (parse_time) ---------------------------------------------------------------------------------
// Single characters except the words parse_time() compares with strncasecmp(); an uppercase T is a
// separator that parse_time() skips *before* trying keywords, so it must win over /today/i & co.
export const UpperT = lit('UpperT', 'T', [DateSkip]);
export const Blank = one('Blank', of(' \t'), [DateSkip, DateSpace]);
export const OtherSpace = one('OtherSpace', of('\n\v\f\r'), [DateSpace]);
export const Slash = lit('Slash', '/', [DateSep]);
export const Dot = lit('Dot', '.', [DateSep]);
export const Digit = one('Digit', DIGITS);
export const Today = word('Today', 'today', [DateKeyword]);
export const Tomorrow = word('Tomorrow', 'tomorrow', [DateKeyword]);
export const Midnight = word('Midnight', 'midnight', [DateKeyword]);
export const Noon = word('Noon', 'noon', [DateKeyword]);
export const Fika = word('Fika', 'fika', [DateKeyword]);
export const Teatime = word('Teatime', 'teatime', [DateKeyword]);
export const Now = word('Now', 'now');
export const Am = word('Am', 'am');
export const Pm = word('Pm', 'pm');
export const UnitSeconds = word('UnitSeconds', 'seconds?', [DateUnit]);
export const UnitMinutes = word('UnitMinutes', 'minutes?', [DateUnit]);
export const UnitHours = word('UnitHours', 'hours?', [DateUnit]);
export const UnitDays = word('UnitDays', 'days?', [DateUnit]);
export const UnitWeeks = word('UnitWeeks', 'weeks?', [DateUnit]);

// ---- dependencies -------------------------------------------------------------------------------------------
export const Question = lit('Question', '?', [DepListChar]);
export const Underscore = lit('Underscore', '_', [DepListChar, DepRest]);
export const Star = lit('Star', '*', [DepListChar, DepRest]);
export const Word = run('Word', LETTERS, [DepListChar, DepRest]);

// ---- hostlists ---------------------------------------------------------------------------------------------
// Separators are space, tab and comma (22.05: newline is not one). Inside brackets strtoul() skips any
// isspace(), and a lowercase x anywhere in a range is refused (it would be a 3-D "box").
export const HostBlank = one('HostBlank', of(' \t'), [HostInBracket, HostSpace, HostRangeRest]);
export const HostOtherWs = one('HostOtherWs', of('\n\v\f\r'), [HostInBracket, HostPlain, HostSpace, HostRangeRest]);
export const LowerX = lit('LowerX', 'x', [HostInBracket, HostPlain, HostRangeRest]);
export const HostText = run('HostText', except(' \t,[]-+0123456789x\n\v\f\r'), [HostInBracket, HostPlain, HostRangeRest]);

// ---- gres / gpus ---------------------------------------------------------------------------------------------
export const Alpha = run('Alpha', LETTERS, [GresChar, GresRestChar]);

// ---- export --------------------------------------------------------------------------------------------------
export const SQuote = lit('SQuote', "'");
export const DQuote = lit('DQuote', '"');
export const ExportText = run('ExportText', except(',\'"'), [ExportPlain]);

// ---- signal -----------------------------------------------------------------------------------------------------
export const Letter = one('Letter', LETTERS, [SignalNameChar]);
export const At = lit('At', '@');

// ---- filename patterns --------------------------------------------------------------------------------------------
export const PctPct = lit('PctPct', '%%');
export const Backslash = lit('Backslash', '\\', [FnScontrolPlain]);
export const FnWord = run('FnWord', LETTERS, [FnPlain, FnScontrolPlain]);
export const FnText = run('FnText', except('%\\0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), [FnPlain, FnScontrolPlain]);

/** Each kind's tokens in lexing priority order (the first that matches wins); every list ends with
 * AnyChar. grammar/values/lexer.ts analyses a kind's list on the kind's first use. */
export const modes = {
  time: [TimeWord, Digits, Dash, Colon, AnyChar],
  memory: [Ws, Plus, Dash, Digits, MemUnit, MemByte, AnyChar],
  cnum: [Ws, Plus, Dash, Digits, AnyChar],
  date: [
    UpperT, Blank, OtherSpace, Dash, Plus, Colon, Slash, Dot, Digit,
    Today, Tomorrow, Midnight, Noon, Fika, Teatime, Now, Am, Pm,
    UnitSeconds, UnitMinutes, UnitHours, UnitDays, UnitWeeks, AnyChar,
  ],
  array: [Comma, LBracket, RBracket, Dash, Colon, Percent, Plus, Ws, Digits, AnyChar],
  dependency: [Comma, Question, Colon, Plus, Dash, Underscore, Star, LBracket, RBracket, Ws, Digits, Word, AnyChar],
  hostlist: [HostBlank, Comma, LBracket, RBracket, Dash, Plus, Digits, HostOtherWs, LowerX, HostText, AnyChar],
  gres: [Comma, Colon, Digits, Alpha, AnyChar],
  export: [Comma, SQuote, DQuote, ExportText, AnyChar],
  signal: [Letter, Digits, Colon, At, Ws, Plus, Dash, AnyChar],
  fname: [PctPct, Percent, Digits, Backslash, FnWord, FnText, AnyChar],
} satisfies Record<string, TokenType[]>;

export type ValueMode = keyof typeof modes;

/** The categories each kind's rules CONSUME. A parser's vocabulary is its mode's tokens plus these: with
 * none, Chevrotain picks its faster matcher that compares token types only. */
export const modeCategories: Record<ValueMode, TokenType[]> = {
  time: [],
  memory: [],
  cnum: [],
  date: [DateSkip, DateKeyword, DateUnit, DateSpace, DateSep],
  array: [ArrayRest],
  dependency: [DepListChar, DepRest],
  hostlist: [HostInBracket, HostPlain, HostSpace, HostRangeRest],
  gres: [GresChar, GresRestChar],
  export: [ExportPlain],
  signal: [SignalNameChar],
  fname: [FnPlain, FnScontrolPlain],
};

/** What a kind's parser is given as its token vocabulary. */
export function vocabulary(mode: ValueMode): TokenType[] {
  return [...modes[mode], ...modeCategories[mode]];
}

/** Every token and category: the vocabulary of the engine that runs all kinds (parsers/engine.ts). */
export function allVocabulary(): TokenType[] {
  const all = new Set<TokenType>();
  for (const mode of Object.keys(modes) as ValueMode[]) for (const tok of vocabulary(mode)) all.add(tok);
  return [...all];
}

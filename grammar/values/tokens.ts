// All tokens of the option-value grammars and the one multi-mode lexer whose modes are the value kinds:
// `valueLexer.tokenize(text, 'time')`. Every mode ends with AnyChar so lexing never fails: Slurm's own
// parsers are character scanners that report the first position they dislike, so the parser (not the
// lexer) must decide where an input goes wrong.
import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';

const t = (name: string, pattern: RegExp, categories: TokenType[] = []): TokenType => createToken({ name, pattern, categories });
/** A token category: matches any of its member tokens in one CONSUME (no alternation at parse time). */
const category = (name: string): TokenType => createToken({ name, pattern: Lexer.NA });

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

/** A run of any UTF-16 unit except `chars`, written as positive ranges: Chevrotain cannot apply its
 * first-char optimisation to complement classes such as /[^,]+/. */
function runExcept(chars: string): RegExp {
  const codes = [...new Set([...chars].map((c) => c.charCodeAt(0)))].sort((a, b) => a - b);
  const hex = (n: number): string => `\\u${n.toString(16).padStart(4, '0')}`;
  const parts: string[] = [];
  let lo = 0;
  for (const c of codes) {
    if (c > lo) parts.push(c - 1 > lo ? `${hex(lo)}-${hex(c - 1)}` : hex(lo));
    lo = c + 1;
  }
  if (lo <= 0xffff) parts.push(`${hex(lo)}-${hex(0xffff)}`);
  return new RegExp(`[${parts.join('')}]+`);
}

// ---- shared -----------------------------------------------------------------------------------------
/** One UTF-16 unit of anything no other token in the mode takes (a complement class would defeat the
 * lexer's first-char optimisation, an explicit range does not). */
export const AnyChar = t('AnyChar', /[\u0000-\uffff]/, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, GresChar, GresRestChar, ExportPlain, SignalNameChar, FnPlain, FnScontrolPlain]);
export const Digits = t('Digits', /[0-9]+/, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, GresChar, GresRestChar, SignalNameChar, FnPlain, FnScontrolPlain]);
/** C isspace() run: what strtol()/strtoul() skip before a number. */
export const Ws = t('Ws', /[ \t\n\v\f\r]+/, [ArrayRest, DepListChar, DepRest, SignalNameChar]);
export const Plus = t('Plus', /\+/, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest, SignalNameChar]);
export const Dash = t('Dash', /-/, [DateSkip, ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, SignalNameChar]);
export const Colon = t('Colon', /:/, [ArrayRest, GresRestChar, SignalNameChar]);
export const Comma = t('Comma', /,/, [DepListChar, HostInBracket, ExportPlain]);
export const LBracket = t('LBracket', /\[/, [ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain, HostRangeRest]);
export const RBracket = t('RBracket', /]/, [ArrayRest, DepRest, HostRangeRest]);
export const Percent = t('Percent', /%/, [ArrayRest]);

// ---- time limit (-t, --time-min) ----------------------------------------------------------------------
export const TimeWord = t('TimeWord', /[A-Za-z]+/);

// ---- memory sizes --------------------------------------------------------------------------------------
export const MemUnit = t('MemUnit', /[kKmMgGtT]/);
export const MemByte = t('MemByte', /[bB]/);

// ---- dates (parse_time) ---------------------------------------------------------------------------------
// Single characters except the words parse_time() compares with strncasecmp(); an uppercase T is a
// separator that parse_time() skips *before* trying keywords, so it must win over /today/i & co.
export const UpperT = t('UpperT', /T/, [DateSkip]);
export const Blank = t('Blank', /[ \t]/, [DateSkip, DateSpace]);
export const OtherSpace = t('OtherSpace', /[\n\v\f\r]/, [DateSpace]);
export const Slash = t('Slash', /\//, [DateSep]);
export const Dot = t('Dot', /\./, [DateSep]);
export const Digit = t('Digit', /[0-9]/);
export const Today = t('Today', /today/i, [DateKeyword]);
export const Tomorrow = t('Tomorrow', /tomorrow/i, [DateKeyword]);
export const Midnight = t('Midnight', /midnight/i, [DateKeyword]);
export const Noon = t('Noon', /noon/i, [DateKeyword]);
export const Fika = t('Fika', /fika/i, [DateKeyword]);
export const Teatime = t('Teatime', /teatime/i, [DateKeyword]);
export const Now = t('Now', /now/i);
export const Am = t('Am', /am/i);
export const Pm = t('Pm', /pm/i);
export const UnitSeconds = t('UnitSeconds', /seconds?/i, [DateUnit]);
export const UnitMinutes = t('UnitMinutes', /minutes?/i, [DateUnit]);
export const UnitHours = t('UnitHours', /hours?/i, [DateUnit]);
export const UnitDays = t('UnitDays', /days?/i, [DateUnit]);
export const UnitWeeks = t('UnitWeeks', /weeks?/i, [DateUnit]);

// ---- dependencies -------------------------------------------------------------------------------------------
export const Question = t('Question', /\?/, [DepListChar]);
export const Underscore = t('Underscore', /_/, [DepListChar, DepRest]);
export const Star = t('Star', /\*/, [DepListChar, DepRest]);
export const Word = t('Word', /[A-Za-z]+/, [DepListChar, DepRest]);

// ---- hostlists ---------------------------------------------------------------------------------------------
// Separators are space, tab and comma (22.05: newline is not one). Inside brackets strtoul() skips any
// isspace(), and a lowercase x anywhere in a range is refused (it would be a 3-D "box").
export const HostBlank = t('HostBlank', /[ \t]/, [HostInBracket, HostSpace, HostRangeRest]);
export const HostOtherWs = t('HostOtherWs', /[\n\v\f\r]/, [HostInBracket, HostPlain, HostSpace, HostRangeRest]);
export const LowerX = t('LowerX', /x/, [HostInBracket, HostPlain, HostRangeRest]);
export const HostText = t('HostText', runExcept(' \t,[]-+0123456789x\n\v\f\r'), [HostInBracket, HostPlain, HostRangeRest]);

// ---- gres / gpus ---------------------------------------------------------------------------------------------
export const Alpha = t('Alpha', /[A-Za-z]+/, [GresChar, GresRestChar]);

// ---- export --------------------------------------------------------------------------------------------------
export const SQuote = t('SQuote', /'/);
export const DQuote = t('DQuote', /"/);
export const ExportText = t('ExportText', runExcept(',\'"'), [ExportPlain]);

// ---- signal -----------------------------------------------------------------------------------------------------
export const Letter = t('Letter', /[A-Za-z]/, [SignalNameChar]);
export const At = t('At', /@/);

// ---- filename patterns --------------------------------------------------------------------------------------------
export const PctPct = t('PctPct', /%%/);
export const Backslash = t('Backslash', /\\/, [FnScontrolPlain]);
export const FnWord = t('FnWord', /[A-Za-z]+/, [FnPlain, FnScontrolPlain]);
export const FnText = t('FnText', runExcept('%\\0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), [FnPlain, FnScontrolPlain]);

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

export const allTokens: TokenType[] = [
  ...new Set(Object.values(modes).flat()),
  DateSkip, DateKeyword, DateUnit, DateSpace, DateSep, ArrayRest, DepListChar, DepRest, HostInBracket, HostPlain,
  HostSpace, HostRangeRest, GresChar, GresRestChar, ExportPlain, SignalNameChar, FnPlain, FnScontrolPlain,
];

export const valueLexer = new Lexer(
  { modes, defaultMode: 'time' },
  { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: true },
);

// Shapes returned by the value grammars: raw syntax, positions kept, no Slurm semantics applied
// (that is src/job/values). Offsets are 0-based UTF-16 offsets into the value text.

/** A strtol()-style number: optional isspace, optional sign, digits. */
export interface CNum {
  neg: boolean;
  digits: string;
  offset: number;
}

// ---- time limit ---------------------------------------------------------------------------------------
export type TimeSyntax =
  | { kind: 'word'; word: string }
  /** `D-`, `-D`, `D-H`, `D-H:M`, `D-H:M:S` (a leading dash makes the first number negative, as sscanf %d). */
  | { kind: 'days'; lead: boolean; d: string | null; h: string | null; m: string | null; s: string | null }
  /** `M`, `M:S`, `H:M:S` */
  | { kind: 'clock'; a: string; b: string | null; c: string | null };

// ---- memory -----------------------------------------------------------------------------------------
export interface MemorySyntax {
  num: CNum;
  unit: string | null;
  byte: boolean;
}

// ---- dates --------------------------------------------------------------------------------------------
export type DateKeyword = 'today' | 'tomorrow' | 'midnight' | 'noon' | 'fika' | 'teatime';
export type DateUnit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks';
export type DateItem =
  | { kind: 'keyword'; keyword: DateKeyword }
  | { kind: 'now'; sign: 1 | -1; digits: string; unit: DateUnit | null }
  | { kind: 'clock'; hour: number; minute: number; second: number }
  /** month 1-12; year: full year for YYYY-MM-DD, 2-digit year (0 = none given) for the short forms */
  | { kind: 'date'; iso: boolean; year: number; month: number; day: number };

export interface DateSyntax {
  items: DateItem[];
  /** First position parse_time() itself gives up at (its `pos=`), when the grammar found it. */
  errorPos: number | null;
}

// ---- arrays ---------------------------------------------------------------------------------------------
export interface ArrayPieceSyntax {
  offset: number;
  first: CNum | null;
  dash: boolean;
  last: CNum | null;
  colon: boolean;
  step: CNum | null;
  /** `%` seen in this piece, and the number right after it */
  percent: { num: CNum | null } | null;
}

// ---- dependencies ------------------------------------------------------------------------------------------
export interface DepJobRefSyntax {
  offset: number;
  job: CNum;
  /** absent: no `_`; 'star': `_*`; 'empty': `_` alone; number; or a `[...]` task list text */
  task: { kind: 'none' } | { kind: 'star' } | { kind: 'empty' } | { kind: 'num'; num: CNum } | { kind: 'list'; text: string; offset: number };
  /** `+N`: the number (null when `+` has no number) */
  delay: { num: CNum | null; offset: number } | null;
}
export type DepTermSyntax =
  | { kind: 'singleton'; offset: number }
  | { kind: 'typed'; type: string; offset: number; refs: DepJobRefSyntax[] }
  | { kind: 'bare'; offset: number; ref: DepJobRefSyntax };
export interface DependencySyntax {
  terms: DepTermSyntax[];
  or: boolean;
}

// ---- hostlists -------------------------------------------------------------------------------------------------
/** One host expression as split by Slurm's tokenizer (brackets keep separators inside them). */
export interface HostTokenSyntax {
  start: number;
  end: number;
}
export interface HostRangeSyntax {
  lo: string;
  /** strlen() of the text before the dash: Slurm's zero-padding width */
  width: number;
  hi: string | null;
  /** text before the dash had something after its number (only allowed when a high bound follows) */
  loJunk: boolean;
  x: boolean;
}

// ---- gres ----------------------------------------------------------------------------------------------------------
export interface GresFieldSyntax {
  text: string;
  offset: number;
  /** count shape: digits and an optional alphabetic suffix, nothing else */
  count: { digits: string; suffix: string } | null;
  hasColon: boolean;
}
export interface GresItemSyntax {
  offset: number;
  text: string;
  fields: GresFieldSyntax[];
}

// ---- export ---------------------------------------------------------------------------------------------------------
export interface ExportTokenSyntax {
  start: number;
  end: number;
  unterminated: boolean;
}

// ---- signal -----------------------------------------------------------------------------------------------------------
export interface SignalSyntax {
  reservation: boolean;
  batch: boolean;
  name: string;
  nameOffset: number;
  at: { num: CNum | null; offset: number } | null;
}

// ---- filename patterns ------------------------------------------------------------------------------------------------
export type PatternCode = 'a' | 'A' | 'j' | 'J' | 's' | 'N' | 'n' | 't' | 'u' | 'x';
export type PatternPart = { kind: 'text'; text: string } | { kind: 'code'; code: PatternCode; width: number };
export interface PatternSyntax {
  parts: PatternPart[];
  /** any backslash: Slurm substitutes nothing and drops the escaping backslashes */
  escaped: string | null;
}
export type ScontrolPatternPart = { kind: 'text'; text: string } | { kind: 'code'; code: 'A' | 'a' | 'j' | 'u' | 'x' };

// One function per value kind: tokenize in that kind's lexer mode, run its start rule, and return the raw
// syntax or an error with a 1-based column. Never throws. A kind's lexer and parser are analysed on the
// kind's first use only (lexer.ts, parsers/engine.ts), so a command pays for the kinds it parses. The
// plainest time, memory and gres values skip the grammar: plain.ts gives the same syntax directly.
import { tokenize } from './lexer.js';
import type { ValueMode } from './tokens.js';
import { ScanStop, valueParser } from './parsers/index.js';
import type { ValueEngine } from './parsers/index.js';
import { fail, ok } from './result.js';
import { plainGres, plainMemory, plainTime } from './plain.js';
import type { Result } from './result.js';
import type {
  ArrayPieceSyntax, CNum, DateSyntax, DependencySyntax, ExportTokenSyntax, GresItemSyntax, HostRangeSyntax,
  HostTokenSyntax, MemorySyntax, PatternSyntax, ScontrolPatternPart, SignalSyntax, TimeSyntax,
} from './syntax.js';

export type { ValueError, Result } from './result.js';
export { ok, fail } from './result.js';
export type * from './syntax.js';

type Scan<T> = { ok: true; value: T } | { ok: false; offset: number; detail: string };

function describe(text: string, offset: number): string {
  return offset >= text.length ? 'unexpected end of value' : `unexpected ${JSON.stringify(text[offset])}`;
}

function scan<T>(mode: ValueMode, text: string, invoke: (p: ValueEngine) => T): Scan<T> {
  const p = valueParser(mode);
  try {
    const lexed = tokenize(mode, text);
    p.prepare(text);
    p.input = lexed.tokens;
    const value = invoke(p);
    const err = p.errors[0];
    if (err) {
      const offset = p.offsetOf(err.token);
      return { ok: false, offset, detail: describe(text, offset) };
    }
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ScanStop) return { ok: false, offset: e.pos, detail: describe(text, e.pos) };
    return { ok: false, offset: 0, detail: `internal parser error: ${String(e)}` };
  }
}

function asResult<T>(s: Scan<T>): Result<T> {
  return s.ok ? ok(s.value) : fail(s.detail, Math.max(1, s.offset + 1));
}

/** A plain value's syntax (plain.ts) as the grammar would give it, else the grammar's result. */
function plainOr<T>(plain: T | undefined, grammar: () => Result<T>): Result<T> {
  return plain !== undefined ? ok(plain) : grammar();
}

export const timeLimitSyntax = (text: string): Result<TimeSyntax> =>
  plainOr(plainTime(text), () => asResult(scan('time', text, (p) => p.timeLimit())));
export const memorySyntax = (text: string): Result<MemorySyntax> =>
  plainOr(plainMemory(text), () => asResult(scan('memory', text, (p) => p.memory())));
/** A whole value that must be one strtol() number (e.g. after `uts`). */
export const cnumSyntax = (text: string): Result<CNum> => asResult(scan('cnum', text, (p) => p.cnum()));
export const arraySyntax = (text: string): Result<ArrayPieceSyntax[]> => asResult(scan('array', text, (p) => p.arraySpec()));
export const dependencySyntax = (text: string): Result<DependencySyntax> => asResult(scan('dependency', text, (p) => p.dependency()));
export const hostlistSyntax = (text: string): Result<HostTokenSyntax[]> => asResult(scan('hostlist', text, (p) => p.hostlist()));
export const hostRangeSyntax = (text: string): Result<HostRangeSyntax> => asResult(scan('hostlist', text, (p) => p.hostRange()));
export const gresSyntax = (text: string): Result<GresItemSyntax[]> =>
  plainOr(plainGres(text), () => asResult(scan('gres', text, (p) => p.gres())));
export const exportSyntax = (text: string): Result<ExportTokenSyntax[]> => asResult(scan('export', text, (p) => p.exportList()));
export const patternSyntax = (text: string): Result<PatternSyntax> => asResult(scan('fname', text, (p) => p.fnamePattern()));
export const scontrolPatternSyntax = (text: string): Result<ScontrolPatternPart[]> =>
  asResult(scan('fname', text, (p) => p.fnameScontrol()));

export function signalSyntax(text: string, batchAllowed: boolean): Result<SignalSyntax> {
  return asResult(
    scan('signal', text, (p) => {
      p.signalBatchAllowed = batchAllowed;
      return p.signalSpec();
    }),
  );
}

/** parse_time()'s scan: on failure `pos` is the value Slurm prints as `(pos=N)` (it can be -1). */
export function dateSyntax(text: string): { ok: true; value: DateSyntax } | { ok: false; pos: number } {
  const s = scan('date', text, (p) => p.dateTime());
  return s.ok ? s : { ok: false, pos: s.offset };
}

// The plainest, most common values of three kinds, recognised without the grammar: a time limit in
// digits (`30`, `01:00:00`, `1-12:00:00`), a memory size (`4G`, `64GB`, `4000`) and a gres or GPU request
// of one item (`gpu:1`, `gpu:h100:8`, `4`). Each function returns exactly the syntax the kind's grammar
// returns for such a value (same fields, same order), or undefined for anything else, which the grammar
// then parses. Lexing and parsing a short value with Chevrotain costs microseconds; almost every job
// script has such values. test/unit/values/plain.test.ts checks every function against the grammar.
import type { CNum, GresFieldSyntax, GresItemSyntax, MemorySyntax, TimeSyntax } from './syntax.js';

/** `M`, `M:S`, `H:M:S`: the time grammar's `clock` form, all digits. */
const CLOCK = /^(\d+)(?::(\d+))?(?::(\d+))?$/;
/** `D-H`, `D-H:M`, `D-H:M:S`: its `days` form without a leading dash or an empty hour. */
const DAYS = /^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$/;

export function plainTime(text: string): TimeSyntax | undefined {
  const clock = CLOCK.exec(text);
  if (clock) return { kind: 'clock', a: clock[1]!, b: clock[2] ?? null, c: clock[3] ?? null };
  const days = DAYS.exec(text);
  if (days) return { kind: 'days', lead: false, d: days[1]!, h: days[2]!, m: days[3] ?? null, s: days[4] ?? null };
  return undefined;
}

/** Digits, then optionally a unit letter and a `B`: no blanks or sign before the number. */
const MEMORY = /^(\d+)(?:([kKmMgGtT])([bB])?)?$/;

export function plainMemory(text: string): MemorySyntax | undefined {
  const m = MEMORY.exec(text);
  if (!m) return undefined;
  const num: CNum = { neg: false, digits: m[1]!, offset: 0 };
  return { num, unit: m[2] ?? null, byte: m[3] !== undefined };
}

/** One item of one to three non-empty fields of letters and digits. */
const GRES_ITEM = /^[A-Za-z0-9]+(?::[A-Za-z0-9]+){0,2}$/;
/** The grammar's count shape: a run of digits, then only a run of letters if anything. */
const GRES_COUNT = /^(\d+)([A-Za-z]*)$/;

export function plainGres(text: string): GresItemSyntax[] | undefined {
  if (!GRES_ITEM.test(text)) return undefined;
  const fields: GresFieldSyntax[] = [];
  let offset = 0;
  for (const field of text.split(':')) {
    const count = GRES_COUNT.exec(field);
    fields.push({ text: field, offset, count: count ? { digits: count[1]!, suffix: count[2]! } : null, hasColon: false });
    offset += field.length + 1;
  }
  return [{ offset: 0, text, fields }];
}

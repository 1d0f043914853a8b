/**
 * Slurm's `-o "%.18i %9P..."` format strings, shared by squeue and sinfo: a
 * prefix, then fields (`%[.][width]code`) each followed by literal text up to
 * the next `%`. One helper pads and cuts values as Slurm's `_print_str` does.
 */
import { fitBytes } from './bytes.js';

export interface FormatField<C extends string = string> {
  code: C;
  /** 0 = as wide as the value */
  width: number;
  right: boolean;
  /** literal text printed after the field (header too) */
  suffix: string;
}

export interface ParsedFormat<C extends string = string> {
  prefix: string;
  fields: FormatField<C>[];
  /** characters after `%` that are not codes: the first, and every one (squeue reports each) */
  invalid?: string;
  invalids: string[];
}

/** Parse a `-o` string; `isCode` says which letters are fields. */
export function parseFormat<C extends string>(format: string, isCode: (c: string) => c is C): ParsedFormat<C> {
  const out: ParsedFormat<C> = { prefix: '', fields: [], invalids: [] };
  let i = format.indexOf('%');
  out.prefix = i < 0 ? format : format.slice(0, i);
  while (i >= 0 && i < format.length) {
    let j = i + 1;
    let right = false;
    if (format[j] === '.') {
      right = true;
      j++;
    }
    let digits = '';
    while (j < format.length && /[0-9]/.test(format[j]!)) digits += format[j++];
    const code = format[j] ?? '';
    const next = format.indexOf('%', j + 1);
    const suffix = format.slice(j + 1, next < 0 ? undefined : next);
    if (isCode(code)) out.fields.push({ code, width: digits ? Number(digits) : 0, right, suffix });
    else {
      out.invalid ??= code;
      out.invalids.push(code);
      // unknown codes print as text, as squeue does after complaining
      const text = format.slice(i, next < 0 ? undefined : next);
      if (out.fields.length) out.fields[out.fields.length - 1]!.suffix += text;
      else out.prefix += text;
    }
    i = next;
  }
  return out;
}

/** Pad to `width` bytes (right- or left-justified); longer values are cut to `width` bytes when `cut` (bytes.ts). */
export const fit = fitBytes;

/** One `-O` item, `Name[:[.][width][suffix]]` (squeue and sinfo): no `:` means width 20, left-justified; a `:` without a width means as wide as the value. */
export function parseFieldItem(item: string): { name: string; width: number; right: boolean; suffix: string } {
  const colon = item.indexOf(':');
  if (colon < 0) return { name: item, width: 20, right: false, suffix: '' };
  const m = /^(\.?)(\d*)(.*)$/s.exec(item.slice(colon + 1))!;
  return { name: item.slice(0, colon), width: m[2] ? Number(m[2]) : 0, right: m[1] === '.', suffix: m[3]! };
}

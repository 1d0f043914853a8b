/**
 * sacct's table: the `-o` field list (names with optional `%N` / `%-N` widths)
 * and the three ways of printing it (print_fields.c): fixed width (values cut
 * with a `+`, header and a dash line), `-p` (delimiter after every field) and
 * `-P` (between fields). Rows in, text out.
 */
import { byteWidth, cutBytes, fitBytes } from '../bytes.js';
import { FIELDS, fieldByName, type AcctField, type PrintContext } from './fields.js';
import type { AcctRow } from './rows.js';

export interface Column {
  field: AcctField;
  /** negative: left-justified */
  width: number;
}

export type ColumnsResult = { ok: true; columns: Column[] } | { ok: false; message: string };

/** C's atoi(): optional blanks and sign, then digits (0 when none). */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * The columns of a field list (every `-o`, `-b`, `-l` or the default, each
 * followed by a comma, as sacct concatenates them). A width given to a field
 * applies to every column of that field, as in sacct (it changes the field's
 * own entry). Unknown name: Slurm's message.
 */
export function parseColumns(list: string): ColumnsResult {
  const fields: AcctField[] = [];
  const widths = new Map<AcctField, number>();
  for (const raw of list.split(',')) {
    const item = raw.replace(/^[ \t\n\v\f\r]+/, '');
    if (item === '') continue;
    const pct = item.indexOf('%');
    const name = pct < 0 ? item : item.slice(0, pct);
    const width = pct < 0 ? undefined : atoi(item.slice(pct + 1));
    if (name.length <= 3 && 'all'.startsWith(name.toLowerCase())) {
      for (const x of FIELDS) {
        if (width !== undefined) widths.set(x, width);
        fields.push(x);
      }
      continue;
    }
    const field = fieldByName(name);
    if (!field) return { ok: false, message: `Invalid field requested: "${name}"` };
    if (width !== undefined) widths.set(field, width);
    fields.push(field);
  }
  return { ok: true, columns: fields.map((field) => ({ field, width: widths.get(field) ?? field.width })) };
}

export interface PrintMode {
  /** 'fixed', or parsable with (`-p`) or without (`-P`) a delimiter after the last field */
  kind: 'fixed' | 'parsable' | 'parsable2';
  delimiter: string;
}

/** A value in its column: cut to the width with its last byte made `+`, then padded (by bytes, bytes.ts). */
function cell(value: string, width: number): string {
  const abs = Math.abs(width);
  let v = value;
  if (byteWidth(v) > abs) v = abs > 0 ? `${cutBytes(v, abs - 1)}+` : '';
  return fitBytes(v, abs, width >= 0);
}

function joined(values: string[], mode: PrintMode): string {
  if (mode.kind === 'parsable2') return values.join(mode.delimiter);
  return values.map((v) => v + mode.delimiter).join('');
}

/** The header: names (cut without a `+`), and in fixed mode a line of dashes under each. */
export function headerText(columns: readonly Column[], mode: PrintMode): string {
  if (mode.kind !== 'fixed') return `${joined(columns.map((c) => c.field.name), mode)}\n`;
  let names = '';
  let dashes = '';
  for (const c of columns) {
    const abs = Math.abs(c.width);
    const name = c.field.name.slice(0, abs);
    names += `${c.width < 0 ? name.padEnd(abs) : name.padStart(abs)} `;
    dashes += `${'-'.repeat(abs)} `;
  }
  return `${names}\n${dashes}\n`;
}

/** One row: in fixed mode each value in its column and a space; else values and delimiters (no array per row). */
export function rowText(row: AcctRow, columns: readonly Column[], mode: PrintMode, c: PrintContext): string {
  let line = '';
  if (mode.kind === 'fixed') {
    for (let i = 0; i < columns.length; i++) {
      const col = columns[i]!;
      line += cell(col.field.print(row, c), col.width) + ' ';
    }
    return line + '\n';
  }
  const d = mode.delimiter;
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) line += d;
    line += columns[i]!.field.print(row, c);
  }
  return mode.kind === 'parsable' ? line + d + '\n' : line + '\n';
}

/**
 * squeue output: rows in, text out. `-o` formats (`%.18i %.9P ...`) and `-O`
 * field lists (`JobID:20,State:.12`) both become a list of columns.
 */
import { fit, parseFieldItem, parseFormat, type FormatField } from '../columns.js';
import { BY_LETTER, BY_NAME, type Field, type PrintContext, type Row } from './fields.js';

export const DEFAULT_FORMAT = '%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R';
export const LONG_FORMAT = '%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R';

export interface Column {
  field: Field;
  width: number;
  right: boolean;
  suffix: string;
}

export interface Layout {
  prefix: string;
  columns: Column[];
  /** bad `%x` letters or -O names: squeue complains about each, then prints the rest */
  invalids: string[];
}

const isLetter = (c: string): c is string => BY_LETTER.has(c);

export function layoutFromFormat(format: string): Layout {
  const p = parseFormat(format, isLetter);
  return {
    prefix: p.prefix,
    columns: p.fields.map((f: FormatField) => ({ field: BY_LETTER.get(f.code)!, width: f.width, right: f.right, suffix: f.suffix })),
    invalids: p.invalids,
  };
}

/** An -O name squeue does not know: an empty column, after an error message. */
const UNKNOWN: Field = { names: [], header: '', uses: [], print: () => '' };

/**
 * `-O Name[:[.][width][suffix]],...`: left-justified, width 20 without a
 * colon, as wide as the value with a colon but no width.
 */
export function layoutFromFields(spec: string): Layout {
  const columns: Column[] = [];
  const invalids: string[] = [];
  for (const item of spec.split(',')) {
    if (item === '') continue;
    const { name, width, right, suffix } = parseFieldItem(item);
    const known = BY_NAME.get(name.toLowerCase());
    if (!known) invalids.push(name);
    columns.push({ field: known ?? UNKNOWN, width, right, suffix });
  }
  return { prefix: '', columns, invalids };
}

export function headerLine(l: Layout): string {
  return l.prefix + l.columns.map((c) => fit(c.field.header, c.width, c.right) + c.suffix).join('');
}

export function rowLine(l: Layout, r: Row, now: number, ctx: PrintContext): string {
  let line = l.prefix;
  for (const c of l.columns) line += fit(c.field.print(r, now, ctx), c.width, c.right, !(c.right && c.field.noCutRight)) + c.suffix;
  return line;
}

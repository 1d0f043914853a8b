/**
 * sinfo output: a `-o` format (`%9P %.5a ...`) or an `-O` field list
 * (`partition:9 ,nodes:.6`) becomes a list of columns; records in, lines out.
 * Widths, justification and cutting as Slurm's _print_str; the default
 * formats size the PARTITION (and, with -N, NODELIST) column to the data.
 */
import { byteWidth, fitBytes } from '../bytes.js';
import { parseFieldItem } from '../columns.js';
import type { MatchFlag, SinfoRecord } from './records.js';
import { BY_LETTER, BY_NAME, type PrintContext, type SinfoField } from './fields.js';

export interface SinfoColumn {
  /** undefined: an invalid specification, only its suffix is printed */
  field?: SinfoField;
  width: number;
  right: boolean;
  suffix: string;
}

export interface SinfoLayout {
  columns: SinfoColumn[];
  /** the properties the shown fields group nodes by */
  match: Set<MatchFlag>;
  /** lines for stderr, as Slurm words them */
  errors: string[];
}

/** The formats sinfo uses when given none (Slurm 22.05 opts.c), and whether they size columns. */
export function defaultFormat(o: { summarize: boolean; node: boolean; long: boolean; listReasons: boolean }): { spec: string; partSized: boolean; nodeSized: boolean } {
  if (o.summarize) return { spec: 'partition:9 ,available:.5 ,time:.10 ,nodeaiot:.16 ,nodelist:0', partSized: true, nodeSized: false };
  if (o.node) {
    return {
      spec: o.long
        ? 'nodelist:0 ,nodes:.6 ,partition:.9 ,statelong:.11 ,cpus:4 ,socketcorethread:.8 ,memory:.6 ,disk:.8 ,weight:.6 ,features:.8 ,reason:20'
        : 'nodelist:0 ,nodes:.6 ,partition:.9 ,statecompact:6',
      partSized: true,
      nodeSized: true,
    };
  }
  if (o.listReasons) {
    return {
      spec: o.long ? 'reason:20 ,userlong:12 ,timestamp:19 ,statecompact:6 ,nodelist:0' : 'reason:20 ,user:9 ,timestamp:19 ,nodelist:0',
      partSized: false,
      nodeSized: false,
    };
  }
  return {
    spec: o.long
      ? 'partition:9 ,available:.5 ,time:.10 ,size:.10 ,root:.4 ,oversubscribe:.8 ,groups:.10 ,nodes:.6 ,statelong:.11 ,nodelist:0'
      : 'partition:9 ,available:.5 ,time:.10 ,nodes:.6 ,statecompact:.6 ,nodelist:0',
    partSized: true,
    nodeSized: false,
  };
}

function layoutOf(columns: SinfoColumn[], errors: string[]): SinfoLayout {
  const match = new Set<MatchFlag>();
  for (const c of columns) if (c.field?.match) match.add(c.field.match);
  return { columns, match, errors };
}

/** `-o`: text before the first `%` is a prefix; each `%[.][width]letter` takes the text up to the next `%`. */
export function layoutFromFormat(format: string): SinfoLayout {
  const errors: string[] = [];
  const columns: SinfoColumn[] = [];
  let spec = format;
  let all = false;
  if (format.toLowerCase() === '%all') {
    all = true;
    spec = `%a${[...'bcdefghijklmnopqrstuvwxyz'].map((c) => `|%${c}`).join('')}${[...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => `|%${c} `).join('')}`;
  }
  const first = spec.indexOf('%');
  const prefix = first < 0 ? spec : spec.slice(0, first);
  if (prefix) columns.push({ width: 0, right: false, suffix: prefix });
  if (first >= 0) {
    // strtok(): empty tokens (`%%`) are skipped
    for (const token of spec.slice(first).split('%').filter((t) => t !== '')) {
      let i = 0;
      const right = token[0] === '.';
      if (right) i++;
      let digits = '';
      while (i < token.length && token[i]! >= '0' && token[i]! <= '9') digits += token[i++];
      const letter = token[i] ?? '';
      const suffix = token.slice(i + 1);
      const width = digits ? Number(digits) : 0;
      const field = BY_LETTER.get(letter);
      if (field) columns.push({ field, width, right, suffix });
      else if (!all) {
        columns.push({ width, right, suffix: `%${token}` });
        errors.push(`Invalid node format specification: ${letter}`);
      }
    }
  }
  return layoutOf(columns, errors);
}

/** `-O name[:[.][width][suffix]],...`: no `:` means width 20, left-justified. */
export function layoutFromFields(spec: string): SinfoLayout {
  const errors: string[] = [];
  const columns: SinfoColumn[] = [];
  for (const item of spec.split(',').filter((t) => t !== '')) {
    const { name, width, right, suffix } = parseFieldItem(item);
    if (name.toLowerCase() === 'all') {
      columns.push(...layoutFromFormat('%all').columns);
      continue;
    }
    const field = BY_NAME.get(name.toLowerCase());
    if (field) columns.push({ field, width, right, suffix });
    else {
      columns.push({ width, right, suffix });
      errors.push(`sinfo: error: Invalid job format specification: ${name}`);
    }
  }
  return layoutOf(columns, errors);
}

/** _print_str(): cut to the width (leftmost bytes) unless `uncut` and right-justified, then pad (by bytes, bytes.ts). */
function cell(value: string, width: number, right: boolean, uncut = false): string {
  return fitBytes(value, width, right, !(uncut && right));
}

function widthOf(c: SinfoColumn, ctx: PrintContext): number {
  if (c.field?.sized === 'partition' && ctx.partWidth !== undefined) return ctx.partWidth;
  if (c.field?.sized === 'node' && ctx.nodeWidth !== undefined) return ctx.nodeWidth;
  return c.width;
}

export function headerLine(l: SinfoLayout, ctx: PrintContext): string {
  let out = '';
  for (const c of l.columns) {
    if (c.field) out += cell(c.field.header, widthOf(c, ctx), c.right, c.field.headerUncut);
    out += c.suffix;
  }
  return out;
}

export function recordLine(l: SinfoLayout, r: SinfoRecord, ctx: PrintContext): string {
  let out = '';
  for (const c of l.columns) {
    if (c.field) {
      const w = widthOf(c, ctx);
      out += cell(c.field.value(r, ctx, w), w, c.right);
    }
    out += c.suffix;
  }
  return out;
}

/** _set_part_field_size(): the longest partition name (+1 for the default's `*`), at least 9. */
export function partFieldSize(records: readonly SinfoRecord[]): number {
  return records.reduce((w, r) => Math.max(w, byteWidth(r.part.name) + (r.part.isDefault ? 1 : 0)), 9);
}

/** _set_node_field_size(): the longest node list, at least 9. */
export function nodeFieldSize(records: readonly SinfoRecord[]): number {
  const nodeList = BY_NAME.get('nodelist')!;
  const ctx: PrintContext = { convert: true, preemptMode: 'OFF', version: '' };
  return records.reduce((w, r) => Math.max(w, byteWidth(nodeList.value(r, ctx, 0))), 9);
}

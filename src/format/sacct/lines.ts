/**
 * The accounting lines of a reply (the job id, then the ACCT_FIELDS values,
 * \x1f-separated), read in place: a field is found the first time it is
 * asked for, by scanning the line only that far, and numbers are read without
 * making strings. sacct sorts 10,000 jobs by a few leading fields and prints a
 * few more; the long tail of a line (directories, steps) is scanned only when
 * a format shows it, and no object per job outlives the printing of its rows.
 */

/** One job's line, as the formatting reads it. */
export interface JobLine {
  readonly id: number;
  get(field: string): string;
  /** a number field (0 when empty) */
  num(field: string): number;
  empty(field: string): boolean;
}

export class AcctLines {
  /** fields per line (the index's highest position + 1) */
  private readonly n: number;
  /** starts[k * (n + 1) + i]: where field i of line k starts; known for i <= found[k] */
  private readonly starts: Int32Array;
  private readonly found: Uint8Array;
  private readonly ends: Int32Array;
  private readonly ids: Float64Array;

  private constructor(
    private readonly text: string,
    private readonly index: ReadonlyMap<string, number>,
    /** [from, to) of each line (from < 0: no line) */
    ranges: ArrayLike<number>,
  ) {
    this.n = Math.max(0, ...index.values()) + 1;
    let count = 0;
    // no line (negative start), or the hash's own '#v' version entry
    const skip = (from: number) => from < 0 || text.charCodeAt(from) === 35;
    for (let k = 0; k < ranges.length; k += 2) if (!skip(ranges[k]!)) count++;
    this.count = count;
    this.starts = new Int32Array(count * (this.n + 1));
    this.found = new Uint8Array(count);
    this.ends = new Int32Array(count);
    this.ids = new Float64Array(count);
    let k = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      const from = ranges[r]!;
      if (skip(from)) continue;
      const to = ranges[r + 1]!;
      this.starts[k * (this.n + 1)] = from;
      this.ends[k] = to;
      let id = 0;
      for (let at = from; at < to; at++) {
        const c = text.charCodeAt(at);
        if (c < 48 || c > 57) break;
        id = id * 10 + c - 48;
      }
      this.ids[k++] = id;
    }
  }

  readonly count: number;

  /** The lines at ranges[2k]..ranges[2k + 1] of text (a negative start: no line). */
  static fromText(text: string, ranges: ArrayLike<number>, index: ReadonlyMap<string, number>): AcctLines {
    return new AcctLines(text, index, ranges);
  }

  static fromLines(lines: readonly string[], index: ReadonlyMap<string, number>): AcctLines {
    const ranges = new Int32Array(2 * lines.length);
    let at = 0;
    lines.forEach((line, k) => {
      ranges[2 * k] = at;
      ranges[2 * k + 1] = at + line.length;
      at += line.length + 1;
    });
    return new AcctLines(lines.join('\x1e'), index, ranges);
  }

  id(k: number): number {
    return this.ids[k]!;
  }

  /** Where field i of line k starts (its end is where field i + 1 starts, less one). */
  private locate(k: number, i: number): number {
    const base = k * (this.n + 1);
    let known = this.found[k]!;
    if (known <= i) {
      const to = this.ends[k]!;
      const text = this.text;
      let at = this.starts[base + known]!;
      for (; known <= i && at <= to; at++) {
        if (at === to || text.charCodeAt(at) === 31) this.starts[base + ++known] = at + 1;
      }
      // past the line's last field: every further field is empty
      while (known <= i) this.starts[base + ++known] = to + 1;
      this.found[k] = known;
    }
    return base + i;
  }

  get(k: number, field: string): string {
    const i = this.index.get(field);
    if (i === undefined) return '';
    const at = this.locate(k, i);
    return this.text.slice(this.starts[at], this.starts[at + 1]! - 1);
  }

  num(k: number, field: string): number {
    const i = this.index.get(field);
    return i === undefined ? 0 : this.numAt(k, i);
  }

  /** num() of the field at position i. */
  numAt(k: number, i: number): number {
    const at = this.locate(k, i);
    const start = this.starts[at]!;
    const end = this.starts[at + 1]! - 1;
    let v = 0;
    for (let p = start; p < end; p++) {
      const c = this.text.charCodeAt(p);
      if (c < 48 || c > 57) return Number(this.text.slice(start, end));
      v = v * 10 + c - 48;
    }
    return v;
  }

  empty(k: number, field: string): boolean {
    const i = this.index.get(field);
    return i === undefined || this.emptyAt(k, i);
  }

  /** empty() of the field at position i. */
  emptyAt(k: number, i: number): boolean {
    const at = this.locate(k, i);
    return this.starts[at + 1]! - 1 <= this.starts[at]!;
  }

  /** A field's position in the lines (for loops over every line: no lookup per line). */
  position(field: string): number {
    return this.index.get(field) ?? -1;
  }

  /** Line k as a JobLine (a small view; make it when needed, drop it when done). */
  job(k: number): JobLine {
    return new LineView(this, k);
  }
}

class LineView implements JobLine {
  readonly id: number;

  constructor(private readonly lines: AcctLines, private readonly k: number) {
    this.id = lines.id(k);
  }

  get(field: string): string {
    return this.lines.get(this.k, field);
  }

  num(field: string): number {
    return this.lines.num(this.k, field);
  }

  empty(field: string): boolean {
    return this.lines.empty(this.k, field);
  }
}

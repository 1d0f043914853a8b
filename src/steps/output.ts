/**
 * srun --label: each line a task writes gets `<rank>: ` in front, the rank
 * right-aligned to the width of the largest one (` 9: `, `10: `). Recorded
 * (fixtures/oracle/srun/label): a last line without a newline gets one;
 * with --unbuffered a partial line is written at once, as a line of its
 * own (`0: part` then `0:  rest`). Bytes in, bytes out.
 */
const NL = 0x0a;

export function labelPrefix(procid: number, ntasks: number): string {
  return `${String(procid).padStart(String(Math.max(ntasks - 1, 0)).length)}: `;
}

export class LabelledLines {
  private pending: Buffer[] = [];
  private readonly prefix: Buffer;

  constructor(prefix: string, private readonly unbuffered: boolean, private readonly write: (bytes: Buffer) => void) {
    this.prefix = Buffer.from(prefix);
  }

  push(chunk: Buffer): void {
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, start)) {
      out.push(this.prefix, ...this.pending, chunk.subarray(start, nl + 1));
      this.pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (this.unbuffered) out.push(this.prefix, ...this.pending, chunk.subarray(start), Buffer.from('\n'));
      else this.pending.push(Buffer.from(chunk.subarray(start)));
      if (this.unbuffered) this.pending = [];
    }
    if (out.length) this.write(Buffer.concat(out));
  }

  /** The task's stream closed: a last partial line is written with a newline. */
  end(): void {
    if (this.pending.length) this.write(Buffer.concat([this.prefix, ...this.pending, Buffer.from('\n')]));
    this.pending = [];
  }
}

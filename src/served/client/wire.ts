/**
 * Just enough RESP for the served commands' Node client: commands out,
 * replies in (simple strings, errors, integers, bulk strings as bytes,
 * arrays), fed by whatever bytes arrive; the commands' own client
 * (src/client/resp.ts) brings its retries and TLS, which this one leaves to them.
 */
export type Reply = string | number | null | Uint8Array | Reply[] | ReplyError;

export class ReplyError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommands(commands: (string | number | Uint8Array)[][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const args of commands) {
    parts.push(encoder.encode(`*${args.length}\r\n`));
    for (const a of args) {
      const b = a instanceof Uint8Array ? a : encoder.encode(String(a));
      parts.push(encoder.encode(`$${b.length}\r\n`), b, encoder.encode('\r\n'));
    }
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const text = (r: Reply): string | undefined => (r instanceof Uint8Array ? decoder.decode(r) : typeof r === 'string' ? r : undefined);

/** Replies read off a byte stream as they complete. */
export class ReplyReader {
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;

  feed(chunk: Uint8Array): void {
    this.buf = this.at < this.buf.length ? concat([this.buf.subarray(this.at), chunk]) : chunk;
    this.at = 0;
  }

  /** The next whole reply, or undefined until more bytes come. */
  next(): Reply | undefined {
    const start = this.at;
    const r = this.read();
    if (r === undefined) this.at = start;
    return r;
  }

  private line(): string | undefined {
    for (let i = this.at; i + 1 < this.buf.length; i++) {
      if (this.buf[i] === 13 && this.buf[i + 1] === 10) {
        const l = decoder.decode(this.buf.subarray(this.at, i));
        this.at = i + 2;
        return l;
      }
    }
    return undefined;
  }

  private read(): Reply | undefined {
    const l = this.line();
    if (l === undefined) return undefined;
    const rest = l.slice(1);
    switch (l[0]) {
      case '+':
        return rest;
      case '-':
        return new ReplyError(rest);
      case ':':
        return Number(rest);
      case '$': {
        const n = Number(rest);
        if (n < 0) return null;
        if (this.at + n + 2 > this.buf.length) return undefined;
        const bytes = this.buf.slice(this.at, this.at + n);
        this.at += n + 2;
        return bytes;
      }
      case '*': {
        const n = Number(rest);
        if (n < 0) return null;
        const items: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const item = this.read();
          if (item === undefined) return undefined;
          items.push(item);
        }
        return items;
      }
      default:
        throw new ReplyError(`not a Redis reply: ${l.slice(0, 40)}`);
    }
  }
}

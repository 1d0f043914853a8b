/**
 * Slurm pads and cuts its fixed-width columns with printf, that is by bytes of
 * UTF-8 (fixtures/golden utf8): `héllo` (5 characters, 6 bytes) takes 6 of the
 * 10 columns of `%.10j`, and a cut can fall inside a character (`%.5j` of
 * `日本語` prints `日` and the first two bytes of `本`). Our strings are UTF-16;
 * the bytes of a cut character are kept as lone surrogates U+DC80..U+DCFF
 * (Python's "surrogateescape"), which outputBytes() writes as those bytes.
 */

const ASCII = /^[\x00-\x7f]*$/;
/** a low surrogate that is not the second half of a pair: one escaped byte */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;
const HAS_ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

const isEscape = (ch: string): boolean => ch.length === 1 && ch.charCodeAt(0) >= 0xdc80 && ch.charCodeAt(0) <= 0xdcff;

/** The UTF-8 bytes of one code point (an escaped byte: itself). */
function charBytes(ch: string): Buffer {
  return isEscape(ch) ? Buffer.of(ch.charCodeAt(0) - 0xdc00) : Buffer.from(ch);
}

/** How many bytes `s` prints as. */
export function byteWidth(s: string): number {
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (const ch of s) n += charBytes(ch).length;
  return n;
}

/** The first `n` bytes of `s` (the bytes of a character cut in two escaped). */
export function cutBytes(s: string, n: number): string {
  if (ASCII.test(s)) return s.slice(0, n);
  let out = '';
  let used = 0;
  for (const ch of s) {
    if (used >= n) break;
    const b = charBytes(ch);
    if (used + b.length <= n) {
      out += ch;
      used += b.length;
    } else {
      for (let k = 0; used < n; k++, used++) out += String.fromCharCode(0xdc00 + b[k]!);
    }
  }
  return out;
}

/** Pad to `width` bytes (right- or left-justified); longer values are cut to `width` bytes when `cut`. */
export function fitBytes(value: string, width: number, right: boolean, cut = true): string {
  if (width <= 0) return value;
  const n = byteWidth(value);
  if (n > width) return cut ? cutBytes(value, width) : value;
  const pad = ' '.repeat(width - n);
  return right ? pad + value : value + pad;
}

/** Text as the bytes it stands for: UTF-8, escaped bytes as themselves. */
export function outputBytes(text: string): Buffer {
  if (!HAS_ESCAPED.test(text)) return Buffer.from(text);
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPED)) {
    parts.push(Buffer.from(text.slice(last, m.index)), Buffer.of(text.charCodeAt(m.index!) - 0xdc00));
    last = m.index! + 1;
  }
  parts.push(Buffer.from(text.slice(last)));
  return Buffer.concat(parts);
}

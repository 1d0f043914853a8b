/** Semantic actions: turn the CST of a directive line into words with their columns. */
import type { CstNode, IToken } from 'chevrotain';

export interface Word {
  /** the word after quote removal and escapes */
  text: string;
  /** the word as written (for `hetjob` detection, which looks at the raw text) */
  raw: string;
  /** 0-based offset in the text given to the lexer */
  offset: number;
}

function unquote(inner: string): string {
  return inner.includes('\\') ? inner.replace(/\\([^])/g, '$1') : inner;
}

function partText(token: IToken): string {
  const image = token.image;
  switch (token.tokenType.name) {
    case 'Escaped':
      return image.slice(1);
    case 'DoubleQuoted':
    case 'SingleQuoted':
      return unquote(image.slice(1, -1));
    case 'TrailingBackslash':
      return '';
    default:
      return image;
  }
}

export function wordsOf(line: CstNode, source: string): Word[] {
  const words: Word[] = [];
  for (const node of (line.children.word ?? []) as CstNode[]) {
    const tokens = Object.values(node.children).flat() as IToken[];
    tokens.sort((a, b) => a.startOffset - b.startOffset);
    const first = tokens[0]!;
    const last = tokens[tokens.length - 1]!;
    let text = '';
    for (const t of tokens) text += partText(t);
    words.push({ text, raw: source.slice(first.startOffset, last.startOffset + last.image.length), offset: first.startOffset });
  }
  return words;
}

// File name patterns (--output, --error, --input) and what scontrol shows of them: fname_create().
// Rules only: the meaning is src/job/values.
import type { IToken } from 'chevrotain';
import * as T from '../tokens.js';
import { alt, onNextToken } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { PatternCode, PatternPart, PatternSyntax, ScontrolPatternPart } from '../syntax.js';

const PATTERN_CODES = new Set<string>(['a', 'A', 'j', 'J', 's', 'N', 'n', 't', 'u', 'x']);
const SCONTROL_CODES = new Set<string>(['A', 'a', 'j', 'u', 'x']);

/** Adds text to the pattern's parts, joined to a text part just before it; nothing for ''. */
function addText(parts: PatternPart[], s: string): void {
  if (s === '') return;
  const prev = parts[parts.length - 1];
  if (prev?.kind === 'text') prev.text += s;
  else parts.push({ kind: 'text', text: s });
}

/** Adds text to scontrol's parts as addText does, except that '' still starts a text part after a code. */
function addScontrolText(parts: ScontrolPatternPart[], s: string): void {
  const prev = parts[parts.length - 1];
  if (prev?.kind === 'text') prev.text += s;
  else parts.push({ kind: 'text', text: s });
}

/** The kind's rules as a mixin: FnameParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function FnameRules<B extends ParserClass>(Base: B) {
  abstract class FnameRules extends Base {
    // ---- filename patterns: fname_create() ------------------------------------------------------------------------------
    public fnamePattern = this.RULE('fnamePattern', (): PatternSyntax => {
      const parts: PatternPart[] = [];
      // the pattern as Slurm leaves it after removing escapes: `escaping` while a backslash waits for
      // the next character (any raw text ends the wait)
      let escaped = '';
      let escaping = false;
      let hasBackslash = false;
      this.many(0, () =>
        this.or(0, [
          alt(() => {
            this.consume(0, T.PctPct);
            this.ACTION(() => {
              addText(parts, '%');
              escaped += '%%';
              escaping = false;
            });
          }),
          alt(() => {
            this.consume(1, T.Percent);
            let width: IToken | null = null;
            let word: IToken | null = null;
            this.option(0, () => { width = this.consume(2, T.Digits); });
            this.option(1, onNextToken(() => { word = this.consume(3, T.FnWord); }));
            this.ACTION(() => {
              const w = width as IToken | null;
              const v = word as IToken | null;
              escaped += '%' + (w?.image ?? '') + (v?.image ?? '');
              escaping = false;
              // after a width Slurm resumes copying from the width's last digit
              const pending = w ? w.image.slice(-1) : '%';
              if (v && PATTERN_CODES.has(v.image[0]!)) {
                parts.push({ kind: 'code', code: v.image[0] as PatternCode, width: w ? Math.min(Number(w.image), 10) : 0 });
                addText(parts, v.image.slice(1));
              } else {
                addText(parts, pending + (v?.image ?? ''));
              }
            });
          }),
          alt(() => {
            this.consume(4, T.Backslash);
            this.ACTION(() => {
              hasBackslash = true;
              if (escaping) {
                escaped += '\\';
                escaping = false;
              } else {
                escaping = true;
              }
              addText(parts, '\\');
            });
          }),
          alt(() => {
            const tok = this.consume(10, T.FnPlain);
            this.ACTION(() => {
              addText(parts, tok.image);
              escaped += tok.image;
              escaping = false;
            });
          }),
        ]),
      );
      return { parts, escaped: hasBackslash ? escaped : null };
    });

    /** What scontrol shows in StdOut=/StdErr=: only %A %a %j %u %x, no widths, no escapes. */
    public fnameScontrol = this.RULE('fnameScontrol', (): ScontrolPatternPart[] => {
      const parts: ScontrolPatternPart[] = [];
      this.many(0, () =>
        this.or(0, [
          alt(() => { this.consume(1, T.PctPct); this.scontrolCode(parts, 0, '%'); }),
          alt(() => { this.consume(2, T.Percent); this.scontrolCode(parts, 1, ''); }),
          alt(() => {
            const tok = this.consume(10, T.FnScontrolPlain);
            this.ACTION(() => addScontrolText(parts, tok.image));
          }),
        ]),
      );
      return parts;
    });

    /** After `%` (lead '') or `%%` (lead '%'): a code scontrol expands if one follows, else the text as is.
     * `idx` tells the two places apart for Chevrotain (OPTION and CONSUME indices). */
    private scontrolCode(parts: ScontrolPatternPart[], idx: number, lead: string): void {
      let word: IToken | null = null;
      this.option(idx, onNextToken(() => { word = this.consume(idx, T.FnWord); }, () => this.scontrolCodeNext()));
      this.ACTION(() => {
        const w = word as IToken | null;
        if (w) {
          addScontrolText(parts, lead);
          parts.push({ kind: 'code', code: w.image[0] as 'A' | 'a' | 'j' | 'u' | 'x' });
          if (w.image.length > 1) addScontrolText(parts, w.image.slice(1));
        } else {
          addScontrolText(parts, lead + '%');
        }
      });
    }

    private scontrolCodeNext(): boolean {
      const tok = this.LA(1);
      return tok.tokenType === T.FnWord && SCONTROL_CODES.has(tok.image[0]!);
    }
  }
  return FnameRules;
}

export class FnameParser extends FnameRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('fname'), options);
    this.performSelfAnalysis();
  }
}

// File name patterns (--output, --error, --input) and what scontrol shows of them: fname_create().
// Rules only: the meaning is src/spec/values.
import type { IToken } from 'chevrotain';
import * as T from '../tokens.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { PatternCode, PatternPart, PatternSyntax, ScontrolPatternPart } from '../syntax.js';

const PATTERN_CODES = new Set<string>(['a', 'A', 'j', 'J', 's', 'N', 'n', 't', 'u', 'x']);
const SCONTROL_CODES = new Set<string>(['A', 'a', 'j', 'u', 'x']);

/** The kind's rules as a mixin: FnameParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function FnameRules<B extends ParserClass>(Base: B) {
  abstract class FnameRules extends Base {
    // ---- filename patterns: fname_create() ------------------------------------------------------------------------------
    public fnamePattern = this.RULE('fnamePattern', (): PatternSyntax => {
      const parts: PatternPart[] = [];
      let escaped = '';
      let escaping = false;
      let hasBackslash = false;
      const text = (s: string): void => {
        if (s === '') return;
        const prev = parts[parts.length - 1];
        if (prev?.kind === 'text') prev.text += s;
        else parts.push({ kind: 'text', text: s });
      };
      const raw = (s: string): void => {
        escaped += s;
        escaping = false;
      };
      this.many(0, () =>
        this.or(0, [
          { ALT: () => { this.consume(0, T.PctPct); this.ACTION(() => { text('%'); raw('%%'); }); } },
          {
            ALT: () => {
              this.consume(1, T.Percent);
              let width: IToken | null = null;
              let word: IToken | null = null;
              this.option(0, () => { width = this.consume(2, T.Digits); });
              this.option(1, { MAX_LOOKAHEAD: 1, DEF: () => { word = this.consume(3, T.FnWord); } });
              this.ACTION(() => {
                const w = width as IToken | null;
                const v = word as IToken | null;
                raw('%' + (w?.image ?? '') + (v?.image ?? ''));
                // after a width Slurm resumes copying from the width's last digit
                const pending = w ? w.image.slice(-1) : '%';
                if (v && PATTERN_CODES.has(v.image[0]!)) {
                  parts.push({ kind: 'code', code: v.image[0] as PatternCode, width: w ? Math.min(Number(w.image), 10) : 0 });
                  text(v.image.slice(1));
                } else {
                  text(pending + (v?.image ?? ''));
                }
              });
            },
          },
          {
            ALT: () => {
              this.consume(4, T.Backslash);
              this.ACTION(() => {
                hasBackslash = true;
                if (escaping) raw('\\');
                else escaping = true;
                text('\\');
              });
            },
          },
          {
            ALT: () => {
              const tok = this.consume(10, T.FnPlain);
              this.ACTION(() => { text(tok.image); raw(tok.image); });
            },
          },
        ]),
      );
      return { parts, escaped: hasBackslash ? escaped : null };
    });

    /** What scontrol shows in StdOut=/StdErr=: only %A %a %j %u %x, no widths, no escapes. */
    public fnameScontrol = this.RULE('fnameScontrol', (): ScontrolPatternPart[] => {
      const parts: ScontrolPatternPart[] = [];
      const text = (s: string): void => {
        const prev = parts[parts.length - 1];
        if (prev?.kind === 'text') prev.text += s;
        else parts.push({ kind: 'text', text: s });
      };
      const codeWordNext = (): boolean => {
        const tok = this.LA(1);
        return tok.tokenType === T.FnWord && SCONTROL_CODES.has(tok.image[0]!);
      };
      const percentThen = (idx: number, lead: string): void => {
        let word: IToken | null = null;
        this.option(idx, { MAX_LOOKAHEAD: 1, GATE: codeWordNext, DEF: () => { word = this.consume(idx, T.FnWord); } });
        this.ACTION(() => {
          const w = word as IToken | null;
          if (w) {
            text(lead);
            parts.push({ kind: 'code', code: w.image[0] as 'A' | 'a' | 'j' | 'u' | 'x' });
            if (w.image.length > 1) text(w.image.slice(1));
          } else {
            text(lead + '%');
          }
        });
      };
      this.many(0, () =>
        this.or(0, [
          { ALT: () => { this.consume(1, T.PctPct); percentThen(0, '%'); } },
          { ALT: () => { this.consume(2, T.Percent); percentThen(1, ''); } },
          {
            ALT: () => {
              const tok = this.consume(10, T.FnScontrolPlain);
              this.ACTION(() => text(tok.image));
            },
          },
        ]),
      );
      return parts;
    });
  }
  return FnameRules;
}

export class FnameParser extends FnameRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('fname'), options);
    this.performSelfAnalysis();
  }
}

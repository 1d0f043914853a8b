// One parser class with one start rule per option-value kind (rules only; the meaning of what they
// return is src/spec/values). Slurm's own parsers for these values are hand-written character scanners
// with quirks that real scripts rely on, so several rules look at the raw text ahead (GATEs) and a few
// decisions use MAX_LOOKAHEAD 1 so the first character decides, exactly as in Slurm.
import { EmbeddedActionsParser, EOF } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens.js';
import type {
  ArrayPieceSyntax, CNum, DateItem, DateKeyword, DateSyntax, DateUnit, DepJobRefSyntax, DepTermSyntax,
  DependencySyntax, ExportTokenSyntax, GresFieldSyntax, GresItemSyntax, HostRangeSyntax, HostTokenSyntax,
  MemorySyntax, PatternCode, PatternPart, PatternSyntax, ScontrolPatternPart, SignalSyntax, TimeSyntax,
} from './syntax.js';

/** Thrown (and caught by the caller of the rule) when parse_time() would stop with an error. */
export class ScanStop {
  constructor(readonly pos: number) {}
}

const PATTERN_CODES = new Set<string>(['a', 'A', 'j', 'J', 's', 'N', 'n', 't', 'u', 'x']);
const SCONTROL_CODES = new Set<string>(['A', 'a', 'j', 'u', 'x']);

const UNIT_OF = new Map<TokenType, DateUnit>([
  [T.UnitSeconds, 'seconds'], [T.UnitMinutes, 'minutes'], [T.UnitHours, 'hours'], [T.UnitDays, 'days'], [T.UnitWeeks, 'weeks'],
]);

const isDigitChar = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export class ValueParser extends EmbeddedActionsParser {
  /** The value text being parsed (set by grammar/values/index.ts before a rule is invoked). */
  source = '';
  /** --signal: the `B` flag exists only for sbatch (Slurm asks "am I sbatch?"). */
  signalBatchAllowed = true;
  private lastRBracket = -1;
  private hostStray = false;
  private quoteSingle = 0;
  private quoteDouble = 0;

  /** `validate`: run Chevrotain's grammar checks (ambiguities, duplicate DSL indices…); a test does, the
   * shared instance skips them to keep start-up fast. */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: false, maxLookahead: 3, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  /** Called before each parse. */
  prepare(text: string): void {
    this.source = text;
    this.lastRBracket = text.lastIndexOf(']');
  }

  offsetOf(tok: IToken): number {
    return Number.isNaN(tok.startOffset) || tok.tokenType === EOF ? this.source.length : tok.startOffset;
  }

  private endOf(tok: IToken): number {
    return this.offsetOf(tok) + tok.image.length;
  }

  private stop(pos: number): never {
    throw new ScanStop(pos);
  }

  // ---- shared: a strtol() number ------------------------------------------------------------------------
  public cnum = this.RULE('cnum', (): CNum => {
    const offset = this.offsetOf(this.LA(1));
    let neg = false;
    this.option(0, () => this.consume(0, T.Ws));
    this.option(1, () =>
      this.or(0, [
        { ALT: () => this.consume(1, T.Plus) },
        { ALT: () => { this.consume(2, T.Dash); neg = true; } },
      ]),
    );
    const digits = this.consume(3, T.Digits);
    return { neg, digits: digits.image, offset };
  });

  // ---- time limit: time_str2secs() accepts only digits, one '-' and up to two ':' -------------------------
  public timeLimit = this.RULE('timeLimit', (): TimeSyntax =>
    this.or(0, [
      { ALT: (): TimeSyntax => ({ kind: 'word', word: this.consume(0, T.TimeWord).image }) },
      {
        ALT: (): TimeSyntax => {
          this.consume(1, T.Dash);
          return { kind: 'days', lead: true, d: this.consume(2, T.Digits).image, h: null, m: null, s: null };
        },
      },
      {
        ALT: (): TimeSyntax => {
          const a = this.consume(3, T.Digits).image;
          return this.or(1, [
            {
              ALT: (): TimeSyntax => {
                this.consume(4, T.Dash);
                let h: string | null = null;
                let m: string | null = null;
                let s: string | null = null;
                this.option(0, () => {
                  h = this.consume(5, T.Digits).image;
                  this.option(1, () => {
                    this.consume(6, T.Colon);
                    m = this.consume(7, T.Digits).image;
                    this.option(2, () => {
                      this.consume(8, T.Colon);
                      s = this.consume(9, T.Digits).image;
                    });
                  });
                });
                return { kind: 'days', lead: false, d: a, h, m, s };
              },
            },
            {
              ALT: (): TimeSyntax => {
                let b: string | null = null;
                let c: string | null = null;
                this.option(3, () => {
                  this.consume(10, T.Colon);
                  b = this.consume(11, T.Digits).image;
                  this.option(4, () => {
                    this.consume(12, T.Colon);
                    c = this.consume(13, T.Digits).image;
                  });
                });
                return { kind: 'clock', a, b, c };
              },
            },
          ]);
        },
      },
    ]),
  );

  // ---- memory: strtoll() then one unit letter, optionally followed by B --------------------------------------
  public memory = this.RULE('memory', (): MemorySyntax => {
    const num = this.subrule(0, this.cnum);
    let unit: string | null = null;
    let byte = false;
    this.option(0, () => {
      unit = this.consume(0, T.MemUnit).image;
      this.option(1, () => {
        this.consume(1, T.MemByte);
        byte = true;
      });
    });
    return { num, unit, byte };
  });

  // ---- dates: parse_time() ----------------------------------------------------------------------------------
  public dateTime = this.RULE('dateTime', (): DateSyntax => {
    const items: DateItem[] = [];
    this.many(0, () => {
      const item = this.or(0, {
        MAX_LOOKAHEAD: 1,
        DEF: [
          { ALT: (): null => { this.consume(20, T.DateSkip); return null; } },
          { ALT: (): DateItem => this.subrule(0, this.dateKeyword) },
          { ALT: (): DateItem => this.subrule(1, this.dateNow) },
          { ALT: (): DateItem => this.subrule(2, this.dateNumber) },
        ],
      });
      this.ACTION(() => { if (item) items.push(item); });
    });
    return { items, errorPos: null };
  });

  private dateKeyword = this.RULE('dateKeyword', (): DateItem => {
    const tok = this.consume(0, T.DateKeyword);
    return this.ACTION((): DateItem => ({ kind: 'keyword', keyword: tok.image.toLowerCase() as DateKeyword }));
  });

  /** `now[+|-]N[unit]`; "now" is only followed by blanks, a sign or the end. */
  private dateNow = this.RULE('dateNow', (): DateItem => {
    const now = this.consume(0, T.Now);
    this.many(0, () => this.consume(1, T.Blank));
    return this.or(0, [
      { ALT: (): DateItem => this.subrule(0, this.dateDelta, { ARGS: [now, this.consume(2, T.Plus), 1] }) },
      { ALT: (): DateItem => this.subrule(1, this.dateDelta, { ARGS: [now, this.consume(3, T.Dash), -1] }) },
      {
        ALT: (): DateItem => {
          this.ACTION(() => {
            const next = this.LA(1);
            // parse_time() adds the absolute index to "now"'s own position (exact at position 0). After
            // another item, "now" at the end makes it read past the string (undefined behaviour, the
            // result varies from run to run): taken here as plain "now".
            if (next.tokenType !== EOF) this.stop(this.offsetOf(now) + this.offsetOf(next));
          });
          return { kind: 'now', sign: 1, digits: '0', unit: null };
        },
      },
    ]);
  });

  private dateDelta = this.RULE('dateDelta', (now?: IToken, sign?: IToken, dir?: 1 | -1): DateItem => {
    let digits = '';
    let unit: DateUnit | null = null;
    this.ACTION(() => {
      const at = this.offsetOf(now!);
      if (at > 0) this.stop(at + this.offsetOf(sign!));
    });
    this.many(0, () =>
      this.or(0, [
        { ALT: () => this.consume(0, T.Blank) },
        { ALT: () => this.consume(1, T.OtherSpace) },
        { ALT: () => { digits += this.consume(2, T.Digit).image; } },
      ]),
    );
    this.option(0, () => {
      const u = this.consume(3, T.DateUnit);
      this.ACTION(() => { unit = UNIT_OF.get(u.tokenType) ?? null; });
    });
    this.ACTION(() => {
      if (digits === '') this.stop(this.offsetOf(sign!));
      const next = this.LA(1);
      if (unit === null && next.tokenType !== EOF) this.stop(this.offsetOf(next) - 1);
    });
    return { kind: 'now', sign: dir ?? 1, digits, unit };
  });

  /** A digit: a time of day when a ':' is 1 or 2 characters on, else a date; decided on raw text. */
  private dateNumber = this.RULE('dateNumber', (): DateItem =>
    this.or(0, {
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          GATE: () => {
            const o = this.offsetOf(this.LA(1));
            return this.source[o + 1] === ':' || this.source[o + 2] === ':';
          },
          ALT: (): DateItem => this.subrule(0, this.dateClock),
        },
        {
          GATE: () => {
            const o = this.offsetOf(this.LA(1));
            return this.source[o + 4] === '-' && this.source[o + 7] === '-';
          },
          ALT: (): DateItem => this.subrule(1, this.dateIso),
        },
        { IGNORE_AMBIGUITIES: true, ALT: (): DateItem => this.subrule(2, this.dateMdy) },
      ],
    }),
  );

  /** `HH:MM[:SS] [AM|PM]` with parse_time()'s range checks and error positions. */
  private dateClock = this.RULE('dateClock', (): DateItem => {
    const h1 = this.consume(0, T.Digit);
    let h2: IToken | null = null;
    let hour = 0;
    let minute = 0;
    let second = 0;
    this.option(0, { MAX_LOOKAHEAD: 1, DEF: () => { h2 = this.consume(1, T.Digit); } });
    this.ACTION(() => {
      hour = Number(h1.image + (h2 ? (h2 as IToken).image : ''));
      if (hour > 23) this.stop(this.offsetOf(h1));
    });
    this.consume(2, T.Colon);
    const m1 = this.consume(3, T.Digit);
    const m2 = this.consume(4, T.Digit);
    this.ACTION(() => {
      minute = Number(m1.image + m2.image);
      if (minute > 59) this.stop(this.offsetOf(m1));
    });
    this.option(1, () => {
      this.consume(5, T.Colon);
      const s1 = this.consume(6, T.Digit);
      const s2 = this.consume(7, T.Digit);
      this.ACTION(() => {
        second = Number(s1.image + s2.image);
        if (second > 59) this.stop(this.offsetOf(s1));
      });
    });
    this.many(0, () => this.consume(10, T.DateSpace));
    this.option(2, () =>
      this.or(0, [
        {
          ALT: () => {
            const pm = this.consume(8, T.Pm);
            this.ACTION(() => {
              hour += 12;
              if (hour > 23) {
                if (hour === 24) hour = 12;
                else this.stop(this.offsetOf(pm));
              }
            });
          },
        },
        {
          ALT: () => {
            const am = this.consume(9, T.Am);
            this.ACTION(() => {
              if (hour > 11) {
                if (hour === 12) hour = 0;
                else this.stop(this.offsetOf(am));
              }
            });
          },
        },
      ]),
    );
    return { kind: 'clock', hour, minute, second };
  });

  /** `YYYY-MM-DD`: parse_time() checks the year digits, but reads the month's first character unchecked. */
  private dateIso = this.RULE('dateIso', (): DateItem => {
    const y = [this.consume(0, T.Digit), this.consume(1, T.Digit), this.consume(2, T.Digit), this.consume(3, T.Digit)];
    this.consume(4, T.Dash);
    let month = 0;
    let day = 0;
    this.ACTION(() => {
      const o = this.offsetOf(y[0]!);
      const c5 = this.source[o + 5];
      const c6 = this.source[o + 6];
      const first = (c5 ?? '\0').charCodeAt(0) - 48;
      if (isDigitChar(c6)) {
        month = first * 10 + Number(c6);
        if (!isDigitChar(c5) || month < 1 || month > 12) this.stop(o + 5);
      } else {
        // one-character month: its next character is skipped as if it were the '-', so the day
        // is read at the real '-' and fails there (or the month itself is out of range)
        this.stop(first >= 1 && first <= 12 ? o + 7 : o + 4);
      }
    });
    this.consume(5, T.Digit);
    this.consume(6, T.Digit);
    this.consume(7, T.Dash);
    const d1 = this.consume(8, T.Digit);
    let d2: IToken | null = null;
    this.option(0, { MAX_LOOKAHEAD: 1, DEF: () => { d2 = this.consume(9, T.Digit); } });
    this.ACTION(() => {
      day = Number(d1.image + (d2 ? (d2 as IToken).image : ''));
      if (day < 1 || day > 31) this.stop(d2 ? this.offsetOf(d1) : this.offsetOf(d1) - 1);
    });
    return { kind: 'date', iso: true, year: Number(y.map((d) => d.image).join('')), month, day };
  });

  /** `MMDD[YY]`, `MM/DD[/YY]`, `MM.DD[.YY]` (separators optional, each part 1-2 digits). */
  private dateMdy = this.RULE('dateMdy', (): DateItem => {
    const m1 = this.consume(0, T.Digit);
    let m2: IToken | null = null;
    let month = 0;
    let day = 0;
    let year = 0;
    this.option(0, { MAX_LOOKAHEAD: 1, DEF: () => { m2 = this.consume(1, T.Digit); } });
    this.ACTION(() => {
      month = Number(m1.image + (m2 ? (m2 as IToken).image : ''));
      if (month < 1 || month > 12) this.stop(m2 ? this.offsetOf(m1) : this.offsetOf(m1) - 1);
    });
    this.option(1, () => this.consume(10, T.DateSep));
    const d1 = this.consume(2, T.Digit);
    let d2: IToken | null = null;
    this.option(2, { MAX_LOOKAHEAD: 1, DEF: () => { d2 = this.consume(3, T.Digit); } });
    this.ACTION(() => {
      day = Number(d1.image + (d2 ? (d2 as IToken).image : ''));
      if (day < 1 || day > 31) this.stop(d2 ? this.offsetOf(d1) : this.offsetOf(d1) - 1);
    });
    this.option(3, () => this.consume(11, T.DateSep));
    this.option(4, {
      MAX_LOOKAHEAD: 1,
      DEF: () => {
        const y1 = this.consume(4, T.Digit);
        const y2 = this.consume(5, T.Digit);
        this.ACTION(() => { year = Number(y1.image + y2.image); });
      },
    });
    return { kind: 'date', iso: false, year, month, day };
  });

  // ---- arrays: the controller splits on ',' and reads each piece with strtol() -----------------------------
  public arraySpec = this.RULE('arraySpec', (): ArrayPieceSyntax[] => {
    const pieces: ArrayPieceSyntax[] = [this.subrule(0, this.arrayPiece)];
    this.many(0, () => {
      this.consume(0, T.Comma);
      const piece = this.subrule(1, this.arrayPiece);
      this.ACTION(() => pieces.push(piece));
    });
    return pieces;
  });

  private arrayPiece = this.RULE('arrayPiece', (): ArrayPieceSyntax => {
    const offset = this.offsetOf(this.LA(1));
    let dash = false;
    let last: CNum | null = null;
    let colon = false;
    let step: CNum | null = null;
    let percent: { num: CNum | null } | null = null;
    this.option(0, () => this.consume(0, T.LBracket));
    const first = this.option(1, () => this.subrule(0, this.cnum)) ?? null;
    this.option(2, () => this.consume(1, T.RBracket));
    this.option(3, () => {
      this.consume(2, T.Dash);
      dash = true;
      last = this.option(4, () => this.subrule(1, this.cnum)) ?? null;
      this.option(5, () => this.consume(3, T.RBracket));
      this.option(6, () => {
        this.consume(4, T.Colon);
        colon = true;
        step = this.option(7, () => this.subrule(2, this.cnum)) ?? null;
        this.option(8, () => this.consume(5, T.RBracket));
      });
    });
    this.option(9, () => {
      this.consume(6, T.Percent);
      percent = { num: this.option(10, () => this.subrule(3, this.cnum)) ?? null };
      // the controller ignores the rest of the piece after '%'
      this.many(0, () => this.consume(7, T.ArrayRest));
    });
    return { offset, first, dash, last, colon, step, percent };
  });

  // ---- dependencies ------------------------------------------------------------------------------------------
  public dependency = this.RULE('dependency', (): DependencySyntax => {
    const terms: DepTermSyntax[] = [this.subrule(0, this.depTerm)];
    let or = false;
    this.many(0, () => {
      this.or(0, [
        { ALT: () => this.consume(0, T.Comma) },
        { ALT: () => { this.consume(1, T.Question); or = true; } },
      ]);
      const term = this.subrule(1, this.depTerm);
      this.ACTION(() => terms.push(term));
    });
    return { terms, or };
  });

  private depTerm = this.RULE('depTerm', (): DepTermSyntax => {
    const offset = this.offsetOf(this.LA(1));
    return this.or(0, [
      {
        ALT: (): DepTermSyntax => {
          const type = this.consume(0, T.Word).image;
          this.consume(1, T.Colon);
          const refs: DepJobRefSyntax[] = [this.subrule(0, this.depJobRef)];
          this.many(0, () => {
            this.consume(2, T.Colon);
            const ref = this.subrule(1, this.depJobRef);
            this.ACTION(() => refs.push(ref));
          });
          return { kind: 'typed', type, offset, refs };
        },
      },
      {
        ALT: (): DepTermSyntax => {
          const word = this.consume(3, T.Word).image;
          // only "singleton" stands alone; anything else is reported by the semantic layer
          return word.toLowerCase() === 'singleton' ? { kind: 'singleton', offset } : { kind: 'typed', type: word, offset, refs: [] };
        },
      },
      { ALT: (): DepTermSyntax => ({ kind: 'bare', offset, ref: this.subrule(2, this.depJobRef) }) },
    ]);
  });

  private depJobRef = this.RULE('depJobRef', (): DepJobRefSyntax => {
    const offset = this.offsetOf(this.LA(1));
    const job = this.subrule(0, this.cnum);
    let task: DepJobRefSyntax['task'] = { kind: 'none' };
    let delay: DepJobRefSyntax['delay'] = null;
    this.option(0, () => {
      this.consume(0, T.Underscore);
      task = this.or(0, [
        { ALT: (): DepJobRefSyntax['task'] => ({ kind: 'num', num: this.subrule(1, this.cnum) }) },
        { ALT: (): DepJobRefSyntax['task'] => { this.consume(1, T.Star); return { kind: 'star' }; } },
        {
          ALT: (): DepJobRefSyntax['task'] => {
            const open = this.consume(2, T.LBracket);
            this.many(0, () => this.consume(10, T.DepListChar));
            const close = this.consume(3, T.RBracket);
            const from = this.endOf(open);
            return { kind: 'list', text: this.source.slice(from, this.offsetOf(close)), offset: from };
          },
        },
        { ALT: (): DepJobRefSyntax['task'] => ({ kind: 'empty' }) },
      ]);
    });
    this.option(1, () => {
      const plus = this.consume(4, T.Plus);
      const num = this.option(2, () => this.subrule(2, this.cnum)) ?? null;
      delay = { num, offset: this.offsetOf(plus) };
      // whatever follows the delay up to the next separator is ignored by the controller
      this.many(1, () => this.consume(11, T.DepRest));
    });
    return { offset, job, task, delay };
  });

  // ---- hostlists: Slurm's tokenizer keeps separators that are inside a bracket pair ---------------------------
  public hostlist = this.RULE('hostlist', (): HostTokenSyntax[] => {
    const tokens: HostTokenSyntax[] = [];
    this.many(0, () =>
      this.or(0, [
        { ALT: () => this.consume(0, T.HostBlank) },
        { ALT: () => this.consume(1, T.Comma) },
        {
          ALT: () => {
            const tok = this.subrule(0, this.hostToken);
            this.ACTION(() => tokens.push(tok));
          },
        },
      ]),
    );
    return tokens;
  });

  private hostToken = this.RULE('hostToken', (): HostTokenSyntax => {
    const start = this.offsetOf(this.LA(1));
    let end = start;
    this.ACTION(() => { this.hostStray = false; });
    this.atLeastOne(0, () => {
      const last = this.or(0, {
        MAX_LOOKAHEAD: 1,
        DEF: [
          {
            // a '[' with a ']' somewhere after it, and no unpaired ']' before it in this token
            GATE: () => !this.hostStray && this.offsetOf(this.LA(1)) < this.lastRBracket,
            ALT: (): IToken => {
              this.consume(0, T.LBracket);
              this.many(0, () => this.consume(4, T.HostInBracket));
              return this.consume(1, T.RBracket);
            },
          },
          {
            ALT: (): IToken => {
              const tok = this.consume(2, T.RBracket);
              this.ACTION(() => { this.hostStray = true; });
              return tok;
            },
          },
          {
            IGNORE_AMBIGUITIES: true,
            ALT: (): IToken => this.consume(5, T.HostPlain),
          },
        ],
      });
      this.ACTION(() => { end = this.endOf(last); });
    });
    return { start, end };
  });

  /** One `lo[-hi]` piece of a bracket, as _parse_single_range() reads it with strtoul(). */
  public hostRange = this.RULE('hostRange', (): HostRangeSyntax => {
    let x = false;
    let loJunk = false;
    let hi: string | null = null;
    let width = 0;
    const mark = (tok: IToken): void => this.ACTION(() => { if (tok.tokenType === T.LowerX) x = true; });
    this.many(0, () => this.consume(10, T.HostSpace));
    this.option(0, () => this.consume(0, T.Plus));
    const lo = this.consume(1, T.Digits).image;
    this.many(1, () => {
      mark(this.consume(11, T.HostRangeRest));
      loJunk = true;
    });
    this.ACTION(() => { width = this.offsetOf(this.LA(1)); });
    this.option(1, () => {
      this.consume(2, T.Dash);
      this.option(2, () => {
        this.many(2, () => this.consume(12, T.HostSpace));
        this.option(3, () => this.consume(3, T.Plus));
        hi = this.consume(4, T.Digits).image;
      });
    });
    return { lo, width, hi, loJunk, x };
  });

  // ---- gres: comma items, each name[:type][:count] --------------------------------------------------------------
  public gres = this.RULE('gres', (): GresItemSyntax[] => {
    const items: GresItemSyntax[] = [this.subrule(0, this.gresItem)];
    this.many(0, () => {
      this.consume(0, T.Comma);
      const item = this.subrule(1, this.gresItem);
      this.ACTION(() => items.push(item));
    });
    return items;
  });

  private gresItem = this.RULE('gresItem', (): GresItemSyntax => {
    const offset = this.offsetOf(this.LA(1));
    const fields: GresFieldSyntax[] = [this.subrule(0, this.gresField)];
    this.option(0, () => {
      this.consume(0, T.Colon);
      const second = this.subrule(1, this.gresField);
      this.ACTION(() => fields.push(second));
      this.option(1, () => {
        this.consume(1, T.Colon);
        const third = this.subrule(2, this.gresRest);
        this.ACTION(() => fields.push(third));
      });
    });
    return { offset, text: this.source.slice(offset, this.offsetOf(this.LA(1))), fields };
  });

  /** A field up to the next ':' (the last one runs to ','); `count` when it is digits + suffix only. */
  private gresField = this.RULE('gresField', (): GresFieldSyntax => {
    const offset = this.offsetOf(this.LA(1));
    const toks: IToken[] = [];
    this.many(0, () => {
      const tok = this.consume(0, T.GresChar);
      this.ACTION(() => toks.push(tok));
    });
    return this.ACTION(() => this.gresFieldOf(offset, toks, false));
  });

  private gresRest = this.RULE('gresRest', (): GresFieldSyntax => {
    const offset = this.offsetOf(this.LA(1));
    const toks: IToken[] = [];
    let hasColon = false;
    this.many(0, () => {
      const tok = this.consume(0, T.GresRestChar);
      this.ACTION(() => {
        if (tok.tokenType === T.Colon) hasColon = true;
        toks.push(tok);
      });
    });
    return this.ACTION(() => this.gresFieldOf(offset, toks, hasColon));
  });

  private gresFieldOf(offset: number, toks: IToken[], hasColon: boolean): GresFieldSyntax {
    const [a, b] = toks;
    const count =
      a?.tokenType === T.Digits && (toks.length === 1 || (toks.length === 2 && b?.tokenType === T.Alpha))
        ? { digits: a.image, suffix: b?.image ?? '' }
        : null;
    return { text: this.source.slice(offset, this.offsetOf(this.LA(1))), offset, count, hasColon };
  }

  // ---- export: commas split tokens unless inside '…' or "…" (each quote kind toggles on its own) -------------------
  public exportList = this.RULE('exportList', (): ExportTokenSyntax[] => {
    const tokens: ExportTokenSyntax[] = [];
    let start = 0;
    this.ACTION(() => { this.quoteSingle = 0; this.quoteDouble = 0; });
    this.many(0, () =>
      this.or(0, {
        MAX_LOOKAHEAD: 1,
        DEF: [
          {
            GATE: () => this.quoteSingle === 0 && this.quoteDouble === 0,
            ALT: () => {
              const comma = this.consume(0, T.Comma);
              this.ACTION(() => {
                tokens.push({ start, end: this.offsetOf(comma), unterminated: false });
                start = this.offsetOf(comma) + 1;
              });
            },
          },
          { ALT: () => { this.consume(1, T.SQuote); this.ACTION(() => { this.quoteSingle ^= 1; }); } },
          { ALT: () => { this.consume(2, T.DQuote); this.ACTION(() => { this.quoteDouble ^= 1; }); } },
          { IGNORE_AMBIGUITIES: true, ALT: () => this.consume(3, T.ExportPlain) },
        ],
      }),
    );
    this.ACTION(() => {
      if (start < this.source.length) {
        tokens.push({ start, end: this.source.length, unterminated: this.quoteSingle !== 0 || this.quoteDouble !== 0 });
      }
    });
    return tokens;
  });

  // ---- signal: [R|B|BR|RB][:]SIG[@secs] ------------------------------------------------------------------------------
  public signalSpec = this.RULE('signalSpec', (): SignalSyntax => {
    let reservation = false;
    let batch = false;
    let at: SignalSyntax['at'] = null;
    const letterIs = (c: string): boolean => {
      const tok = this.LA(1);
      return tok.tokenType === T.Letter && tok.image.toLowerCase() === c;
    };
    this.option(0, { MAX_LOOKAHEAD: 1, GATE: () => letterIs('r'), DEF: () => { this.consume(0, T.Letter); reservation = true; } });
    this.option(1, {
      MAX_LOOKAHEAD: 1,
      GATE: () => this.signalBatchAllowed && letterIs('b'),
      DEF: () => { this.consume(1, T.Letter); batch = true; },
    });
    this.option(2, {
      MAX_LOOKAHEAD: 1,
      GATE: () => this.signalBatchAllowed && letterIs('r'),
      DEF: () => { this.consume(2, T.Letter); reservation = true; },
    });
    this.option(3, { MAX_LOOKAHEAD: 1, DEF: () => this.consume(3, T.Colon) });
    const nameOffset = this.offsetOf(this.LA(1));
    this.many(0, { MAX_LOOKAHEAD: 1, DEF: () => this.consume(10, T.SignalNameChar) });
    const nameEnd = this.offsetOf(this.LA(1));
    this.option(4, () => {
      const sign = this.consume(4, T.At);
      const num = this.option(5, () => this.subrule(0, this.cnum)) ?? null;
      at = { num, offset: this.offsetOf(sign) };
    });
    return { reservation, batch, name: this.source.slice(nameOffset, nameEnd), nameOffset, at };
  });

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

/** The one parser instance (setting `input` resets it). */
export const valueParser = new ValueParser();

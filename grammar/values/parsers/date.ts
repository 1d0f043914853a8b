// Dates (--begin, --deadline): parse_time(). Rules only: the meaning is src/job/values.
import { EOF } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import * as T from '../tokens.js';
import { alt, byNextToken, gated, onNextToken, otherwise } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { DateItem, DateKeyword, DateSyntax, DateUnit } from '../syntax.js';

const UNIT_OF = new Map<TokenType, DateUnit>([
  [T.UnitSeconds, 'seconds'], [T.UnitMinutes, 'minutes'], [T.UnitHours, 'hours'], [T.UnitDays, 'days'], [T.UnitWeeks, 'weeks'],
]);

const isDigitChar = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The kind's rules as a mixin: DateParser below is the kind's own parser, ValueEngine (engine.ts) runs them all.
 * parse_time() stops at its first error with a position (ScanStop), which index.ts reports as `pos=`. */
export function DateRules<B extends ParserClass>(Base: B) {
  abstract class DateRules extends Base {
    // ---- dates: parse_time() ----------------------------------------------------------------------------------
    public dateTime = this.RULE('dateTime', (): DateSyntax => {
      const items: DateItem[] = [];
      this.many(0, () => {
        const item = this.or(0, byNextToken<DateItem | null>([
          alt((): null => { this.consume(20, T.DateSkip); return null; }),
          alt((): DateItem => this.subrule(0, this.dateKeyword)),
          alt((): DateItem => this.subrule(1, this.dateNow)),
          alt((): DateItem => this.subrule(2, this.dateNumber)),
        ]));
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
        alt((): DateItem => this.subrule(0, this.dateDelta, { ARGS: [now, this.consume(2, T.Plus), 1] })),
        alt((): DateItem => this.subrule(1, this.dateDelta, { ARGS: [now, this.consume(3, T.Dash), -1] })),
        alt((): DateItem => {
          this.ACTION(() => {
            const next = this.LA(1);
            // parse_time() adds the absolute index to "now"'s own position (exact at position 0). After
            // another item, "now" at the end makes it read past the string (undefined behaviour, the
            // result varies from run to run): taken here as plain "now".
            if (next.tokenType !== EOF) this.stop(this.offsetOf(now) + this.offsetOf(next));
          });
          return { kind: 'now', sign: 1, digits: '0', unit: null };
        }),
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
          alt(() => this.consume(0, T.Blank)),
          alt(() => this.consume(1, T.OtherSpace)),
          alt(() => { digits += this.consume(2, T.Digit).image; }),
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
      this.or(0, byNextToken([
        gated(
          () => {
            const o = this.offsetOf(this.LA(1));
            return this.source[o + 1] === ':' || this.source[o + 2] === ':';
          },
          (): DateItem => this.subrule(0, this.dateClock),
        ),
        gated(
          () => {
            const o = this.offsetOf(this.LA(1));
            return this.source[o + 4] === '-' && this.source[o + 7] === '-';
          },
          (): DateItem => this.subrule(1, this.dateIso),
        ),
        otherwise((): DateItem => this.subrule(2, this.dateMdy)),
      ])),
    );

    /** `HH:MM[:SS] [AM|PM]` with parse_time()'s range checks and error positions. */
    private dateClock = this.RULE('dateClock', (): DateItem => {
      const h1 = this.consume(0, T.Digit);
      let h2: IToken | null = null;
      let hour = 0;
      let minute = 0;
      let second = 0;
      this.option(0, onNextToken(() => { h2 = this.consume(1, T.Digit); }));
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
          alt(() => {
            const pm = this.consume(8, T.Pm);
            this.ACTION(() => {
              hour += 12;
              if (hour > 23) {
                if (hour === 24) hour = 12;
                else this.stop(this.offsetOf(pm));
              }
            });
          }),
          alt(() => {
            const am = this.consume(9, T.Am);
            this.ACTION(() => {
              if (hour > 11) {
                if (hour === 12) hour = 0;
                else this.stop(this.offsetOf(am));
              }
            });
          }),
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
      this.option(0, onNextToken(() => { d2 = this.consume(9, T.Digit); }));
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
      this.option(0, onNextToken(() => { m2 = this.consume(1, T.Digit); }));
      this.ACTION(() => {
        month = Number(m1.image + (m2 ? (m2 as IToken).image : ''));
        if (month < 1 || month > 12) this.stop(m2 ? this.offsetOf(m1) : this.offsetOf(m1) - 1);
      });
      this.option(1, () => this.consume(10, T.DateSep));
      const d1 = this.consume(2, T.Digit);
      let d2: IToken | null = null;
      this.option(2, onNextToken(() => { d2 = this.consume(3, T.Digit); }));
      this.ACTION(() => {
        day = Number(d1.image + (d2 ? (d2 as IToken).image : ''));
        if (day < 1 || day > 31) this.stop(d2 ? this.offsetOf(d1) : this.offsetOf(d1) - 1);
      });
      this.option(3, () => this.consume(11, T.DateSep));
      this.option(4, onNextToken(() => {
        const y1 = this.consume(4, T.Digit);
        const y2 = this.consume(5, T.Digit);
        this.ACTION(() => { year = Number(y1.image + y2.image); });
      }));
      return { kind: 'date', iso: false, year, month, day };
    });
  }
  return DateRules;
}

export class DateParser extends DateRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('date'), options);
    this.performSelfAnalysis();
  }
}

// Time limits (-t, --time-min): time_str2secs(). Rules only: the meaning is src/job/values.
import * as T from '../tokens.js';
import { alt } from '../../dsl.js';
import { vocabulary } from '../tokens.js';
import { ValueParserBase } from './base.js';
import type { BuildOptions, ParserClass } from './base.js';
import type { TimeSyntax } from '../syntax.js';

/** The kind's rules as a mixin: TimeParser below is the kind's own parser, ValueEngine (engine.ts) runs them all. */
export function TimeRules<B extends ParserClass>(Base: B) {
  abstract class TimeRules extends Base {
    // ---- time limit: time_str2secs() accepts only digits, one '-' and up to two ':' -------------------------
    public timeLimit = this.RULE('timeLimit', (): TimeSyntax =>
      this.or(0, [
        alt((): TimeSyntax => ({ kind: 'word', word: this.consume(0, T.TimeWord).image })),
        alt((): TimeSyntax => {
          this.consume(1, T.Dash);
          return { kind: 'days', lead: true, d: this.consume(2, T.Digits).image, h: null, m: null, s: null };
        }),
        alt((): TimeSyntax => {
          const a = this.consume(3, T.Digits).image;
          return this.or(1, [
            alt((): TimeSyntax => {
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
            }),
            alt((): TimeSyntax => {
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
            }),
          ]);
        }),
      ]),
    );
  }
  return TimeRules;
}

export class TimeParser extends TimeRules(ValueParserBase) {
  constructor(options?: BuildOptions) {
    super(vocabulary('time'), options);
    this.performSelfAnalysis();
  }
}

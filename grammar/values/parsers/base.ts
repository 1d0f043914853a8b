// What every value kind's parser has in common: the value text, offsets of tokens in it, the early stop
// some scans need, the C-number rule (for the kinds that read numbers with strtol()), and how a parser
// is configured. Each kind's rules are a mixin (grammar/values/parsers/<kind>.ts) applied to
// ValueParserBase: once for that kind's own small parser class, and once more, all together, for the
// engine that runs them (engine.ts).
//
// Rules only: the meaning of what they return is src/job/values. Slurm's own parsers for these values
// are hand-written character scanners with quirks that real scripts rely on, so several rules look at
// the raw text ahead (GATEs) and a few decisions use MAX_LOOKAHEAD 1 so the first character decides,
// exactly as in Slurm.
import { EmbeddedActionsParser, EOF, LLkLookaheadStrategy } from 'chevrotain';
import type { ILookaheadStrategy, ILookaheadValidationError, IToken, ParserMethod, TokenType } from 'chevrotain';
import * as T from '../tokens.js';
import { alt } from '../../dsl.js';
import type { CNum } from '../syntax.js';

/** Thrown (and caught by the caller of the rule) when a scan must stop at a position with an error. */
export class ScanStop {
  constructor(readonly pos: number) {}
}

export interface BuildOptions {
  /** Run Chevrotain's grammar validations (ambiguities, duplicate DSL indices…). Runtime instances skip
   * them: they cost milliseconds at start-up. test/unit/values/grammar.test.ts builds every kind with them. */
  validate?: boolean;
}

/** The most tokens a decision may look at. The same for every parser: a decision's lookahead depends only
 * on its rule and this bound, so a kind's parser and the engine decide alike. Lower bounds change what
 * some array and dependency decisions do, and build no faster (measured). */
export const MAX_LOOKAHEAD = 3;

/**
 * Chevrotain's LL(k) lookahead, computed for a decision only when the parser first reaches it. A kind's
 * own parser uses it: at run time that parser only records the kind's rules for the engine (which
 * computes its own lookahead for them, engine.ts), so it should not spend time on lookahead it never
 * uses; it still parses correctly if it is used (the tests do).
 */
class LazyLookahead implements ILookaheadStrategy {
  private readonly llk: ILookaheadStrategy;

  constructor(maxLookahead: number) {
    this.llk = new LLkLookaheadStrategy({ maxLookahead });
  }

  validate(options: Parameters<ILookaheadStrategy['validate']>[0]): ILookaheadValidationError[] {
    return this.llk.validate(options);
  }

  buildLookaheadForAlternation(options: Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0]): AlternationLookahead {
    const llk = this.llk;
    let decide: AlternationLookahead | undefined;
    return function (this: unknown, orAlts) {
      decide ??= llk.buildLookaheadForAlternation(options);
      return decide.call(this, orAlts);
    };
  }

  buildLookaheadForOptional(options: Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0]): OptionalLookahead {
    const llk = this.llk;
    let decide: OptionalLookahead | undefined;
    return function (this: unknown) {
      decide ??= llk.buildLookaheadForOptional(options);
      return decide.call(this);
    };
  }
}
type AlternationLookahead = ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']>;
type OptionalLookahead = ReturnType<ILookaheadStrategy['buildLookaheadForOptional']>;

const chevrotainEnableRecording = (EmbeddedActionsParser.prototype as unknown as { enableRecording(): void }).enableRecording;
const recordingPrototypes = new WeakMap<object, object>();

export abstract class ValueParserBase extends EmbeddedActionsParser {
  /** The value text being parsed (set by prepare() before a rule is invoked). */
  source = '';

  constructor(vocabulary: TokenType[], options: BuildOptions = {}, lookahead: ILookaheadStrategy = new LazyLookahead(MAX_LOOKAHEAD)) {
    super(vocabulary, {
      recoveryEnabled: false,
      maxLookahead: MAX_LOOKAHEAD,
      lookaheadStrategy: lookahead,
      skipValidations: options.validate !== true,
    });
  }

  /** Called before each parse. */
  prepare(text: string): void {
    this.source = text;
  }

  offsetOf(tok: IToken): number {
    return Number.isNaN(tok.startOffset) || tok.tokenType === EOF ? this.source.length : tok.startOffset;
  }

  protected endOf(tok: IToken): number {
    return this.offsetOf(tok) + tok.image.length;
  }

  protected stop(pos: number): never {
    throw new ScanStop(pos);
  }

  /**
   * Whether a whole strtol() number (what the cnum rule reads) comes next. For an optional number that
   * anything may follow, this is the decision Chevrotain works out from a 3-token lookahead analysis
   * (milliseconds per decision when the parser is built), stated directly.
   */
  protected numberAhead(): boolean {
    let i = 1;
    if (this.LA(i).tokenType === T.Ws) i++;
    const sign = this.LA(i).tokenType;
    if (sign === T.Plus || sign === T.Dash) i++;
    return this.LA(i).tokenType === T.Digits;
  }

  // Chevrotain records the grammar (performSelfAnalysis) by installing ~90 recording versions of its DSL
  // methods on the instance and deleting them afterwards; on an instance that is already a prototype
  // (Chevrotain's toFastProperties) those deletes cost about 2 ms per parser. Same effect for less: the
  // very same recording methods, installed by Chevrotain's own enableRecording on an object put between
  // the instance and its class prototype for the duration of the recording.
  protected enableRecording(): void {
    const proto = Object.getPrototypeOf(this) as object;
    let recording = recordingPrototypes.get(proto);
    if (!recording) {
      recording = Object.create(proto) as object;
      chevrotainEnableRecording.call(recording);
      recordingPrototypes.set(proto, recording);
    }
    (this as unknown as { RECORDING_PHASE: boolean }).RECORDING_PHASE = true;
    Object.setPrototypeOf(this, recording);
  }

  protected disableRecording(): void {
    (this as unknown as { RECORDING_PHASE: boolean }).RECORDING_PHASE = false;
    Object.setPrototypeOf(this, Object.getPrototypeOf(Object.getPrototypeOf(this) as object) as object);
  }
}

/** What the rule mixins apply to. */
export type ParserClass<P extends ValueParserBase = ValueParserBase> = abstract new (...args: any[]) => P;
export type WithCNum = ValueParserBase & { cnum: ParserMethod<[], CNum> };

/** The strtol() number rule, for the kinds that read numbers. */
export function CNumRules<B extends ParserClass>(Base: B) {
  abstract class CNumRules extends Base {
    /** A strtol() number: optional isspace run, optional sign, digits. */
    public cnum = this.RULE('cnum', (): CNum => {
      const offset = this.offsetOf(this.LA(1));
      let neg = false;
      this.option(0, () => this.consume(0, T.Ws));
      this.option(1, () =>
        this.or(0, [
          alt(() => this.consume(1, T.Plus)),
          alt(() => { this.consume(2, T.Dash); neg = true; }),
        ]),
      );
      const digits = this.consume(3, T.Digits);
      return { neg, digits: digits.image, offset };
    });
  }
  return CNumRules;
}

// The one parser that runs every kind's rules. Each kind's own parser class (parsers/<kind>.ts) is built
// on the kind's first use, only to record that kind's rules (the recording part of Chevrotain's
// self-analysis); the engine takes the recorded rules over, computes their lookahead, and parses with
// them. Why not parse with the kinds' own parsers: Chevrotain turns every parser instance into a
// prototype object with a hidden class of its own, so five kinds parsed by five instances make the
// property accesses inside Chevrotain megamorphic and every parse about twice as slow (measured); one
// instance keeps them monomorphic. lexer.ts does the same for the lexers.
import { LLkLookaheadStrategy } from 'chevrotain';
import type { Rule } from 'chevrotain';
import { allVocabulary } from '../tokens.js';
import type { ValueMode } from '../tokens.js';
import { CNumRules, MAX_LOOKAHEAD, ValueParserBase } from './base.js';
import type { BuildOptions } from './base.js';
import { ArrayParser, ArrayRules } from './array.js';
import { CNumParser } from './cnum.js';
import { DateParser, DateRules } from './date.js';
import { DependencyParser, DependencyRules } from './dependency.js';
import { ExportParser, ExportRules } from './export.js';
import { FnameParser, FnameRules } from './fname.js';
import { GresParser, GresRules } from './gres.js';
import { HostlistParser, HostlistRules } from './hostlist.js';
import { MemoryParser, MemoryRules } from './memory.js';
import { SignalParser, SignalRules } from './signal.js';
import { TimeParser, TimeRules } from './time.js';

/** Each lexer mode's own parser class. */
export const parserClasses = {
  time: TimeParser,
  memory: MemoryParser,
  cnum: CNumParser,
  date: DateParser,
  array: ArrayParser,
  dependency: DependencyParser,
  hostlist: HostlistParser,
  gres: GresParser,
  export: ExportParser,
  signal: SignalParser,
  fname: FnameParser,
} satisfies Record<ValueMode, new (options?: BuildOptions) => ValueParserBase>;

/** The parts of Chevrotain's parser the engine relies on beyond its public API (chevrotain is pinned). */
interface Analysis {
  selfAnalysisDone: boolean;
  definedRulesNames: string[];
  gastProductionsCache: Record<string, Rule>;
  preComputeLookaheadFunctions(rules: Rule[]): void;
}

export class ValueEngine extends FnameRules(SignalRules(ExportRules(GresRules(HostlistRules(
  DependencyRules(ArrayRules(DateRules(MemoryRules(TimeRules(CNumRules(ValueParserBase))))))))))) {
  private readonly ready = new Set<ValueMode>();

  /** Defines every kind's rules (cheap) but analyses none: see use(). */
  constructor() {
    super(allVocabulary(), {}, new LLkLookaheadStrategy({ maxLookahead: MAX_LOOKAHEAD }));
    // Chevrotain's performSelfAnalysis would record and analyse every rule; the engine's analysis is
    // done kind by kind instead, and input may be set once a kind is ready.
    (this as unknown as Analysis).selfAnalysisDone = true;
    toFastProperties(this);
  }

  /** Makes `mode`'s rules usable: builds the kind's own parser (which records them) and takes them over. */
  use(mode: ValueMode): this {
    if (!this.ready.has(mode)) {
      const own = new parserClasses[mode]() as unknown as Analysis;
      const self = this as unknown as Analysis;
      const rules = own.definedRulesNames
        .filter((name) => self.gastProductionsCache[name] === undefined)
        .map((name) => own.gastProductionsCache[name]!);
      for (const rule of rules) self.gastProductionsCache[rule.name] = rule;
      self.preComputeLookaheadFunctions(rules);
      this.ready.add(mode);
    }
    return this;
  }
}

/** As Chevrotain's own toFastProperties (which it applies to every parser at the end of its analysis). */
function toFastProperties(o: object): void {
  function Fake(): void {}
  Fake.prototype = o;
  const instance: unknown = new (Fake as unknown as new () => object)();
  const access = (): string => typeof (instance as { bar?: unknown }).bar;
  access();
  access();
}

let engine: ValueEngine | undefined;

/** The engine, ready for `mode` (built on first use, as is each kind's part). */
export function valueParser(mode: ValueMode): ValueEngine {
  engine ??= new ValueEngine();
  return engine.use(mode);
}

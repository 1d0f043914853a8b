// Lexing, kind by kind. Each kind's tokens (tokens.ts `modes`) make its own small lexer, analysed on the
// kind's first use only. As with the parsers (parsers/engine.ts), all kinds then lex through one Lexer
// instance: the analysed mode is added to it as a mode of a multi-mode lexer. Separate Lexer instances
// would each have their own hidden class and make the tokenizer's property accesses polymorphic, which
// costs a process that lexes many kinds about a fifth of its tokenizing speed.
import { Lexer } from 'chevrotain';
import type { ILexerConfig, ILexingResult } from 'chevrotain';
import { modes } from './tokens.js';
import type { ValueMode } from './tokens.js';

/**
 * `ensureOptimizations`: every mode gets Chevrotain's first-character tables (the tokenizer tries only the
 * tokens that can start with the character at hand). Building them costs little because every token
 * states its first characters (tokens.ts); `safeMode` (no tables) would build no faster and lex a
 * fifth slower. Measured with test/unit/values/startup.bench.mjs and throughput.test.ts.
 */
export const LEXER_CONFIG: ILexerConfig = { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: true };

/** One kind's own lexer. */
export function kindLexer(mode: ValueMode, config: ILexerConfig = LEXER_CONFIG): Lexer {
  return new Lexer(modes[mode], config);
}

/** The per-mode results of a Lexer's analysis (Chevrotain internals; chevrotain is pinned). */
interface ModeTables {
  modes: string[];
  patternIdxToConfig: Record<string, unknown>;
  charCodeToPatternIdxToConfig: Record<string, unknown>;
  canModeBeOptimized: Record<string, boolean>;
  emptyGroups: Record<string, unknown>;
  hasCustom: boolean;
}

/** Chevrotain's name for the mode of a lexer defined by one token list. */
const DEFAULT_MODE = 'defaultMode';

/** The lexer all kinds lex through: no modes of its own, each kind's is added on first use. */
let lexer: Lexer | undefined;
const ready = new Set<ValueMode>();

/** Tokenizes `text` with `mode`'s tokens (the mode is analysed on first use). */
export function tokenize(mode: ValueMode, text: string): ILexingResult {
  if (!ready.has(mode)) addMode(mode);
  return lexer!.tokenize(text, mode);
}

function addMode(mode: ValueMode): void {
  lexer ??= new Lexer({ modes: {}, defaultMode: DEFAULT_MODE }, LEXER_CONFIG);
  const own = kindLexer(mode) as unknown as ModeTables;
  const all = lexer as unknown as ModeTables;
  if (own.hasCustom || Object.keys(own.emptyGroups).length > 0) {
    throw new Error(`lexer mode ${mode}: custom patterns and token groups are not supported`);
  }
  all.modes.push(mode);
  all.patternIdxToConfig[mode] = own.patternIdxToConfig[DEFAULT_MODE];
  all.charCodeToPatternIdxToConfig[mode] = own.charCodeToPatternIdxToConfig[DEFAULT_MODE];
  all.canModeBeOptimized[mode] = own.canModeBeOptimized[DEFAULT_MODE] === true;
  ready.add(mode);
}

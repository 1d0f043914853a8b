// The objects Chevrotain's DSL takes (OR's alternatives, OPTION/MANY options), made by functions.
//
// Why not write `{ ALT: () => ... }` in the rules: the commands are bundled with esbuild's keepNames
// (scripts/build.mjs), which names every function written as an object property with a call to
// Object.defineProperty, made each time the object is built. In a rule body that is every time the rule
// runs, several times per token: it made the value parsers up to four times slower (measured: 21 µs
// instead of 4.6 µs for `logs/%x-%A_%a.out`). A function passed as an argument is not named, so
// `alt(() => ...)` builds the very same object without that cost.
import type { DSLMethodOpts, IOrAlt, OrMethodOpts } from 'chevrotain';

/** An alternative of OR. */
export function alt<T>(ALT: () => T): IOrAlt<T> {
  return { ALT };
}

/** An alternative considered only while `GATE` holds. */
export function gated<T>(GATE: () => boolean, ALT: () => T): IOrAlt<T> {
  return { GATE, ALT };
}

/** A last alternative that overlaps the earlier ones on purpose: they win (IGNORE_AMBIGUITIES). */
export function otherwise<T>(ALT: () => T): IOrAlt<T> {
  return { IGNORE_AMBIGUITIES: true, ALT };
}

/** An OR decided by the next token alone (MAX_LOOKAHEAD 1). */
export function byNextToken<T>(DEF: IOrAlt<T>[]): OrMethodOpts<T> {
  return { MAX_LOOKAHEAD: 1, DEF };
}

/** An OPTION or MANY body decided by the next token alone (MAX_LOOKAHEAD 1), only while `GATE` holds if given. */
export function onNextToken<T>(DEF: () => T, GATE?: () => boolean): DSLMethodOpts<T> {
  return GATE === undefined ? { MAX_LOOKAHEAD: 1, DEF } : { MAX_LOOKAHEAD: 1, GATE, DEF };
}

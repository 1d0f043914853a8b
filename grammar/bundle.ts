/**
 * The whole grammar, Chevrotain included, as one bundle (dist/grammar.cjs)
 * that the commands load on first use: squeue or scancel, which parse no
 * option values, never pay for building parsers (scripts/build.mjs).
 */
export * as values from './values/index.js';
export * as directives from './directives/index.js';

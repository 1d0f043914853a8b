export { ScanStop, ValueParserBase, MAX_LOOKAHEAD } from './base.js';
export type { BuildOptions } from './base.js';
export { parserClasses, ValueEngine, valueParser } from './engine.js';

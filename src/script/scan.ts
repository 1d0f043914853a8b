/**
 * Finds the `#SBATCH` block of a job script the way sbatch 22.05 does and
 * returns its words. A directive starts at column 0 with `#SBATCH` (or the old
 * `#SLURM`); blank lines and other `#` lines are skipped; the first other line
 * ends the block. All the words of one heterogeneous component form a single
 * argument vector (an option's value may be on the next `#SBATCH` line).
 */
import { splitDirective } from '../../grammar/directives/index.js';

export interface DirectiveWord {
  text: string;
  /** 1-based line and column of the word in the script */
  line: number;
  column: number;
}

export interface UnmatchedQuoteError {
  kind: 'unmatched-quote';
  line: number;
  column: number;
  quote: string;
  /** what sbatch echoes in brackets */
  rest: string;
}

export interface ScanResult {
  /** one word list per heterogeneous job component */
  components: DirectiveWord[][];
  /** words of `#FLOW` lines in the block: Flow-only settings Slurm reads as comments */
  flowWords: DirectiveWord[];
  /** `#SLURM` lines were used (sbatch warns once) */
  usedSlurmPrefix: boolean;
  error?: UnmatchedQuoteError;
}

const SBATCH = '#SBATCH';
const SLURM = '#SLURM';
const FLOW = '#FLOW';
/** `hetjob` (or the old `packjob`) as a word of its own starts the next component. */
const HET_SEPARATOR = /^(hetjob|packjob)$/i;

export function scanDirectives(script: string): ScanResult {
  const components: DirectiveWord[][] = [[]];
  const flowWords: DirectiveWord[] = [];
  let usedSlurmPrefix = false;
  let start = 0;
  for (let lineNo = 1; start <= script.length; lineNo++) {
    let end = script.indexOf('\n', start);
    if (end < 0) end = script.length;
    const line = script.slice(start, end);
    start = end + 1;

    let prefix: number;
    if (line.startsWith(SBATCH)) prefix = SBATCH.length;
    else if (line.startsWith(SLURM)) {
      prefix = SLURM.length;
      usedSlurmPrefix = true;
    } else if (line.startsWith(FLOW)) {
      const split = splitDirective(line.slice(FLOW.length));
      if (split.ok) for (const w of split.words) flowWords.push({ text: w.text, line: lineNo, column: FLOW.length + w.offset + 1 });
      continue;
    } else {
      if (isCommand(line)) break;
      continue;
    }

    const split = splitDirective(line.slice(prefix));
    if (!split.ok) {
      const e = split.error;
      return { components, flowWords, usedSlurmPrefix, error: { kind: 'unmatched-quote', line: lineNo, column: prefix + e.offset + 1, quote: e.quote, rest: e.rest } };
    }
    const words = split.words;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (HET_SEPARATOR.test(w.raw)) {
        // sbatch honours the separator only as the first word of a line; elsewhere it ends the line
        if (i === 0) components.push([]);
        break;
      }
      components[components.length - 1]!.push({ text: w.text, line: lineNo, column: prefix + w.offset + 1 });
    }
  }
  return { components, flowWords, usedSlurmPrefix };
}

/** Any line with something other than blanks before a `#` is a command. */
function isCommand(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c !== 35; // '#'
  }
  return false;
}

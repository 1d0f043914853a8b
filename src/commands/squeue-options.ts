/**
 * squeue's command line as Slurm 22.05 reads it (src/squeue/opts.c): its
 * option table, GNU getopt_long with permutation (so `squeue -j 5 -h` and
 * `squeue -hl` work), each option acted on in order (a later -u replaces an
 * earlier one), then the one operand squeue allows: the job list of a bare
 * `-j`, or the step list of a bare `-s`. Pure: argv in, parameters or what to
 * print out.
 */
import { parseCommandLine, type CommandLineSpec } from '../options/command-line.js';

export const SQUEUE_COMMAND_LINE: CommandLineSpec = {
  command: 'squeue',
  optstring: 'A:ahi:j::lL:n:M:O:o:p:Pq:R:rs::S:t:u:U:vVw:',
  long: [
    ['accounts', 'required', 'A'], ['all', 'none', 'a'], ['array', 'none', 'r'], ['array-unique', 'none'],
    ['Format', 'required', 'O'], ['format', 'required', 'o'], ['federation', 'none'], ['help', 'none'], ['hide', 'none'],
    ['iterate', 'required', 'i'], ['jobs', 'optional', 'j'], ['local', 'none'], ['long', 'none', 'l'],
    ['licenses', 'required', 'L'], ['cluster', 'required', 'M'], ['clusters', 'required', 'M'], ['me', 'none'],
    ['name', 'required', 'n'], ['noconvert', 'none'], ['node', 'required', 'w'], ['nodes', 'required', 'w'],
    ['nodelist', 'required', 'w'], ['noheader', 'none', 'h'], ['partitions', 'required', 'p'], ['priority', 'none', 'P'],
    ['qos', 'required', 'q'], ['reservation', 'required', 'R'], ['sib', 'none', 'sibling'], ['sibling', 'none', 'sibling'],
    ['sort', 'required', 'S'], ['start', 'none'], ['steps', 'optional', 's'], ['states', 'required', 't'],
    ['usage', 'none'], ['user', 'required', 'u'], ['users', 'required', 'u'], ['verbose', 'none', 'v'],
    ['version', 'none', 'V'], ['json', 'none'], ['yaml', 'none'],
  ],
  // -U: the old name of -A
  letters: { U: 'accounts', M: 'clusters', w: 'nodelist' },
  onError: { tryHelp: true, exit: 1 },
};

export const SQUEUE_USAGE = `Usage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid]
              [-n name] [-o format] [-p partitions] [--qos qos]
              [--reservation reservation] [--sort fields] [--start]
              [--step step_id] [-t states] [-u user_name] [--usage]
              [-L licenses] [-w nodes] [--federation] [--local] [--sibling]
\t      [-ahjlrsv]
`;

export interface SqueueParams {
  /** -j given (with or without a list) */
  jobFlag: boolean;
  /** -j's list, as given */
  jobs?: string;
  /** -s given (with or without a list) */
  stepFlag: boolean;
  steps?: string;
  /** lists as given, comma-separated (each option replaces an earlier one of its kind) */
  accounts?: string;
  names?: string;
  partitions?: string;
  states?: string;
  /** user names or ids; `--me` makes it the caller's uid */
  users?: string;
  nodelist?: string;
  format?: string;
  formatLong?: string;
  sort?: string;
  long: boolean;
  noHeader: boolean;
  array: boolean;
  json: boolean;
  noConvert: boolean;
  start: boolean;
  iterate: number;
  verbose: number;
}

export type SqueueParse =
  /** warnings: what squeue said while reading its options (unknown users) */
  | { kind: 'run'; params: SqueueParams; warnings: string }
  | { kind: 'help' }
  | { kind: 'usage' }
  | { kind: 'print'; stdout: string; stderr: string; exit: number };

const fail = (stderr: string): SqueueParse => ({ kind: 'print', stdout: '', stderr, exit: 1 });

export function parseSqueue(
  argv: readonly string[], env: Readonly<Record<string, string | undefined>>, uid: number, lookupUser: (name: string) => number | undefined,
): SqueueParse {
  let warnings = '';
  const cl = parseCommandLine(SQUEUE_COMMAND_LINE, argv, env);
  const p: SqueueParams = {
    jobFlag: false, stepFlag: false, long: false, noHeader: false, array: false, json: false, noConvert: false, start: false, iterate: 0, verbose: 0,
  };
  for (const { id, value } of cl.options) {
    const v = value ?? '';
    switch (id) {
      case 'accounts': p.accounts = v; break;
      case 'noheader': p.noHeader = true; break;
      case 'iterate':
        p.iterate = Number.parseInt(v, 10) || 0;
        // sic: the format ends with a newline of its own
        if (p.iterate <= 0) return fail(`squeue: error: --iterate=${v}\n\n`);
        break;
      case 'jobs':
        if (value !== undefined) p.jobs = value;
        p.jobFlag = true;
        break;
      case 'long': p.long = true; break;
      case 'name': p.names = v; break;
      case 'Format':
        if (p.format !== undefined) return fail('squeue: error: -O (--Format) is incompatible with -o (--format)\n');
        p.formatLong = v;
        break;
      case 'format':
        if (p.formatLong !== undefined) return fail('squeue: error: -o (--format) is incompatible with -O (--Format)\n');
        p.format = v;
        break;
      case 'partitions': p.partitions = v; break;
      case 'array': p.array = true; break;
      case 'steps':
        if (value !== undefined) p.steps = value;
        p.stepFlag = true;
        break;
      case 'sort': p.sort = v; break;
      case 'states': p.states = v; break;
      case 'user':
        p.users = v;
        // sic: the message ends with a newline of its own; squeue says it at once and goes on
        for (const u of v.split(',').filter(Boolean)) if (lookupUser(u) === undefined) warnings += `squeue: error: Invalid user: ${u}\n\n`;
        break;
      case 'me': p.users = String(uid); break;
      case 'version': return { kind: 'print', stdout: 'slurm 22.05.8\n', stderr: '', exit: 0 };
      case 'nodelist': p.nodelist = v; break;
      case 'help': return { kind: 'help' };
      case 'usage': return { kind: 'usage' };
      case 'hide': break;
      case 'noconvert': p.noConvert = true; break;
      case 'start': p.start = true; break;
      case 'json': p.json = true; break;
      case 'yaml': return fail('squeue: error: YAML output is not supported by flow-slurm\n');
      case 'verbose': p.verbose++; break;
      default: break; // -a, -L, -M, -P, -q, -R, --array-unique, --federation, --local, --sibling: one cluster, nothing more to show
    }
  }
  if (cl.error) return { kind: 'print', stdout: '', stderr: cl.error.stderr, exit: cl.error.exit };
  if (p.long && p.format !== undefined) {
    return fail('squeue: fatal: Options -o(--format) and -l(--long) are mutually exclusive. Please remove one and retry.\n');
  }

  const operands = [...cl.operands];
  if (operands.length > 0) {
    if (p.jobFlag) p.jobs = operands.shift();
    else if (p.stepFlag) p.steps = operands.shift();
    if (operands.length > 0) return { kind: 'print', stdout: SQUEUE_USAGE, stderr: `squeue: error: Unrecognized option: ${operands[0]}\n`, exit: 1 };
  }
  if (p.jobFlag && p.stepFlag) {
    // with a job list, -j filters the steps
    if (p.jobs !== undefined) p.jobFlag = false;
    else return fail('squeue: error: Incompatible options --jobs and --steps\n');
  }
  return { kind: 'run', params: p, warnings };
}
